"""The pages that carry the front end: strict CSP, nosniff, the PWA's paths and scope."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def built(app, tmp_path, monkeypatch):
    """A stand-in static/dist, so the page tests do not need npm."""
    dist = tmp_path / "static" / "dist"
    dist.mkdir(parents=True)
    (dist / "build.json").write_text(json.dumps({"version": "test"}))
    (dist / "sw.js").write_text("self.addEventListener('fetch', () => {});")
    (dist / "manifest.webmanifest").write_text(json.dumps({"start_url": "/app/"}))
    monkeypatch.setattr(app, "static_folder", str(tmp_path / "static"))
    return dist


def test_the_shells_load_bundles_under_a_strict_policy(app, client, built):
    shells = [
        ("/app/", "dist/app.js"),
        ("/dashboard", "dist/dashboard.js"),
        ("/moderator", "dist/moderator.js"),
    ]
    for path, bundle in shells:
        response = client.get(path)
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        assert f'<script type="module" src="/static/{bundle}"></script>' in html
        assert "<script>" not in html and " on" not in html.split("<body>")[1]
        policy = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy
        assert "unsafe-eval" not in policy and "frame-ancestors 'none'" in policy
        assert "connect-src 'self' ws://localhost wss://localhost" in policy
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["X-Frame-Options"] == "DENY"
    assert 'rel="manifest" href="/app/manifest.webmanifest"' in client.get("/app/").text


def test_the_pwa_lives_under_app_with_its_worker_and_manifest(app, client, built):
    redirect = client.get("/app")
    assert redirect.status_code == 308 and redirect.headers["Location"].endswith("/app/")
    worker = client.get("/app/sw.js")
    assert worker.status_code == 200 and worker.mimetype == "text/javascript"
    assert worker.headers["Cache-Control"] == "no-cache"
    manifest = client.get("/app/manifest.webmanifest")
    assert manifest.mimetype == "application/manifest+json"
    assert manifest.get_json(force=True)["start_url"] == "/app/"


def test_every_response_says_nosniff_and_an_unbuilt_front_end_says_how(app, client, tmp_path):
    assert client.get("/healthz").headers["X-Content-Type-Options"] == "nosniff"
    assert client.get("/api/v1/openapi.json").headers["X-Content-Type-Options"] == "nosniff"
    original = app.static_folder
    app.static_folder = str(tmp_path / "nothing")
    try:
        response = client.get("/app/")
    finally:
        app.static_folder = original
    assert response.status_code == 503
    assert "npm ci" in response.text and "前端尚未构建" in response.text
