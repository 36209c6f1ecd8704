"""offer.revoked says why (taken, cancelled, returned, expired, away, ...), and a late accept is
refused with the matching problem type."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from marketplace.database import utcnow
from marketplace.eventlog.services import Actor
from marketplace.extensions import socketio
from marketplace.matching import claims, escalation
from marketplace.matching.models import Offer
from marketplace.matching.revocation import REVOKE_REASONS
from tests.realtime.world import World, build_world, is_problem


@pytest.fixture
def world_client(app, db):
    world = build_world(app, db)
    client = socketio.test_client(app, namespace="/expert", auth={"token": world.me.token})
    client.get_received("/expert")
    yield world, client
    if client.is_connected("/expert"):
        client.disconnect("/expert")


def question_of(db, offer_id):
    return db.session.get(Offer, offer_id).question_id


def rival_takes_it(app, db, world: World) -> None:
    claims.accept_offer(world.rival.id, world.rival_offer, Actor.user(world.rival.id))


def company_cancels(app, db, world: World) -> None:
    question_id = question_of(db, world.my_offer)
    response = app.test_client().post(
        f"/api/v1/questions/{question_id}/cancel", headers=world.company.headers
    )
    assert response.status_code == 200, response.get_json()


def returned_before_the_sla(app, db, world: World) -> None:
    assert escalation.return_due(question_of(db, world.my_offer))


def sla_passes(app, db, world: World) -> None:
    assert escalation.sla_due(question_of(db, world.my_offer))


def i_go_away(app, db, world: World) -> None:
    from marketplace.experts import presence
    from marketplace.experts.models import Availability

    presence.set_availability(world.me.id, Availability.AWAY, Actor.user(world.me.id))


@pytest.mark.parametrize(
    ("cause", "reason", "problem_type"),
    [
        (rival_takes_it, "taken", "already-taken"),
        (company_cancels, "cancelled", "offer-withdrawn"),
        (returned_before_the_sla, "returned", "offer-withdrawn"),
        (sla_passes, "expired", "offer-withdrawn"),
        (i_go_away, "away", "offer-withdrawn"),
    ],
)
def test_a_revoked_offer_says_why_and_a_late_accept_is_told_the_same(
    app, db, world_client, cause, reason, problem_type
):
    world, client = world_client
    question_id = question_of(db, world.my_offer)
    cause(app, db, world)
    revoked = [e["args"][0] for e in client.get_received("/expert") if e["name"] == "offer.revoked"]
    message, message_zh = REVOKE_REASONS[reason]
    assert revoked == [
        {
            "offer_id": str(world.my_offer),
            "question_id": str(question_id),
            "reason": reason,
            "message": message,
            "message_zh": message_zh,
        }
    ]
    assert db.session.get(Offer, world.my_offer).revoked_reason == reason
    ack = client.emit(
        "offer.accept", {"offer_id": str(world.my_offer)}, namespace="/expert", callback=True
    )
    assert is_problem(ack, 409) and ack["type"].endswith(":" + problem_type), ack
    if problem_type == "offer-withdrawn":
        assert (ack["reason"], ack["detail"], ack["detail_zh"]) == (reason, message, message_zh)
    response = app.test_client().post(
        f"/api/v1/expert/offers/{world.my_offer}/accept", headers=world.me.headers
    )
    assert response.status_code == 409
    assert response.get_json()["type"].endswith(":" + problem_type)


def test_an_expired_or_declined_offer_is_refused_precisely(app, db, world_client):
    world, client = world_client
    offer = db.session.get(Offer, world.my_offer)
    offer.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()

    def accept(offer_id):
        return client.emit(
            "offer.accept", {"offer_id": str(offer_id)}, namespace="/expert", callback=True
        )

    # Not swept yet, and swept: both are "expired".
    assert accept(world.my_offer)["type"].endswith(":offer-expired")
    assert claims.expire_offer(world.my_offer)
    assert accept(world.my_offer)["type"].endswith(":offer-expired")
    declined = db.session.scalars(
        sa.select(Offer).filter_by(expert_id=world.rival.id, status="pending")
    ).one()
    claims.decline_offer(world.rival.id, declined.id, Actor.user(world.rival.id))
    again = app.test_client().post(
        f"/api/v1/expert/offers/{declined.id}/decline", headers=world.rival.headers
    )
    assert again.status_code == 409 and again.get_json()["type"].endswith(":offer-closed")
