"""Socket.IO namespaces: /expert (phones), /company (dashboards), /moderator (consoles)."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the namespace handlers (once per process)."""
    from marketplace.realtime import company, expert, moderator  # noqa: F401 - handlers register
