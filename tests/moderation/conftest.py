"""Moderation test set-up: a company, moderators with tokens, answered questions, helpers."""

from __future__ import annotations

import contextlib
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from marketplace.accounts.models import Role
from marketplace.accounts.services import create_user
from marketplace.accounts.tokens import issue_token
from marketplace.answers.services import submit_answer
from marketplace.companies.models import Pool, PoolKind
from marketplace.companies.services import create_pool
from marketplace.eventlog.models import Event
from marketplace.eventlog.services import Actor
from marketplace.experts.models import PoolMembership
from marketplace.matching import claims, services
from marketplace.matching.models import Offer
from marketplace.moderation.models import (
    Audit,
    AuditItem,
    Dispute,
    ModeratorLink,
    PoolInvite,
    QualificationAttempt,
    Sanction,
)
from tests.factories import (
    default_pool,
    make_company,
    make_pool_expert,
    post_question,
    question_payload,
)
from tests.sessions import BrowserSession, log_in


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


def answer_via_api(client, headers, question_id, text="Restart the phone, then recalibrate it."):
    """The expert app's REST twins: find the offer, accept it, answer; returns the answer id."""
    services.drain()
    pending = client.get("/api/v1/expert/pending", headers=headers).get_json()
    [offer] = [o for o in pending["offers"] if o["question"]["id"] == str(question_id)]
    accepted = client.post(f"/api/v1/expert/offers/{offer['id']}/accept", headers=headers)
    assert accepted.status_code == 200, accepted.get_json()
    answered = client.post(
        f"/api/v1/expert/assignments/{accepted.get_json()['id']}/answer",
        json={"body": text, "idempotency_key": f"k-{uuid.uuid4().hex[:12]}"},
        headers=headers,
    )
    assert answered.status_code == 201, answered.get_json()
    return uuid.UUID(answered.get_json()["answer_id"])


def jobs_done(app, within: float = 5.0, timeout: float = 30.0) -> None:
    """Wait until the in-process queue ran every job due in the next `within` seconds (the
    reputation recompute waits a second; claim and SLA timers wait minutes and are left).
    The test's own session is released first: on SQLite it would hold the write lock."""
    from marketplace.extensions import db

    db.session.remove()
    backend = app.extensions["job_queue"]
    deadline = time.monotonic() + timeout
    with backend._cond:
        while backend._running or any(j.run_at <= time.monotonic() + within for j in backend._heap):
            assert time.monotonic() < deadline, "jobs still running"
            backend._cond.wait(0.05)
    assert backend.failed == [], backend.failed


def set_audit_policy(db, pool_id, **audit) -> None:
    """Change some of a pool's `audit` settings (the factory's pools sample nobody)."""
    from marketplace.companies.models import Pool

    pool = db.session.get(Pool, pool_id)
    settings = dict(pool.settings or {})
    settings["audit"] = {**settings.get("audit", {}), **audit}  # keep the factory's rates
    pool.settings = settings
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


@pytest.fixture(autouse=True)
def _quick_password_hashes(monkeypatch):
    """Password hashing is not what these tests are about, and scrypt takes a while per user."""
    from werkzeug.security import generate_password_hash

    from marketplace.accounts import services as accounts

    monkeypatch.setattr(
        accounts,
        "generate_password_hash",
        lambda password: generate_password_hash(password, method="pbkdf2:sha256:1"),
    )


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
    passed = threading.local()

    def gated(*args: Any, **kwargs: Any) -> Any:
        result = original(*args, **kwargs)
        if not getattr(passed, "once", False):  # each thread waits at its first call only
            passed.once = True
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


@dataclass
class World:
    """Company A's moderation objects and a caller of every kind."""

    ids: dict[str, str]
    callers: dict[str, tuple[Any, dict[str, str]]]
    client: FlaskClient


def fresh_login(app, email: str) -> BrowserSession:
    """Log in within a new app context: requests reuse the test's context and its `g`, where
    Flask-WTF caches the CSRF token of an earlier session."""
    with app.app_context():
        return log_in(app, email, "password-123")


