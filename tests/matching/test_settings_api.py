"""GET/PATCH /api/v1/matching/settings: validated per field, stored, and used by matching."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from marketplace.companies.models import Company
from marketplace.eventlog.models import Event
from marketplace.matching import services
from marketplace.matching.models import Offer
from marketplace.matching.settings import DEFAULT_RINGS, RankingWeights, settings_for
from tests.factories import default_pool, make_company, make_pool_expert, post_question
from tests.sessions import admin_session

URL = "/api/v1/matching/settings"
WEIGHTS = {"reputation": 0.1, "skill": 0.6, "speed": 0.2, "fairness": 0.1}
RING = {"name": "only", "seconds": 60}


def stored(db, company_id):
    db.session.expire_all()
    company = db.session.get(Company, company_id)
    return company.offer_mode, dict(company.settings or {})


def test_the_defaults_are_shown_with_their_ranges(app, client):
    company = make_company(app)
    body = client.get(URL, headers=company.headers).get_json()
    assert body["settings"] == {}
    effective = body["effective"]
    assert (effective["offer_mode"], effective["offer_timeout_seconds"]) == ("sequential", 30)
    assert [r["name"] for r in effective["rings"]] == [r.name for r in DEFAULT_RINGS]
    assert effective["weights"] == vars(RankingWeights())
    assert body["limits"]["offer_timeout_seconds"] == [10, 300]


def test_a_change_is_stored_logged_and_used_by_matching(app, db, client):
    company = make_company(app)
    pool = default_pool(app, company.id)
    rings = [
        {"name": "first", "seconds": 30, "require_tags": True, "fanout": 2},
        {"name": "anyone", "seconds": 600, "require_tags": False, "min_tier": None},
    ]
    changes = {
        "offer_mode": "broadcast",
        "offer_timeout_seconds": 90,
        "broadcast_k": 5,
        "hourly_offer_cap": 12,
        "weights": WEIGHTS,
        "rings": rings,
    }
    response = client.patch(URL, json=changes, headers=company.headers)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["effective"]["offer_timeout_seconds"] == 90
    assert [r["name"] for r in body["effective"]["rings"]] == ["first", "anyone"]
    mode, own = stored(db, company.id)
    effective = settings_for(db.session.get(Company, company.id), None)
    assert mode.value == "broadcast" and own["broadcast_k"] == 5
    assert (effective.weights.skill, effective.rings[0].fanout) == (0.6, 2)
    event = db.session.scalars(
        sa.select(Event).filter_by(action="company.matching_settings_changed")
    ).one()
    assert event.before["settings"] == {} and event.after["settings"]["hourly_offer_cap"] == 12
    for _ in range(3):
        make_pool_expert(app, pool)
    question_id = post_question(app, company)
    assert services.drain() == 2  # the first ring's fan-out
    offer = db.session.scalars(sa.select(Offer).filter_by(question_id=question_id)).first()
    assert (offer.expires_at - offer.created_at).total_seconds() == 90

    reset = client.patch(URL, json={"rings": None, "weights": None}, headers=company.headers)
    assert reset.status_code == 200
    assert set(reset.get_json()["settings"]) == {
        "offer_timeout_seconds",
        "broadcast_k",
        "hourly_offer_cap",
    }
    assert len(reset.get_json()["effective"]["rings"]) == len(DEFAULT_RINGS)


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ({"offer_timeout_seconds": 9}, ("offer_timeout_seconds",)),
        ({"offer_timeout_seconds": 301}, ("offer_timeout_seconds",)),
        ({"offer_timeout_seconds": "90"}, ("offer_timeout_seconds",)),
        ({"broadcast_k": 0}, ("broadcast_k",)),
        ({"hourly_offer_cap": 1001}, ("hourly_offer_cap",)),
        ({"offer_mode": "lottery"}, ("offer_mode",)),
        ({"offer_mode": None}, ("offer_mode",)),
        ({"weights": WEIGHTS | {"skill": 0.7}}, ("weights", "_schema")),
        ({"weights": {"skill": 1.0}}, ("weights", "reputation")),
        ({"weights": WEIGHTS | {"luck": 0.0}}, ("weights", "luck")),
        ({"weights": WEIGHTS | {"speed": -0.1, "skill": 0.9}}, ("weights", "speed")),
        ({"rings": []}, ("rings",)),
        ({"rings": [RING, RING]}, ("rings",)),
        ({"rings": [RING, {"name": "x", "seconds": 5}]}, ("rings", "1", "seconds")),
        ({"rings": [RING | {"seconds": "soon"}]}, ("rings", "0", "seconds")),
        ({"rings": [RING | {"pool": "friends"}]}, ("rings", "0", "pool")),
        ({"rings": [RING | {"min_tier": "gold"}]}, ("rings", "0", "min_tier")),
        ({"rings": [RING | {"fanout": 0}]}, ("rings", "0", "fanout")),
        ({"rings": [RING | {"raise_percent": 201}]}, ("rings", "0", "raise_percent")),
        ({"rings": [{"seconds": 60}]}, ("rings", "0", "name")),
        ({"rings": [RING | {"colour": "red"}]}, ("rings", "0", "colour")),
        ({"rings": [RING] * 13}, ("rings",)),
        ({"surprise": 1}, ("surprise",)),
        ({}, ("_schema",)),
    ],
)
def test_bad_settings_are_refused_per_field_and_nothing_is_stored(app, db, client, body, path):
    company = make_company(app)
    before = stored(db, company.id)
    response = client.patch(URL, json=body, headers=company.headers)
    assert response.status_code == 422, response.get_json()
    assert response.mimetype == "application/problem+json"
    errors = response.get_json()["errors"]
    for key in path:
        errors = errors[key]
    assert errors
    assert stored(db, company.id) == before


def test_only_the_company_itself_may_read_or_change_them(app, db, client):
    company, other = make_company(app), make_company(app)
    expert = make_pool_expert(app, default_pool(app, company.id))
    assert client.patch(URL, json={"broadcast_k": 9}, headers=company.headers).status_code == 200
    assert client.get(URL, headers=other.headers).get_json()["settings"] == {}
    assert client.get(URL, headers=expert.headers).status_code == 401
    assert client.get(URL).status_code == 401
    admin = admin_session(app, company)
    assert admin.get(URL).get_json()["settings"] == {"broadcast_k": 9}
    changed = admin.patch(URL, json={"hourly_offer_cap": 3})
    assert changed.status_code == 200, changed.get_json()


def test_the_endpoint_is_in_the_openapi_document(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert set(spec["paths"]["/api/v1/matching/settings"]) >= {"get", "patch"}
    ring = spec["components"]["schemas"]["Ring"]["properties"]
    assert ring["seconds"]["minimum"] == 10 and ring["pool"]["enum"] == ["own", "staff"]
