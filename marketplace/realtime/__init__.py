"""Socket.IO namespaces: /expert (phones), /company (dashboards)."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the namespace handlers (once per process)."""
    from marketplace.realtime import company, expert  # noqa: F401 - handlers register on import
