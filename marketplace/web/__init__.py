"""Server-rendered pages: the landing page, the API reference, and the shells of the expert
app (a PWA under /app/), the company dashboard (/dashboard) and the moderator console
(/moderator), which load the bundles built
from frontend/ into static/dist (`make run` builds them)."""

from __future__ import annotations

import os
from typing import Any

from flask import (
    Blueprint,
    Flask,
    Response,
    current_app,
    redirect,
    render_template,
    request,
    send_from_directory,
)

from marketplace.errors import problem, problem_response
from marketplace.ops import health as health_checks
from marketplace.ops import metrics

bp = Blueprint("web", __name__, template_folder="templates")


def _dist() -> str:
    return os.path.join(current_app.static_folder or "static", "dist")


def frontend_built() -> bool:
    """Whether the bundles exist (npm run build writes build.json last)."""
    return os.path.exists(os.path.join(_dist(), "build.json"))


@bp.get("/")
def index() -> str:
    """What the product is, and where to go."""
    return render_template("index.html")


@bp.get("/healthz")
def health() -> dict[str, str]:
    """Liveness: the process answers."""
    return {"status": "ok"}


@bp.get("/readyz")
def ready() -> Response | tuple[dict[str, Any], int]:
    """Readiness: 200 when the database answers at the migration head, Redis answers and the
    process is not shutting down; otherwise 503 naming what failed."""
    checks = health_checks.readiness(current_app._get_current_object())  # type: ignore[attr-defined]
    failed = health_checks.failed(checks)
    if not failed:
        return {"status": "ready", "checks": checks}, 200
    detail = "; ".join(f"{name}: {checks[name]}" for name in failed)
    body = problem(503, "Not ready", detail, slug="not-ready", checks=checks, failed=failed)
    return problem_response(body, headers={"Retry-After": "1"})


@bp.get("/metrics")
def metrics_page() -> Response:
    """Prometheus metrics of every process on this machine; loopback or METRICS_TOKEN only."""
    token = current_app.config.get("METRICS_TOKEN")
    if not metrics.scrape_allowed(request.remote_addr, request.headers.get("Authorization"), token):
        body = problem(403, "Forbidden", "Metrics are served to loopback or with METRICS_TOKEN.")
        return problem_response(body)
    text, content_type = metrics.render(_queue_collector())
    return Response(text, mimetype=None, content_type=content_type)


def _queue_collector() -> metrics.QueueCollector | None:
    from marketplace.queue import QUEUE_NAMES, RedisJobBackend

    backend = current_app.extensions["job_queue"]
    if not isinstance(backend, RedisJobBackend):
        return None
    return metrics.QueueCollector(backend.connection, [backend.prefix + n for n in QUEUE_NAMES])


@bp.get("/api/v1/docs")
def api_reference() -> str:
    """A human-readable reference generated from the OpenAPI document (no CDN, no script)."""
    spec = current_app.extensions["marketplace_api"].spec.to_dict()
    return render_template("api_reference.html", spec=spec, operations=_operations(spec))


@bp.get("/app")
def expert_app_redirect() -> Response:
    """The app lives under /app/ so that its service worker's scope covers it."""
    return redirect("/app/", code=308)


@bp.get("/app/")
def expert_app() -> tuple[str, int]:
    """The expert app's shell (the script renders every screen)."""
    return _shell("expert_app.html")


@bp.get("/app/sw.js")
def service_worker() -> Response:
    """The service worker, served from /app/ so its scope is /app/; never cached by HTTP."""
    response = send_from_directory(_dist(), "sw.js", mimetype="text/javascript", max_age=0)
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/app/manifest.webmanifest")
def manifest() -> Response:
    """The web app manifest (installable PWA)."""
    return send_from_directory(
        _dist(), "manifest.webmanifest", mimetype="application/manifest+json", max_age=0
    )


@bp.get("/dashboard")
def dashboard() -> tuple[str, int]:
    """The company dashboard's shell."""
    return _shell("dashboard.html")


@bp.get("/moderator")
def moderator_console() -> tuple[str, int]:
    """The moderator console's shell."""
    return _shell("moderator.html")


def _shell(template: str) -> tuple[str, int]:
    if not frontend_built():
        return render_template("not_built.html"), 503
    return render_template(template), 200


def _operations(spec: dict[str, Any]) -> list[dict[str, Any]]:
    operations = []
    for path, methods in spec.get("paths", {}).items():
        for method, operation in methods.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                operations.append({"path": path, "method": method.upper(), **operation})
    return operations


def content_security_policy() -> str:
    """Only this origin's scripts, styles, images and sockets; no inline script, no framing."""
    host = request.host
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data: blob:",
            f"connect-src 'self' ws://{host} wss://{host}",
            "font-src 'self'",
            "manifest-src 'self'",
            "worker-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


@bp.after_request
def _page_headers(response: Response) -> Response:
    if response.mimetype == "text/html":
        response.headers["Content-Security-Policy"] = content_security_policy()
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["X-Frame-Options"] = "DENY"
    return response


def _no_sniffing(response: Response) -> Response:
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def init_app(app: Flask) -> None:
    """Register the pages; every response says nosniff."""
    app.register_blueprint(bp)
    app.after_request(_no_sniffing)
