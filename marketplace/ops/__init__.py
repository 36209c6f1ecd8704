"""Running the product in production: the process supervisor behind `flask prod serve`, its
nginx config, readiness, structured logs, request ids and Prometheus metrics
(docs/operations.md)."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Request ids, request metrics and logs; trust the configured proxies' forwarded headers."""
    from marketplace.ops import http

    http.init_app(app)
    hops = app.config.get("TRUSTED_PROXIES", 0)
    if hops:
        from werkzeug.middleware.proxy_fix import ProxyFix

        # Outermost, so Socket.IO's origin check and the rate limits see the real client.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