def snapshot(db) -> dict[str, Any]:
    """Everything a moderation or onboarding call could change."""
    db.session.expire_all()
    rows = {
        "items": sa.select(AuditItem.id, AuditItem.status, AuditItem.claimed_by),
        "audits": sa.select(Audit.id),
        "disputes": sa.select(Dispute.id, Dispute.status),
        "memberships": sa.select(PoolMembership.id, PoolMembership.status),
        "sanctions": sa.select(Sanction.id),
        "links": sa.select(ModeratorLink.moderator_id, ModeratorLink.expert_id),
        "invites": sa.select(PoolInvite.id, PoolInvite.used_by),
        "attempts": sa.select(QualificationAttempt.id, QualificationAttempt.submitted_at),
    }
    return {
        name: sorted(map(tuple, db.session.execute(q).all()), key=str) for name, q in rows.items()
    }


@pytest.fixture
def world(app, db, client, shop) -> World:
    company = shop["company"]
    _, item = pending_item(app, db, client, shop)
    answer_id, rejected = pending_item(app, db, client, shop)
    assert (
        decide(client, shop["mod_b"], rejected["id"], "reject", reasons=["wrong"]).status_code
        == 200
    )
    appeal = client.post(
        f"/api/v1/expert/answers/{answer_id}/appeal",
        json={"note": "Right."},
        headers=shop["expert"].headers,
    )
    applicant_id, applicant = sign_up(app)
    applied = client.post(f"/api/v1/expert/pools/{shop['pool']}/apply", json={}, headers=applicant)
    assert applied.status_code == 201
    _, newcomer = sign_up(app)
    closed = create_pool(
        company.id, "closed-fans", "Closed", "Aurora", PoolKind.CROWD, Actor.system("t")
    )
    closed.invite_only = True
    db.session.commit()
    token = client.post(
        "/api/v1/invites", json={"pool": "closed-fans"}, headers=company.headers
    ).get_json()["token"]
    warned = client.post(
        "/api/v1/moderation/sanctions",
        json={"expert_id": str(shop["expert"].id), "kind": "warn", "reason": "Be nicer."},
        headers=shop["mod_a"].headers,
    )
    assert warned.status_code == 201
    membership = db.session.scalars(
        sa.select(PoolMembership.id).filter_by(expert_id=applicant_id)
    ).one()
    create_user(
        "boss@example.test", "password-123", "Boss", Role.COMPANY_ADMIN, company_id=company.id
    )
    boss = fresh_login(app, "boss@example.test")
    outsider = make_moderator(app, make_company(app).id)
    admin = make_admin(app)
    anonymous = app.test_client()
    return World(
        ids={
            "item": item["id"],
            "answer": str(answer_id),
            "dispute": appeal.get_json()["id"],
            "membership": str(membership),
            "pool": str(shop["pool"]),
            "pool_slug": db.session.get(Pool, shop["pool"]).slug,
            "closed_pool": str(closed.id),
            "expert": str(shop["expert"].id),
            "token": token,
            "sanction": warned.get_json()["id"],
        },
        callers={
            "anonymous": (anonymous, {}),
            "api_key": (client, company.headers),
            "expert": (client, shop["expert"].headers),
            "applicant": (client, applicant),
            "newcomer": (client, newcomer),
            "company_admin": (boss.client, {"X-CSRF-Token": boss.csrf}),
            "outsider": (client, outsider.headers),
            "mod_a": (client, shop["mod_a"].headers),
            "mod_b": (client, shop["mod_b"].headers),
            "admin": (client, admin.headers),
        },
        client=client,
    )


__all__ = [
    "add_gold",
    "answer_as",
    "answer_via_api",
    "decide",
    "default_pool",
    "item_for",
    "jobs_done",
    "make_admin",
    "make_moderator",
    "pending_item",
    "post_question",
    "queue_of",
    "race",
    "set_audit_policy",
    "sign_up",
]
