"""Graceful shutdown hooks (marketplace/lifecycle.py) and `flask prod serve`'s refusals."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from marketplace import lifecycle
from marketplace.experts.models import ExpertConnection
from marketplace.matching.engine import MatchingEngine
from tests.factories import default_pool, make_company, make_pool_expert


@pytest.fixture(autouse=True)
def _running_again():
    yield
    lifecycle.reset()


def test_hooks_run_once_in_order_and_a_failure_does_not_stop_the_others():
    calls = []

    def first():
        calls.append("first")
        raise RuntimeError("broken hook")

    def second():
        calls.append("second")

    lifecycle.on_shutdown(first)
    lifecycle.on_shutdown(second)
    lifecycle.on_shutdown(second)  # registered once
    try:
        lifecycle.begin_shutdown()
        lifecycle.begin_shutdown()
    finally:
        lifecycle._hooks.remove(first)
        lifecycle._hooks.remove(second)
    assert lifecycle.shutting_down()
    assert calls == ["first", "second"]


def test_a_started_engine_stops_on_shutdown(app):
    engine = MatchingEngine(app)
    app.config["MATCHING_ENGINE_AUTOSTART"] = True
    try:
        engine.ensure_started()
        with app.app_context():
            lifecycle.begin_shutdown()
    finally:
        app.config["MATCHING_ENGINE_AUTOSTART"] = False
        engine.stop()
        lifecycle._hooks.remove(engine.stop)
    assert engine._stopping


def test_shutdown_forgets_this_process_connections_only(app, db):
    company = make_company(app)
    pool = default_pool(app, company.id)
    mine = make_pool_expert(app, pool, sid="sid-mine")
    other = make_pool_expert(app, pool, sid="sid-other")
    server_id = app.extensions["matching_engine"].server_id
    db.session.execute(
        sa.update(ExpertConnection)
        .where(ExpertConnection.sid == "sid-mine")
        .values(server_id=server_id)
    )
    db.session.commit()
    lifecycle.begin_shutdown()
    db.session.expire_all()
    left = db.session.scalars(sa.select(ExpertConnection.expert_id)).all()
    assert left == [other.id] and mine.id not in left


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"REDIS_URL": None}, "REDIS_URL must be set"),
        ({"SQLITE": True}, "DATABASE_URL must point at PostgreSQL"),
        ({"SECRET_KEY": None}, "SECRET_KEY must be set"),
    ],
)
def test_prod_serve_refuses_without_postgresql_redis_or_a_secret(
    make_ops_app, monkeypatch, tmp_path, env, message
):
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    if "SECRET_KEY" in env:
        monkeypatch.delenv("SECRET_KEY")
    overrides = {"REDIS_URL": env.get("REDIS_URL", "redis://127.0.0.1:6379/15")}
    overrides["SQLALCHEMY_DATABASE_URI"] = (
        f"sqlite:///{tmp_path}/x.db" if env.get("SQLITE") else "postgresql+psycopg://u:p@h/db"
    )
    app = make_ops_app(**overrides)
    result = app.test_cli_runner().invoke(args=["prod", "serve", "--run-dir", str(tmp_path)])
    assert result.exit_code == 1
    assert "refusing to start" in result.output and message in result.output
    assert not (tmp_path / "state.json").exists()  # nothing was started


def test_prod_status_prints_the_state_file_or_says_there_is_none(runner, tmp_path):
    missing = runner.invoke(args=["prod", "status", "--run-dir", str(tmp_path)])
    assert missing.exit_code == 1 and "has not run here" in missing.output
    (tmp_path / "state.json").write_text('{"status": "running", "children": []}')
    shown = runner.invoke(args=["prod", "status", "--run-dir", str(tmp_path)])
    assert shown.exit_code == 0 and '"status": "running"' in shown.output
