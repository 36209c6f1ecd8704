"""Invite-only pools: links, e-mail invites, what an invite shows, one redemption per invite."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from marketplace.companies.models import Pool, PoolKind
from marketplace.companies.services import create_pool
from marketplace.database import utcnow
from marketplace.eventlog.services import Actor
from marketplace.experts.models import PoolMembership
from marketplace.moderation import invites
from marketplace.moderation.models import PoolInvite
from tests.factories import make_company
from tests.moderation.conftest import race, sign_up

APPLY = "/api/v1/expert/pools/{}/apply"


def invite_only(db, pool_id) -> str:
    pool = db.session.get(Pool, pool_id)
    pool.invite_only = True
    db.session.commit()
    return pool.slug


def invite(client, company, slug, email=None):
    response = client.post(
        "/api/v1/invites", json={"pool": slug, "email": email}, headers=company.headers
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_an_invite_link_shows_the_pool_and_lets_one_expert_in(app, db, client, shop):
    slug = invite_only(db, shop["pool"])
    made = invite(client, shop["company"], slug)
    token = made["token"]
    assert made["path"] == f"/app/#invite/{token}"
    assert made["url"] == f"http://localhost/app/#invite/{token}"
    assert db.session.scalars(sa.select(PoolInvite.token_hash)).one() != token  # hashed
    expert_id, fan = sign_up(app)
    pools = client.get("/api/v1/expert/pools", headers=fan).get_json()
    assert str(shop["pool"]) not in [p["pool_id"] for p in pools["open"]]
    shown = client.get(f"/api/v1/expert/invites/{token}", headers=fan).get_json()
    pool = db.session.get(Pool, shop["pool"])
    assert (shown["pool"], shown["brand"], shown["status"], shown["membership"]) == (
        pool.name,
        pool.brand,
        "valid",
        None,
    )
    assert shown["company"].startswith("Company")
    without = client.post(APPLY.format(shop["pool"]), json={}, headers=fan)
    assert without.status_code == 403 and without.get_json()["type"].endswith("invite-refused")
    applied = client.post(APPLY.format(shop["pool"]), json={"invite": token}, headers=fan)
    assert applied.status_code == 201, applied.get_json()
    used = client.get(f"/api/v1/expert/invites/{token}", headers=fan).get_json()
    assert (used["status"], used["membership"]) == ("used", "review")
    other_id, other = sign_up(app)
    again = client.post(APPLY.format(shop["pool"]), json={"invite": token}, headers=other)
    assert again.status_code == 403
    assert db.session.scalars(sa.select(PoolMembership).filter_by(expert_id=other_id)).all() == []
    assert db.session.scalars(sa.select(PoolInvite.used_by)).one() == expert_id


def test_an_e_mail_invite_is_listed_and_used_without_the_link(app, db, client, shop):
    slug = invite_only(db, shop["pool"])
    expert_id, fan = sign_up(app, email="known.fan@example.test")
    made = invite(client, shop["company"], slug, "Known.Fan@example.test")
    assert made["email"] == "known.fan@example.test"
    [listed] = client.get("/api/v1/expert/pools", headers=fan).get_json()["invited"]
    assert listed["pool_id"] == str(shop["pool"])
    _, stranger = sign_up(app)
    assert client.get("/api/v1/expert/pools", headers=stranger).get_json()["invited"] == []
    stolen = client.post(
        APPLY.format(shop["pool"]), json={"invite": made["token"]}, headers=stranger
    )
    assert stolen.status_code == 403
    peek = client.get(f"/api/v1/expert/invites/{made['token']}", headers=stranger)
    assert peek.status_code == 403
    applied = client.post(APPLY.format(shop["pool"]), json={}, headers=fan)
    assert applied.status_code == 201, applied.get_json()
    assert client.get("/api/v1/expert/pools", headers=fan).get_json()["invited"] == []
    assert db.session.scalars(sa.select(PoolInvite.used_by)).one() == expert_id


def test_an_expired_invite_is_refused(app, db, client, shop):
    slug = invite_only(db, shop["pool"])
    token = invite(client, shop["company"], slug)["token"]
    db.session.execute(sa.update(PoolInvite).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    _, fan = sign_up(app)
    assert client.get(f"/api/v1/expert/invites/{token}", headers=fan).get_json()["status"] == (
        "expired"
    )
    refused = client.post(APPLY.format(shop["pool"]), json={"invite": token}, headers=fan)
    assert refused.status_code == 403
    assert client.get("/api/v1/expert/invites/not-a-token", headers=fan).status_code == 404


@pytest.mark.parametrize("case", ["open pool", "staff pool", "unknown pool", "other company"])
def test_invites_are_for_invite_only_crowd_pools_of_the_caller(app, db, client, shop, case):
    slug = db.session.get(Pool, shop["pool"]).slug
    if case == "staff pool":
        slug = create_pool(
            shop["company"].id, "staff-pool", "Staff", "Aurora", PoolKind.STAFF, Actor.system("t")
        ).slug
        db.session.commit()
    elif case == "unknown pool":
        slug = "nope"
    elif case == "other company":
        other = make_company(app)
        other_pool = create_pool(
            other.id, "their-fans", "Theirs", "Other", PoolKind.CROWD, Actor.system("t")
        )
        other_pool.invite_only = True
        db.session.commit()
        slug = other_pool.slug  # the slug is looked up in the caller's company only
    response = client.post("/api/v1/invites", json={"pool": slug}, headers=shop["company"].headers)
    expected = 409 if case == "open pool" else 422
    assert response.status_code == expected and "pool" in response.get_json()["errors"]
    assert response.mimetype == "application/problem+json"
    assert db.session.scalars(sa.select(PoolInvite)).all() == []


def test_two_experts_racing_for_one_invite_one_gets_in(
    app, db, client, shop, postgres_only, monkeypatch
):
    slug = invite_only(db, shop["pool"])
    token = invite(client, shop["company"], slug)["token"]
    fans = [sign_up(app) for _ in range(2)]
    db.session.remove()

    def apply(headers):
        return lambda: app.test_client().post(
            APPLY.format(shop["pool"]), json={"invite": token}, headers=headers
        )

    # Both have found the unused invite before either marks it used.
    results = race(app, [apply(h) for _, h in fans], monkeypatch, invites, "_check_email")
    assert sorted(r.status_code for r in results) == [201, 403], [r.get_json() for r in results]
    members = db.session.scalars(
        sa.select(PoolMembership.expert_id).filter_by(pool_id=shop["pool"])
    ).all()
    winner = next(fid for (fid, _), r in zip(fans, results, strict=True) if r.status_code == 201)
    assert winner in members and not {fid for fid, _ in fans} - {winner} & set(members)
    assert db.session.scalars(sa.select(PoolInvite.used_by)).one() == winner
