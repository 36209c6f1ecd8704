"""Browser sessions: cookie login, CSRF on unsafe requests, roles, logout, sockets."""

from __future__ import annotations

from marketplace.accounts.models import Role
from marketplace.accounts.services import create_user
from marketplace.extensions import socketio
from tests.factories import default_pool, make_company, make_pool_expert, question_payload


def login(client, email, password="password-123"):
    return client.post("/api/v1/auth/session", json={"email": email, "password": password})


def test_a_company_admin_uses_the_company_api_with_the_cookie_and_csrf(app, db):
    company = make_company(app)
    create_user(
        "boss@example.test", "password-123", "Boss", Role.COMPANY_ADMIN, company_id=company.id
    )
    client = app.test_client()
    assert client.get("/api/v1/auth/session").status_code == 401
    assert login(client, "boss@example.test", "wrong-password").status_code == 401
    response = login(client, "Boss@Example.test")
    assert response.status_code == 200
    body = response.get_json()
    assert body["role"] == "company_admin" and body["csrf_token"]
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert client.get("/api/v1/questions").status_code == 200
    refused = client.post("/api/v1/questions", json=question_payload())
    assert refused.status_code == 403
    posted = client.post(
        "/api/v1/questions", json=question_payload(), headers={"X-CSRF-Token": body["csrf_token"]}
    )
    assert posted.status_code == 201
    assert client.get("/api/v1/expert/pending").status_code == 403  # wrong role
    assert (
        client.delete(
            "/api/v1/auth/session", headers={"X-CSRF-Token": body["csrf_token"]}
        ).status_code
        == 204
    )
    assert client.get("/api/v1/questions").status_code == 401


def test_an_expert_session_reaches_the_expert_api_and_socket(app, db):
    company = make_company(app)
    expert = make_pool_expert(app, default_pool(app, company.id), online=False)
    client = app.test_client()
    assert login(client, expert.email).status_code == 200
    assert client.get("/api/v1/expert/pending").get_json()["availability"] == "offline"
    assert client.get("/api/v1/questions").status_code == 401  # not a company admin
    socket = socketio.test_client(app, namespace="/expert", flask_test_client=client)
    assert socket.is_connected("/expert")
    socket.disconnect("/expert")


def test_a_moderator_session_cannot_use_the_company_api(app, db):
    company = make_company(app)
    create_user("mod@example.test", "password-123", "Mod", Role.MODERATOR, company_id=company.id)
    client = app.test_client()
    login(client, "mod@example.test")
    assert client.get("/api/v1/questions").status_code == 401
    dashboard = socketio.test_client(app, namespace="/company", flask_test_client=client)
    assert not dashboard.is_connected("/company")
