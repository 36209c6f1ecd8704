"""Pool settings from the dashboard: read, change within the documented ranges, reset."""

from __future__ import annotations

import sqlalchemy as sa

from marketplace.companies.models import Pool
from marketplace.eventlog.models import Event
from marketplace.matching.settings import settings_for
from tests.factories import make_company
from tests.sessions import admin_session


def test_pools_show_own_and_effective_settings(app, db):
    company = make_company(app)
    pools = app.test_client().get("/api/v1/pools", headers=company.headers).get_json()
    assert [p["slug"] for p in pools] == ["default"]
    pool = pools[0]
    assert pool["settings"] == {} and pool["offer_mode"] is None
    assert pool["effective"]["offer_timeout_seconds"] == 30
    assert pool["effective"]["offer_mode"] == "sequential"
    assert pool["limits"]["offer_timeout_seconds"] == [10, 300]


def test_an_admin_changes_settings_and_matching_uses_them(app, db):
    company = make_company(app)
    admin = admin_session(app, company)
    changed = admin.patch(
        "/api/v1/pools/default",
        json={
            "offer_mode": "broadcast",
            "broadcast_k": 5,
            "offer_timeout_seconds": 90,
            "answer_minutes": 30,
            "hourly_offer_cap": 12,
            "invite_only": True,
        },
    )
    assert changed.status_code == 200, changed.get_json()
    body = changed.get_json()
    assert body["settings"] == {
        "offer_timeout_seconds": 90,
        "broadcast_k": 5,
        "answer_minutes": 30,
        "hourly_offer_cap": 12,
    }
    assert body["invite_only"] is True and body["offer_mode"] == "broadcast"
    pool = db.session.scalars(sa.select(Pool)).one()
    effective = settings_for(pool_company(db, pool), pool)
    assert (effective.offer_timeout_seconds, effective.broadcast_k) == (90, 5)
    assert effective.offer_mode.value == "broadcast"
    event = db.session.scalars(sa.select(Event).filter_by(action="pool.settings_changed")).one()
    assert "broadcast_k" not in event.before["settings"]
    assert event.after["settings"]["broadcast_k"] == 5

    reset = admin.patch("/api/v1/pools/default", json={"broadcast_k": None, "offer_mode": None})
    assert reset.get_json()["settings"] == {
        "offer_timeout_seconds": 90,
        "answer_minutes": 30,
        "hourly_offer_cap": 12,
    }
    assert reset.get_json()["effective"]["broadcast_k"] == 3


def pool_company(db, pool):
    from marketplace.companies.models import Company

    return db.session.get(Company, pool.company_id)


def test_out_of_range_unknown_and_foreign_are_refused(app, db):
    company, other = make_company(app), make_company(app)
    client = app.test_client()
    url = "/api/v1/pools/default"
    for body, field in [
        ({"offer_timeout_seconds": 5}, "offer_timeout_seconds"),
        ({"offer_timeout_seconds": 301}, "offer_timeout_seconds"),
        ({"broadcast_k": 0}, "broadcast_k"),
        ({"answer_minutes": 1441}, "answer_minutes"),
        ({"hourly_offer_cap": "12"}, "hourly_offer_cap"),
        ({"offer_mode": "lottery"}, "offer_mode"),
        ({"audit_rate": 0.5}, "audit_rate"),
        ({}, "_schema"),
    ]:
        response = client.patch(url, json=body, headers=company.headers)
        assert response.status_code == 422, body
        assert field in response.get_json()["errors"], response.get_json()
    assert client.get("/api/v1/pools/nope", headers=company.headers).status_code == 404
    client.patch(url, json={"broadcast_k": 9}, headers=other.headers)
    mine = client.get(url, headers=company.headers).get_json()
    assert mine["settings"] == {}


def test_audit_rates_are_changed_merged_and_reset(app, db):
    company = make_company(app)
    admin = admin_session(app, company)
    url = "/api/v1/pools/default"
    assert admin.get(url).get_json()["audit"] == {"sample_rates": {"vetted": 0.0, "trusted": 0.0}}
    before = admin.patch(url, json={"audit": None}).get_json()  # the factory samples nobody
    assert before["audit"] == {}
    assert before["audit_effective"] == {
        "sample_rates": {"vetted": 0.1, "trusted": 0.02},
        "low_score": None,
        "low_rating": 2,
        "hold": True,
    }
    changed = admin.patch(
        url, json={"audit": {"sample_rates": {"vetted": 0.25, "trusted": 0}, "low_rating": 3}}
    )
    assert changed.status_code == 200, changed.get_json()
    assert changed.get_json()["audit"] == {
        "sample_rates": {"vetted": 0.25, "trusted": 0},
        "low_rating": 3,
    }
    merged = admin.patch(
        url, json={"audit": {"sample_rates": {"trusted": None}, "hold": False, "low_score": 0.4}}
    ).get_json()
    assert merged["audit"] == {
        "sample_rates": {"vetted": 0.25},
        "low_rating": 3,
        "hold": False,
        "low_score": 0.4,
    }
    assert merged["audit_effective"] == {
        "sample_rates": {"vetted": 0.25, "trusted": 0.02},
        "low_score": 0.4,
        "low_rating": 3,
        "hold": False,
    }
    assert merged["settings"] == {}  # the matching settings are untouched
    # Moderation reads the same settings.
    from marketplace.moderation.policy import AuditPolicy

    pool = db.session.scalars(sa.select(Pool)).one()
    db.session.refresh(pool)
    policy = AuditPolicy.from_settings(pool.settings)
    assert policy.sample_rates["vetted"] == 0.25 and policy.hold is False
    event = db.session.scalars(
        sa.select(Event).filter_by(action="pool.settings_changed").order_by(Event.id.desc())
    ).first()
    assert event.after["settings"]["audit"]["hold"] is False
    reset = admin.patch(url, json={"audit": None}).get_json()
    assert reset["audit"] == {} and reset["audit_effective"] == before["audit_effective"]


def test_bad_audit_settings_get_a_message_per_field(app, db):
    company = make_company(app)
    client = app.test_client()
    for audit, path in [
        ({"sample_rates": {"vetted": 1.5}}, ("sample_rates", "vetted")),
        ({"sample_rates": {"trusted": -0.1}}, ("sample_rates", "trusted")),
        ({"sample_rates": {"vetted": "0.5"}}, ("sample_rates", "vetted")),
        ({"sample_rates": {"probation": 0.5}}, ("sample_rates", "probation")),
        ({"low_score": 2}, ("low_score",)),
        ({"low_rating": 6}, ("low_rating",)),
        ({"low_rating": 2.5}, ("low_rating",)),
        ({"hold": "yes"}, ("hold",)),
        ({"rate": 0.1}, ("rate",)),
        ("all", ()),
    ]:
        response = client.patch(
            "/api/v1/pools/default", json={"audit": audit}, headers=company.headers
        )
        assert response.status_code == 422, audit
        errors = response.get_json()["errors"]["audit"]
        for key in path:
            errors = errors[key]
        assert errors, (audit, response.get_json())
    mine = client.get("/api/v1/pools/default", headers=company.headers).get_json()
    assert mine["audit"] == {"sample_rates": {"vetted": 0.0, "trusted": 0.0}}  # the factory's
