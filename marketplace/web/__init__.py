"""Server-rendered pages: the landing page and the API reference."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, current_app, render_template

bp = Blueprint("web", __name__, template_folder="templates")


@bp.get("/")
def index() -> str:
    """What the product is, and where to go."""
    return render_template("index.html")


@bp.get("/healthz")
def health() -> dict[str, str]:
    """Liveness: the process answers."""
    return {"status": "ok"}


@bp.get("/api/v1/docs")
def api_reference() -> str:
    """A human-readable reference generated from the OpenAPI document (no CDN, no script)."""
    spec = current_app.extensions["marketplace_api"].spec.to_dict()
    return render_template("api_reference.html", spec=spec, operations=_operations(spec))


def _operations(spec: dict[str, Any]) -> list[dict[str, Any]]:
    operations = []
    for path, methods in spec.get("paths", {}).items():
        for method, operation in methods.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                operations.append({"path": path, "method": method.upper(), **operation})
    return operations


def init_app(app: Flask) -> None:
    """Register the pages."""
    app.register_blueprint(bp)
