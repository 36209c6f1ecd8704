"""Draining the queue: fair (questions nobody can take never block others), bounded, robust."""

from __future__ import annotations

import logging

import pytest
import sqlalchemy as sa

from marketplace.companies.models import Company
from marketplace.eventlog.services import Actor
from marketplace.matching import routing, services, settings
from marketplace.matching.models import Offer
from marketplace.questions.models import Question, QuestionStatus
from marketplace.questions.services import create_questions_batch
from tests.factories import (
    default_pool,
    make_company,
    make_pool_expert,
    post_question,
    question_payload,
)


@pytest.fixture
def market(app):
    company = make_company(app, budget=500_000_000)
    return company, default_pool(app, company.id)


class StatementCounter:
    """Counts the SQL statements the database receives (to show a drain stays cheap)."""

    def __init__(self, engine) -> None:  # type: ignore[no-untyped-def]
        self.engine, self.count = engine, 0

    def __call__(self, *args) -> None:  # type: ignore[no-untyped-def]
        self.count += 1

    def __enter__(self) -> StatementCounter:
        sa.event.listen(self.engine, "before_cursor_execute", self)
        return self

    def __exit__(self, *exc: object) -> None:
        sa.event.remove(self.engine, "before_cursor_execute", self)


def post_many(company_id, payloads) -> None:
    results = create_questions_batch(company_id, payloads, Actor.system("test"))
    assert {r.status for r in results} == {201}


def test_questions_nobody_can_take_do_not_starve_a_newer_one(app, db, market):
    company, pool = market
    make_pool_expert(app, pool, languages=("en",), skills={"battery": 3})
    # 600 older, higher-priority questions nobody online can take: a language nobody speaks,
    # or a tag nobody holds (the vetted expert online keeps them waiting in best-fit).
    post_many(company.id, [question_payload(language="fr", priority=9) for _ in range(300)])
    post_many(company.id, [question_payload(tags=["rare"], priority=9) for _ in range(300)])
    routable = post_question(app, company, priority=0)
    with StatementCounter(db.engine) as counter:
        assert services.drain() == 1
    [offer] = db.session.scalars(sa.select(Offer)).all()
    assert offer.question_id == routable
    # Cheap: pages of the queue are read and judged in memory; no lock or transaction per
    # question that cannot be offered (600 of them would mean 600+ statements).
    assert counter.count < 40, counter.count
    queued = db.session.scalar(
        sa.select(sa.func.count()).select_from(Question).filter_by(status=QuestionStatus.QUEUED)
    )
    assert queued == 600


def test_a_drain_is_bounded(app, db, market):
    company, pool = market
    make_pool_expert(app, pool, skills={"battery": 3})
    post_many(company.id, [question_payload(language="fr") for _ in range(30)])
    last = post_question(app, company)
    assert services.drain(limit=30, page_size=10) == 0  # the routable one is past the bound
    assert services.drain(limit=31, page_size=10) == 1
    assert db.session.scalars(sa.select(Offer.question_id)).one() == last


def test_a_company_whose_settings_fail_does_not_stop_the_drain(app, db, market, monkeypatch):
    company, pool = market
    broken = make_company(app)
    make_pool_expert(app, pool)
    make_pool_expert(app, default_pool(app, broken.id))
    first = post_question(app, broken, priority=9)
    second = post_question(app, company, priority=0)
    real = routing.settings_of

    def settings_of(question):  # type: ignore[no-untyped-def]
        if question.company_id == broken.id:
            raise RuntimeError("settings cannot be read")
        return real(question)

    monkeypatch.setattr(routing, "settings_of", settings_of)
    assert services.drain() == 1
    assert db.session.scalars(sa.select(Offer.question_id)).one() == second
    assert db.session.get(Question, first).status == QuestionStatus.QUEUED


def test_bad_stored_settings_are_ignored_field_by_field(app, db, market, caplog):
    company, pool = market
    row = db.session.get(Company, company.id)
    row.settings = {
        "offer_timeout_seconds": "soon",  # wrong type: ignored
        "broadcast_k": 500,  # out of range: clamped (documented)
        "hourly_offer_cap": 7,  # fine: kept
        "weights": {"skill": "high"},  # invalid: the defaults stay
        "rings": [{"name": "only", "seconds": "a while"}],  # invalid: the defaults stay
    }
    db.session.commit()
    with caplog.at_level(logging.WARNING, logger="marketplace.matching.settings"):
        effective = settings.settings_for(row, None)
    assert effective.offer_timeout_seconds == 30
    assert (effective.broadcast_k, effective.hourly_offer_cap) == (100, 7)
    assert effective.weights == settings.RankingWeights()
    assert effective.rings == settings.DEFAULT_RINGS
    ignored = {r.getMessage().split()[4] for r in caplog.records}
    assert ignored == {"offer_timeout_seconds", "weights", "rings"}
    make_pool_expert(app, pool)
    post_question(app, company)
    assert services.drain() == 1  # and matching goes on with what is valid


def test_a_drain_with_a_time_budget_stops_early_and_the_next_one_goes_on(app, db, market):
    company, pool = market
    for _ in range(3):
        make_pool_expert(app, pool)
    for _ in range(3):
        post_question(app, company)
    assert services.drain(budget_seconds=1e-9) == 1  # out of time after the first question
    assert services.drain() == 2
