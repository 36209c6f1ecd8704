"""A small market for bad-input tests: my offer, a rival's offer, my and a rival's assignment."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa

from marketplace.accounts.models import User, UserStatus
from marketplace.answers.models import Answer
from marketplace.companies.models import OfferMode, Pool
from marketplace.database import utcnow
from marketplace.eventlog.services import Actor
from marketplace.experts.models import ExpertProfile
from marketplace.matching import claims, services
from marketplace.matching.models import Assignment, Offer
from marketplace.questions.models import Question
from tests.factories import (
    CompanyFixture,
    ExpertFixture,
    default_pool,
    make_company,
    make_pool_expert,
    post_question,
)


@dataclass(frozen=True)
class World:
    """Two experts who were both offered three questions; each claimed one."""

    company: CompanyFixture
    me: ExpertFixture
    rival: ExpertFixture
    my_offer: uuid.UUID
    rival_offer: uuid.UUID
    my_assignment: uuid.UUID
    rival_assignment: uuid.UUID


def build_world(app, db) -> World:  # type: ignore[no-untyped-def]
    """Broadcast to both experts, so each holds a pending offer and an assignment."""
    company = make_company(app)
    pool_id = default_pool(app, company.id)
    pool = db.session.get(Pool, pool_id)
    pool.offer_mode, pool.settings = OfferMode.BROADCAST, {"broadcast_k": 2}
    db.session.commit()
    me = make_pool_expert(app, pool_id, capacity=5)
    rival = make_pool_expert(app, pool_id, capacity=5)
    questions = [post_question(app, company) for _ in range(3)]
    assert services.drain() == 6
    offers = {
        (o.question_id, o.expert_id): o.id for o in db.session.scalars(sa.select(Offer)).all()
    }
    mine = claims.accept_offer(me.id, offers[questions[0], me.id], Actor.user(me.id))
    theirs = claims.accept_offer(rival.id, offers[questions[1], rival.id], Actor.user(rival.id))
    return World(
        company,
        me,
        rival,
        offers[questions[2], me.id],
        offers[questions[2], rival.id],
        mine.id,
        theirs.id,
    )


def snapshot(db) -> tuple:  # type: ignore[no-untyped-def]
    """Everything a refused action must leave as it was."""
    db.session.expire_all()
    return (
        sorted((str(o.id), o.status.value) for o in db.session.scalars(sa.select(Offer))),
        sorted((str(a.id), a.status.value) for a in db.session.scalars(sa.select(Assignment))),
        db.session.scalar(sa.select(sa.func.count()).select_from(Answer)),
        sorted((str(q.id), q.status.value) for q in db.session.scalars(sa.select(Question))),
        sorted(
            (str(p.user_id), p.availability.value, p.active_assignments, p.missed_offers_in_row)
            for p in db.session.scalars(sa.select(ExpertProfile))
        ),
    )


def suspend(db, expert_id: uuid.UUID) -> None:  # type: ignore[no-untyped-def]
    """A moderator's suspension for a day (not a ban)."""
    user = db.session.get(User, expert_id)
    user.status, user.suspended_until = UserStatus.SUSPENDED, utcnow() + timedelta(days=1)
    db.session.commit()


def is_problem(body: dict, status: int) -> bool:
    """An RFC 9457 problem document with our type and the given status."""
    return (
        body.get("status") == status
        and body.get("type", "").startswith(("urn:marketplace:problem:", "about:blank"))
        and bool(body.get("title"))
    )
