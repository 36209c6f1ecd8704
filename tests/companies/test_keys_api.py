"""API keys from the dashboard: list without secrets, issue once, revoke, last use."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from marketplace.companies.models import ApiKey
from tests.factories import make_company
from tests.sessions import admin_session


def test_an_admin_issues_lists_and_revokes_keys(app, db):
    company = make_company(app)
    admin = admin_session(app, company)
    issued = admin.post("/api/v1/keys", json={"name": "crm export"})
    assert issued.status_code == 201, issued.get_json()
    body = issued.get_json()
    secret = body["secret"]
    assert secret.startswith("mk_") and body["name"] == "crm export"
    assert body["prefix"] == secret[: len("mk_") + 16] + "_…"

    listed = admin.get("/api/v1/keys").get_json()
    assert [k["name"] for k in listed] == ["crm export", "default"]
    assert all("secret" not in k and secret not in str(k) for k in listed)

    new_key = {"Authorization": f"Bearer {secret}"}
    assert app.test_client().get("/api/v1/account", headers=new_key).status_code == 200
    revoked = admin.delete(f"/api/v1/keys/{body['id']}")
    assert revoked.status_code == 200 and revoked.get_json()["revoked_at"]
    assert app.test_client().get("/api/v1/account", headers=new_key).status_code == 401
    assert admin.delete(f"/api/v1/keys/{body['id']}").status_code == 200  # twice is harmless


def test_keys_cannot_mint_or_revoke_keys_and_tenants_are_apart(app, db):
    company, other = make_company(app), make_company(app)
    assert app.test_client().get("/api/v1/keys", headers=company.headers).status_code == 200
    minted = app.test_client().post("/api/v1/keys", json={"name": "x"}, headers=company.headers)
    assert minted.status_code == 403
    their_key = app.test_client().get("/api/v1/keys", headers=other.headers).get_json()[0]
    admin = admin_session(app, company)
    assert admin.delete(f"/api/v1/keys/{their_key['id']}").status_code == 404
    assert admin.post("/api/v1/keys", json={"name": "  "}).status_code == 422
    assert admin.post("/api/v1/keys", json={"name": "a", "scope": "all"}).status_code == 422
    assert admin.client.post("/api/v1/keys", json={"name": "no csrf"}).status_code == 403


def test_last_used_is_stamped_at_most_once_a_minute(app, db):
    company = make_company(app)
    client = app.test_client()
    assert client.get("/api/v1/account", headers=company.headers).status_code == 200
    first = db.session.scalars(sa.select(ApiKey.last_used_at)).one()
    assert first is not None
    client.get("/api/v1/account", headers=company.headers)
    db.session.expire_all()
    assert db.session.scalars(sa.select(ApiKey.last_used_at)).one() == first
    db.session.execute(sa.update(ApiKey).values(last_used_at=first - timedelta(minutes=5)))
    db.session.commit()
    client.get("/api/v1/account", headers=company.headers)
    db.session.expire_all()
    assert db.session.scalars(sa.select(ApiKey.last_used_at)).one() > first - timedelta(seconds=1)
