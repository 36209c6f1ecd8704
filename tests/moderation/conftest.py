"""Moderation test set-up: a company, moderators with tokens, answered questions, helpers."""

from __future__ import annotations

import contextlib
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa

from marketplace.accounts.models import Role
from marketplace.accounts.services import create_user
from marketplace.accounts.tokens import issue_token
from marketplace.answers.services import submit_answer
from marketplace.eventlog.models import Event
from marketplace.eventlog.services import Actor
from marketplace.matching import claims, services
from marketplace.matching.models import Offer
from tests.factories import (
    default_pool,
    make_company,
    make_pool_expert,
    post_question,
    question_payload,
)


@dataclass(frozen=True)
class Moderator:
    """A moderator (or platform admin) with a bearer token."""

    id: uuid.UUID
    headers: dict[str, str]
    token: str


def make_moderator(app, company_id, role=Role.MODERATOR) -> Moderator:
    n = uuid.uuid4().hex[:8]
    user = create_user(
        f"mod-{n}@example.test", "password-123", f"Mod {n}", role, company_id=company_id
    )
    token = issue_token(user.id, role)
    return Moderator(user.id, {"Authorization": f"Bearer {token}"}, token)


def make_admin(app) -> Moderator:
    """A platform admin (no company)."""
    return make_moderator(app, None, Role.PLATFORM_ADMIN)


def answer_as(db, expert, question_id, text="Restart the phone, then recalibrate the battery."):
    """Drain matching, accept the expert's offer and answer it through the services."""
    services.drain()
    offer = db.session.scalars(
        sa.select(Offer).filter_by(question_id=question_id, expert_id=expert.id)
    ).one()
    assignment = claims.accept_offer(expert.id, offer.id, Actor.user(expert.id))
    answer, _ = submit_answer(
        expert.id, assignment.id, text, f"k-{uuid.uuid4().hex[:12]}", Actor.user(expert.id)
    )
    return answer.id


def set_audit_policy(db, pool_id, **audit) -> None:
    """Write a pool's `audit` settings (companies set them the same way)."""
    from marketplace.companies.models import Pool

    pool = db.session.get(Pool, pool_id)
    pool.settings = {**(pool.settings or {}), "audit": audit}
    db.session.commit()


def add_gold(client, company, count, pool=None) -> list[str]:
    """Gold questions through the company API; returns their ids."""
    ids = []
    for n in range(count):
        response = client.post(
            "/api/v1/gold-questions",
            headers=company.headers,
            json=question_payload(
                subject=f"Gold question {n}",
                body=f"How do I fix problem number {n}?",
                priority=0,
                **({"pool": pool} if pool else {}),
            )
            | {"reference_answers": [f"Open settings and reset option {n} then restart."]},
        )
        assert response.status_code == 201, response.get_json()
        ids.append(response.get_json()["id"])
    return ids


def sign_up(app, email=None, **extra) -> tuple[uuid.UUID, dict[str, str]]:
    """A new expert through POST /auth/signup, and bearer headers for them."""
    email = email or f"fan-{uuid.uuid4().hex[:8]}@example.test"
    client = app.test_client()
    body = {
        "email": email,
        "password": "password-123",
        "display_name": "A Fan",
        "languages": ["en"],
        "skills": {"battery": 3},
    } | extra
    response = client.post("/api/v1/auth/signup", json=body)
    assert response.status_code == 201, response.get_json()
    token = client.post(
        "/api/v1/auth/token", json={"email": email, "password": "password-123"}
    ).get_json()["token"]
    return uuid.UUID(response.get_json()["user_id"]), {"Authorization": f"Bearer {token}"}


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


@pytest.fixture
def postgres_only(app):
    """Race tests mean nothing on SQLite, which serialises every writer."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("race test: runs on PostgreSQL (SQLite serialises writers)")


def queue_of(client, moderator, **args) -> list[dict[str, Any]]:
    """Every item of the moderator's queue (following the cursor)."""
    items, cursor = [], None
    while True:
        query = {**args, **({"cursor": cursor} if cursor else {})}
        response = client.get(
            "/api/v1/moderation/queue", query_string=query, headers=moderator.headers
        )
        assert response.status_code == 200, response.get_json()
        body = response.get_json()
        items += body["items"]
        cursor = body["next_cursor"]
        if cursor is None:
            return items


def item_for(client, moderator, answer_id):
    return next(i for i in queue_of(client, moderator) if i["answer_id"] == str(answer_id))


def pending_item(app, db, client, shop, text="Restart the phone, then recalibrate the battery."):
    """A question answered by the shop's probation expert, and its queue item."""
    answer_id = answer_as(db, shop["expert"], post_question(app, shop["company"]), text)
    return answer_id, item_for(client, shop["mod_a"], answer_id)


def decide(client, moderator, item_id, verdict, **extra):
    claimed = client.post(f"/api/v1/moderation/items/{item_id}/claim", headers=moderator.headers)
    assert claimed.status_code == 200, claimed.get_json()
    return client.post(
        f"/api/v1/moderation/items/{item_id}/verdict",
        json={"verdict": verdict, **extra},
        headers=moderator.headers,
    )


def events(db, action: str) -> list[Event]:
    """Event-log rows of one action."""
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Event).filter_by(action=action)))


def race(app, calls: list[Callable[[], Any]], monkeypatch, target: Any, name: str) -> list[Any]:
    """Run `calls` on threads that all pass `target.name` before any goes on, so each has
    read the state before the others write (a barrier inside the service)."""
    barrier = threading.Barrier(len(calls), timeout=10)
    original = getattr(target, name)

    def gated(*args: Any, **kwargs: Any) -> Any:
        result = original(*args, **kwargs)
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait()
        return result

    monkeypatch.setattr(target, name, gated)
    results: list[Any] = [None] * len(calls)

    def run(index: int) -> None:
        try:
            results[index] = calls[index]()
        except Exception as error:
            results[index] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


__all__ = [
    "add_gold",
    "answer_as",
    "decide",
    "default_pool",
    "item_for",
    "make_admin",
    "make_moderator",
    "pending_item",
    "post_question",
    "queue_of",
    "race",
    "set_audit_policy",
    "sign_up",
]
