"""Fixtures of the operations tests."""

from __future__ import annotations

import pytest

from marketplace.extensions import socketio
from tests.conftest import make_app


@pytest.fixture
def make_ops_app(database_url):
    """Build apps with their own settings (Redis, tokens). Afterwards Socket.IO, one global
    server, is bound again without a message queue, as the other tests expect: Flask-SocketIO
    keeps the Redis manager of an earlier init_app in its options unless it is removed."""
    yield lambda **overrides: make_app(database_url, **overrides)
    socketio.server_options.pop("client_manager", None)
    make_app(database_url)
