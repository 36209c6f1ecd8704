"""Test data built through the real services."""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass
from typing import Any

from flask import Flask

from marketplace.companies.services import create_company
from marketplace.eventlog.services import Actor
from marketplace.rewards.services import top_up

_counter = itertools.count(1)


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
    """A company with a budget (minor units) and an API key."""
    n = next(_counter)
    with app.app_context():
        issued = create_company(
            name or f"Company {n}", currency, slug=f"company-{n}-{uuid.uuid4().hex[:6]}"
        )
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
    with app.app_context():
        user = create_expert(
            f"expert{n}@example.test",
            "password-123",
            f"Expert {n}",
            languages=languages,
            skills=skills or {"battery": 3},
            actor=Actor.system("test"),
        )
        return user.id


def answer_question(app: Flask, question_id: uuid.UUID, text: str) -> uuid.UUID:
    """Put an answer on a question by writing the rows the answer flow writes (test set-up)."""
    from datetime import timedelta

    from marketplace.answers.models import Answer, AnswerStatus
    from marketplace.database import utcnow
    from marketplace.extensions import db
    from marketplace.matching.models import Assignment, AssignmentStatus, Offer, OfferStatus
    from marketplace.questions import states
    from marketplace.questions.models import Question, QuestionStatus

    expert_id = make_expert(app)
    with app.app_context():
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
