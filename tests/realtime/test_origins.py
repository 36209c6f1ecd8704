"""Socket.IO answers pages of its own origin only: a cookie alone must not open a socket for
another site (cross-site WebSocket hijacking)."""

from __future__ import annotations

import pytest

from tests.conftest import make_app

HANDSHAKE = "/socket.io/?EIO=4&transport=polling"


@pytest.mark.parametrize(
    ("origin", "status"),
    [
        (None, 200),  # not a browser: nothing to check
        ("http://localhost", 200),  # the page's own origin
        ("http://evil.example", 400),
        ("http://localhost:8080", 400),  # same host, other port: another origin
    ],
)
def test_the_handshake_checks_the_origin(tmp_path, origin, status):
    app = make_app(f"sqlite:///{tmp_path}/o.db")  # the check is engine.io's, not the database's
    headers = {"Origin": origin} if origin else {}
    response = app.test_client().get(HANDSHAKE, headers=headers)
    assert response.status_code == status, response.get_data(as_text=True)


def test_listed_origins_are_allowed(tmp_path):
    app = make_app(f"sqlite:///{tmp_path}/o.db", SOCKETIO_CORS_ORIGINS=["https://app.example"])
    client = app.test_client()
    assert client.get(HANDSHAKE, headers={"Origin": "https://app.example"}).status_code == 200
    assert client.get(HANDSHAKE, headers={"Origin": "http://localhost"}).status_code == 400
