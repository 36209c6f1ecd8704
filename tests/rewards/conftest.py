"""Money tests settle explicitly: the automatic settlement job is off unless a test turns it on."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture
def money(app, db, monkeypatch, tmp_path) -> Iterator[Any]:
    """The db fixture, with auto-settlement off and payout files under tmp_path."""
    monkeypatch.setitem(app.config, "REWARDS_AUTO_SETTLE", False)
    monkeypatch.setitem(app.config, "PAYOUT_DIRECTORY", str(tmp_path / "payouts"))
    monkeypatch.setitem(app.config, "PAYOUT_MINIMUM_MINOR", None)
    yield db
