"""Fixtures of the operations tests."""

from __future__ import annotations

import pytest

from tests.conftest import make_app


@pytest.fixture
def make_ops_app(database_url):
    """Build apps with their own settings (Redis, tokens); tests/conftest.py puts Socket.IO
    back afterwards."""
    return lambda **overrides: make_app(database_url, **overrides)
