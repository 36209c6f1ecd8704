"""Presence: the grace period is honoured by everyone (timers and the reconciler), a reconnect
restores routing, and connections of stopped or dead web processes do not linger."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from datetime import timedelta

import pytest
import sqlalchemy as sa

from marketplace.database import utcnow
from marketplace.experts import presence
from marketplace.experts.models import Availability, ExpertConnection, ExpertProfile
from marketplace.matching import reconciler, services
from marketplace.matching.candidates import available_experts
from marketplace.matching.models import Offer, OfferStatus
from tests.factories import default_pool, make_company, make_pool_expert, post_question


@pytest.fixture
def market(app):
    company = make_company(app, budget=50_000_000)
    return company, default_pool(app, company.id)


def offers_of(db, question_id):
    return db.session.scalars(
        sa.select(Offer).filter_by(question_id=question_id).order_by(Offer.created_at)
    ).all()


def age_disconnect(db, expert_id, seconds: float) -> None:
    db.session.get(ExpertProfile, expert_id).last_seen_at = utcnow() - timedelta(seconds=seconds)
    db.session.commit()


def test_a_blip_within_the_grace_period_loses_nothing(app, db, market):
    company, pool = market
    phone = make_pool_expert(app, pool, sid="sid-blip")
    question_id = post_question(app, company)
    services.drain()
    [offer] = offers_of(db, question_id)
    presence.disconnected("sid-blip")
    done = reconciler.reconcile()  # the periodic job runs right now, inside the grace period
    assert done["experts_dropped"] == 0
    assert not presence.grace_over(phone.id)  # nor does an early timer change anything
    db.session.expire_all()
    assert db.session.get(Offer, offer.id).status == OfferStatus.PENDING
    presence.connected(phone.id, "sid-back", "test-server")
    db.session.expire_all()
    assert db.session.get(Offer, offer.id).status == OfferStatus.PENDING
    assert db.session.get(ExpertProfile, phone.id).availability == Availability.ONLINE


def test_after_the_grace_period_offers_move_on_and_a_reconnect_restores_routing(app, db, market):
    company, pool = market
    grace = app.config["PRESENCE_GRACE_SECONDS"]
    phone = make_pool_expert(app, pool, reputation_lower=0.9, sid="sid-gone")
    backup = make_pool_expert(app, pool, reputation_lower=0.1)
    question_id = post_question(app, company)
    services.drain()
    presence.disconnected("sid-gone")
    age_disconnect(db, phone.id, grace + 1)
    done = reconciler.reconcile()
    assert (done["experts_dropped"], done["offers_made"]) == (1, 1)
    db.session.expire_all()
    first, second = offers_of(db, question_id)
    assert (first.expert_id, first.status, first.revoked_reason) == (
        phone.id,
        OfferStatus.REVOKED,
        "disconnected",
    )
    assert (second.expert_id, second.status) == (backup.id, OfferStatus.PENDING)
    # Out of routing while unconnected, but the toggle is still what the expert chose ...
    assert phone.id not in available_experts(utcnow())
    assert db.session.get(ExpertProfile, phone.id).availability == Availability.ONLINE
    # ... so coming back restores routing at once: the next question goes to them.
    presence.connected(phone.id, "sid-again", "test-server")
    assert phone.id in available_experts(utcnow())
    later = post_question(app, company)
    services.drain()
    assert [o.expert_id for o in offers_of(db, later)] == [phone.id]


def test_an_expert_who_chose_away_stays_away_after_a_reconnect(app, db, market):
    company, pool = market
    phone = make_pool_expert(app, pool, sid="sid-away")
    presence.set_availability(phone.id, Availability.AWAY, presence.SYSTEM)
    presence.disconnected("sid-away")
    presence.connected(phone.id, "sid-away-2", "test-server")
    post_question(app, company)
    assert services.drain() == 0
    assert db.session.get(ExpertProfile, phone.id).availability == Availability.AWAY


def test_a_stopping_web_process_forgets_its_connections(app, db, market):
    company, pool = market
    engine = app.extensions["matching_engine"]
    alone = make_pool_expert(app, pool, reputation_lower=0.9, online=False)
    twice = make_pool_expert(app, pool, reputation_lower=0.5, online=False)
    presence.connected(alone.id, "sid-1", engine.server_id)
    presence.connected(twice.id, "sid-2", engine.server_id)
    presence.connected(twice.id, "sid-3", "another-process")
    for expert in (alone, twice):
        db.session.get(ExpertProfile, expert.id).availability = Availability.ONLINE
    db.session.commit()
    question_id = post_question(app, company)
    services.drain()
    engine.shutdown()  # what atexit runs when gunicorn stops the worker
    engine._stopping = engine._forgotten = False  # the engine is shared by the test session
    rows = db.session.scalars(sa.select(ExpertConnection.sid)).all()
    assert rows == ["sid-3"]
    due = dict(engine.deadlines.pop_due(10**10))
    assert f"grace:{alone.id}" in due and f"grace:{twice.id}" not in due
    age_disconnect(db, alone.id, app.config["PRESENCE_GRACE_SECONDS"])
    assert presence.grace_over(alone.id)
    services.drain()
    db.session.expire_all()
    assert [(o.expert_id, o.status) for o in offers_of(db, question_id)] == [
        (alone.id, OfferStatus.REVOKED),
        (twice.id, OfferStatus.PENDING),
    ]


def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_connections_of_a_dead_process_of_this_host_are_swept_sooner(app, db, market):
    _, pool = market
    host = socket.gethostname()
    me = f"{host}:{os.getpid()}:mine"
    old = utcnow() - timedelta(seconds=10)  # missed a refresh, but not yet stale (20 s)
    servers = {
        "dead": f"{host}:{dead_pid()}:gone",
        "earlier": f"{host}:{os.getpid()}:earlier",  # a previous process that had our pid
        "alive": f"{host}:{os.getppid()}:alive",
        "remote": f"elsewhere:{dead_pid()}:x",
    }
    for name, server in servers.items():
        expert = make_pool_expert(app, pool, online=False)
        presence.connected(expert.id, f"sid-{name}", server)
    db.session.execute(sa.update(ExpertConnection).values(seen_at=old))
    db.session.commit()
    assert presence.sweep_stale(me) == 2
    left = set(db.session.scalars(sa.select(ExpertConnection.sid)))
    assert left == {"sid-alive", "sid-remote"}
    db.session.execute(sa.update(ExpertConnection).values(seen_at=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    assert presence.sweep_stale(me) == 2  # anything stale goes, wherever it ran
