"""Test data built through the real services."""

from __future__ import annotations

import contextlib
import itertools
import uuid
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app, has_app_context

from marketplace.companies.services import create_company
from marketplace.eventlog.services import Actor
from marketplace.rewards.services import top_up

_counter = itertools.count(1)


def app_context(app: Flask) -> Any:
    """The test's own app context when one is active (one session, so SQLite's write lock is
    never held by the test against its own factories), else a fresh one."""
    if has_app_context() and current_app._get_current_object() is app:  # type: ignore[attr-defined]
        return contextlib.nullcontext()
    return app.app_context()


@dataclass(frozen=True)
class CompanyFixture:
    """A company and a working API key for it."""

    id: uuid.UUID
    api_key: str

    @property
    def headers(self) -> dict[str, str]:
        """Authorization headers for the test client."""
        return {"Authorization": f"Bearer {self.api_key}"}


def make_company(
    app: Flask, *, budget: int = 1_000_000, currency: str = "CNY", name: str | None = None
) -> CompanyFixture:
    """A company with a budget (minor units) and an API key.

    Its default pool audits no random sample (probation answers are still all audited), so
    tests decide by the tier they give an expert, not by chance; moderation tests set rates.
    """
    from marketplace.companies.models import Pool
    from marketplace.extensions import db

    n = next(_counter)
    with app_context(app):
        issued = create_company(
            name or f"Company {n}", currency, slug=f"company-{n}-{uuid.uuid4().hex[:6]}"
        )
        pool = db.session.scalars(sa.select(Pool).filter_by(company_id=issued.key.company_id)).one()
        pool.settings = {"audit": {"sample_rates": {"vetted": 0.0, "trusted": 0.0}}}
        db.session.commit()
        if budget:
            top_up(issued.key.company_id, budget, currency, "initial", Actor.system("test"))
        return CompanyFixture(issued.key.company_id, issued.secret)


def question_payload(**overrides: Any) -> dict[str, Any]:
    """A valid question body; override any field."""
    n = next(_counter)
    payload: dict[str, Any] = {
        "external_id": f"ext-{n}",
        "channel": "web",
        "customer_ref": f"cust-{n}",
        "subject": "Battery drains overnight",
        "body": "My phone loses 30% battery overnight. Is this normal?",
        "language": "en",
        "tags": ["battery"],
        "priority": 5,
        "reward": {"amount": 500, "currency": "CNY"},
    }
    payload.update(overrides)
    return payload


def make_expert(
    app: Flask, *, languages: tuple[str, ...] = ("en",), skills: dict[str, int] | None = None
) -> uuid.UUID:
    """An expert account with a profile."""
    from marketplace.experts.services import create_expert

    n = next(_counter)
    with app_context(app):
        user = create_expert(
            f"expert{n}@example.test",
            "password-123",
            f"Expert {n}",
            languages=languages,
            skills=skills or {"battery": 3},
            actor=Actor.system("test"),
        )
        return user.id


def answer_question(
    app: Flask, question_id: uuid.UUID, text: str, expert_id: uuid.UUID | None = None
) -> uuid.UUID:
    """Put an answer on a question by writing the rows the answer flow writes (test set-up)."""
    from datetime import timedelta

    from marketplace.answers.models import Answer, AnswerStatus
    from marketplace.database import utcnow
    from marketplace.extensions import db
    from marketplace.matching.models import Assignment, AssignmentStatus, Offer, OfferStatus
    from marketplace.questions import states
    from marketplace.questions.models import Question, QuestionStatus

    expert_id = expert_id or make_expert(app)
    with app_context(app):
        question = db.session.get(Question, question_id)
        now = utcnow()
        offer = Offer(
            question_id=question_id,
            expert_id=expert_id,
            status=OfferStatus.ACCEPTED,
            expires_at=now + timedelta(seconds=30),
            responded_at=now,
            reasons={},
        )
        db.session.add(offer)
        db.session.flush()
        assignment = Assignment(
            question_id=question_id,
            expert_id=expert_id,
            offer_id=offer.id,
            status=AssignmentStatus.ANSWERED,
            deadline=now + timedelta(hours=1),
            finished_at=now,
        )
        db.session.add(assignment)
        db.session.flush()
        answer = Answer(
            assignment_id=assignment.id,
            question_id=question_id,
            company_id=question.company_id,
            expert_id=expert_id,
            idempotency_key=uuid.uuid4().hex,
            body=text,
            status=AnswerStatus.RELEASED,
            released_at=now,
            signals={},
        )
        db.session.add(answer)
        states.move(question, QuestionStatus.ASSIGNED, Actor.system("test"))
        states.move(question, QuestionStatus.ANSWERED, Actor.system("test"))
        db.session.commit()
        return answer.id


@dataclass(frozen=True)
class ExpertFixture:
    """An expert who can log in, with their token."""

    id: uuid.UUID
    email: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        """Authorization headers for the expert REST twins."""
        return {"Authorization": f"Bearer {self.token}"}


def make_pool_expert(
    app: Flask,
    pool_id: uuid.UUID,
    *,
    languages: tuple[str, ...] = ("en",),
    skills: dict[str, int] | None = None,
    tier: str = "vetted",
    reputation_lower: float = 0.5,
    capacity: int = 2,
    online: bool = True,
    sid: str | None = None,
) -> ExpertFixture:
    """An expert admitted to a pool; `online` also records a live connection (fake sid)."""
    from marketplace.accounts.models import Role
    from marketplace.accounts.tokens import issue_token
    from marketplace.experts import presence
    from marketplace.experts.models import Availability, ExpertProfile, PoolMembership, Tier
    from marketplace.experts.services import admit_to_pool, create_expert
    from marketplace.extensions import db

    n = next(_counter)
    email = f"fan{n}@example.test"
    with app_context(app):
        user = create_expert(
            email,
            "password-123",
            f"Fan {n}",
            languages=languages,
            skills=skills if skills is not None else {"battery": 3},
            capacity=capacity,
            actor=Actor.system("test"),
        )
        membership = admit_to_pool(user.id, pool_id, Actor.system("test"), Tier(tier))
        db.session.get(PoolMembership, membership.id).reputation_lower = reputation_lower
        if online:
            db.session.get(ExpertProfile, user.id).availability = Availability.ONLINE
        db.session.commit()
        if online:
            presence.connected(user.id, sid or f"sid-{n}", "test-server")
        return ExpertFixture(user.id, email, issue_token(user.id, Role.EXPERT))


def bring_online(app: Flask, expert: ExpertFixture, sid: str | None = None) -> None:
    """An expert made with `online=False` opens the app and goes online."""
    from marketplace.experts import presence
    from marketplace.experts.models import Availability, ExpertProfile
    from marketplace.extensions import db

    with app_context(app):
        db.session.get(ExpertProfile, expert.id).availability = Availability.ONLINE
        db.session.commit()
        presence.connected(expert.id, sid or f"sid-late-{expert.id}", "test-server")


def default_pool(app: Flask, company_id: uuid.UUID) -> uuid.UUID:
    """The company's first crowd pool."""
    from marketplace.companies.services import find_pool

    with app_context(app):
        return find_pool(company_id, None).id


def post_question(app: Flask, company: CompanyFixture, **overrides: Any) -> uuid.UUID:
    """Post a question through the API; returns its id."""
    response = app.test_client().post(
        "/api/v1/questions", json=question_payload(**overrides), headers=company.headers
    )
    assert response.status_code == 201, response.get_json()
    return uuid.UUID(response.get_json()["id"])
