"""Moderation test set-up: a company, moderators with tokens, answered questions."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from marketplace.accounts.models import Role
from marketplace.accounts.services import create_user
from marketplace.accounts.tokens import issue_token
from marketplace.answers.services import submit_answer
from marketplace.eventlog.services import Actor
from marketplace.matching import claims, services
from marketplace.matching.models import Offer
from tests.factories import default_pool, make_company, make_pool_expert, post_question


@dataclass(frozen=True)
class Moderator:
    """A moderator of one company."""

    id: uuid.UUID
    headers: dict[str, str]


def make_moderator(app, company_id, role=Role.MODERATOR) -> Moderator:
    n = uuid.uuid4().hex[:8]
    user = create_user(
        f"mod-{n}@example.test", "password-123", f"Mod {n}", role, company_id=company_id
    )
    return Moderator(user.id, {"Authorization": f"Bearer {issue_token(user.id, role)}"})


def answer_as(db, expert, question_id, text="Restart the phone, then recalibrate the battery."):
    services.drain()
    offer = db.session.scalars(
        sa.select(Offer).filter_by(question_id=question_id, expert_id=expert.id)
    ).one()
    assignment = claims.accept_offer(expert.id, offer.id, Actor.user(expert.id))
    answer, _ = submit_answer(
        expert.id, assignment.id, text, f"k-{uuid.uuid4().hex[:12]}", Actor.user(expert.id)
    )
    return answer.id


@pytest.fixture
def shop(app, db):
    """A company with one pool, two moderators and a probation expert online."""
    company = make_company(app, budget=10**9)
    pool = default_pool(app, company.id)
    return {
        "company": company,
        "pool": pool,
        "mod_a": make_moderator(app, company.id),
        "mod_b": make_moderator(app, company.id),
        "expert": make_pool_expert(app, pool, tier="probation", capacity=5),
    }


def item_for(client, moderator, answer_id):
    queue = client.get("/api/v1/moderation/queue", headers=moderator.headers)
    assert queue.status_code == 200, queue.get_json()
    return next(i for i in queue.get_json() if i["answer_id"] == str(answer_id))


def decide(client, moderator, item_id, verdict, **extra):
    claimed = client.post(f"/api/v1/moderation/items/{item_id}/claim", headers=moderator.headers)
    assert claimed.status_code == 200, claimed.get_json()
    return client.post(
        f"/api/v1/moderation/items/{item_id}/verdict",
        json={"verdict": verdict, **extra},
        headers=moderator.headers,
    )


__all__ = ["answer_as", "decide", "item_for", "make_moderator", "post_question"]
