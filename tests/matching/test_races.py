"""Races on PostgreSQL's row locks: an accept at the very moment the offer expires.

The accept locks the question, then the offer; the expiry must take the same order, or the two
wait on each other and PostgreSQL kills one with a deadlock error (a 500 to the phone).
"""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa

from marketplace.database import utcnow
from marketplace.eventlog.services import Actor
from marketplace.experts.models import ExpertProfile
from marketplace.matching import claims, services
from marketplace.matching.models import Assignment, Offer, OfferStatus
from marketplace.questions.models import Question, QuestionStatus
from marketplace.questions.services import cancel_question
from tests.factories import default_pool, make_company, make_pool_expert, question_payload

ROUNDS = 24
# The accept holds the question's row lock this long, so the expiry always runs meanwhile.
HOLD_SECONDS = 0.05


@pytest.fixture
def market(app, db):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("races need PostgreSQL's row locks (SQLite serialises every writer)")
    company = make_company(app, budget=50_000_000)
    return company, default_pool(app, company.id)


@pytest.fixture
def slow_question_lock(db):
    """In the thread named 'accepter', pause right after each question row lock is taken."""

    def pause(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        locks_question = "FOR UPDATE" in statement and "FROM questions" in statement
        if locks_question and threading.current_thread().name == "accepter":
            time.sleep(HOLD_SECONDS)

    sa.event.listen(db.engine, "after_cursor_execute", pause)
    yield
    sa.event.remove(db.engine, "after_cursor_execute", pause)


def one_round(app, db, company, expert, before_expiry: bool) -> tuple[int, dict, bool]:
    """Offer a question to `expert`, then accept (REST) and expire it at its deadline at once."""
    created = app.test_client().post(
        "/api/v1/questions", json=question_payload(), headers=company.headers
    )
    question_id = created.get_json()["id"]
    assert services.drain() == 1
    offer = db.session.scalars(sa.select(Offer).filter_by(question_id=question_id)).one()
    deadline = utcnow() + timedelta(milliseconds=200)
    offer.expires_at = deadline
    db.session.commit()
    offer_id, at = offer.id, deadline.timestamp()
    db.session.remove()
    outcome: dict = {}

    def accept() -> None:
        time.sleep(max(0.0, at - (0.01 if before_expiry else -0.01) - time.time()))
        response = app.test_client().post(
            f"/api/v1/expert/offers/{offer_id}/accept", headers=expert.headers
        )
        outcome["status"], outcome["body"] = response.status_code, response.get_json()

    def expire() -> None:
        time.sleep(max(0.0, at + 0.001 - time.time()))
        with app.app_context():
            try:
                outcome["expired"] = claims.expire_offer(offer_id)
            except Exception as error:  # a deadlock surfaces here or as the accept's 500
                outcome["expired"] = error
            finally:
                from marketplace.extensions import db as _db

                _db.session.remove()

    threads = [
        threading.Thread(target=accept, name="accepter"),
        threading.Thread(target=expire, name="expirer"),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return outcome["status"], outcome["body"], outcome["expired"]


def test_accepting_at_the_moment_of_expiry_never_deadlocks(app, db, market, slow_question_lock):
    company, pool = market
    experts = [make_pool_expert(app, pool, capacity=20) for _ in range(2)]
    wins = 0
    for n in range(ROUNDS):
        expert = experts[n % 2]
        # Only this expert is online for the round, so the offer is theirs.
        db.session.execute(
            sa.update(ExpertProfile)
            .where(ExpertProfile.user_id != expert.id)
            .values(availability="away")
        )
        db.session.execute(
            sa.update(ExpertProfile)
            .where(ExpertProfile.user_id == expert.id)
            .values(availability="online")
        )
        db.session.commit()
        status, body, expired = one_round(app, db, company, expert, before_expiry=n % 3 != 2)
        assert not isinstance(expired, Exception), f"round {n}: the expiry failed: {expired!r}"
        assert status in {200, 409}, f"round {n}: {status} {body}"
        db.session.expire_all()
        offer = db.session.scalars(
            sa.select(Offer).where(Offer.expert_id == expert.id).order_by(Offer.created_at.desc())
        ).first()
        question = db.session.get(Question, offer.question_id)
        assignments = db.session.scalar(
            sa.select(sa.func.count()).select_from(Assignment).filter_by(offer_id=offer.id)
        )
        if status == 200:  # the accept was in time: it won, and the expiry changed nothing
            wins += 1
            assert expired is False
            assert (offer.status, question.status, assignments) == (
                OfferStatus.ACCEPTED,
                QuestionStatus.ASSIGNED,
                1,
            )
        else:  # too late: a clear refusal, the offer expired, the question is free again
            assert body["type"].endswith(":offer-expired"), body
            assert (offer.status, question.status, assignments) == (
                OfferStatus.EXPIRED,
                QuestionStatus.QUEUED,
                0,
            )
            cancel_question(company.id, question.id, Actor.system("test"))  # not in later rounds
    assert 0 < wins < ROUNDS  # both sides of the deadline were exercised
    held = db.session.scalar(sa.select(sa.func.sum(ExpertProfile.active_assignments)))
    assert held == wins
