"""After-commit callbacks run once, after the real commit, and never after a rollback."""

from __future__ import annotations

from marketplace.aftercommit import after_commit
from marketplace.companies.models import Company


def test_callbacks_wait_for_the_outer_commit_and_skip_savepoints(db):
    calls = []
    after_commit(calls.append, "outer")
    with db.session.begin_nested():
        after_commit(calls.append, "inner")
    assert calls == []  # releasing the SAVEPOINT is not the commit
    db.session.commit()
    assert calls == ["outer", "inner"]
    db.session.commit()
    assert calls == ["outer", "inner"]


def test_a_rollback_discards_the_callbacks(db):
    calls = []
    db.session.add(Company(name="x", slug="xyz", currency="CNY", settings={}))
    after_commit(calls.append, "never")
    db.session.rollback()
    db.session.commit()
    assert calls == []


def test_a_rolled_back_savepoint_drops_only_its_own_callbacks(db):
    calls = []
    after_commit(calls.append, "before")
    savepoint = db.session.begin_nested()
    after_commit(calls.append, "inside")
    inner = db.session.begin_nested()
    after_commit(calls.append, "deeper")
    inner.commit()
    savepoint.rollback()
    after_commit(calls.append, "after")
    kept = db.session.begin_nested()
    after_commit(calls.append, "kept")
    kept.commit()
    db.session.commit()
    assert calls == ["before", "after", "kept"]
