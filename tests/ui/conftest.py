"""Browser tests: a real server (the embedded `flask serve` on SQLite in a temp dir) and Debian's
chromium driven by Playwright. Skipped, with the reason, when chromium, the playwright package
or the built front end is missing (`make test` provides all three)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.live import free_port, wait_for
from tests.ui.site import ARTIFACTS, Site

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _chromium() -> str:
    path = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not os.path.exists(path):
        pytest.skip(
            "Debian's chromium is not installed (make test installs it with apt-get; it could "
            "not here): browser tests skipped"
        )
    return path


def _frontend_built() -> None:
    if (ROOT / "static" / "dist" / "build.json").exists():
        return
    if shutil.which("npm") and (ROOT / "node_modules").exists():
        subprocess.run(["npm", "run", "build"], cwd=ROOT, check=True, capture_output=True)
        return
    pytest.skip("the front end is not built (make test builds it: npm ci && npm run build)")


@pytest.fixture(autouse=True)
def _tidy_queue(request: pytest.FixtureRequest) -> Iterator[None]:
    """Each browser test starts with an empty queue: leftovers would be offered to its expert."""
    yield
    if "site" in request.fixturenames:
        request.getfixturevalue("site").cancel_open_questions()


@pytest.fixture(scope="session")
def playwright_browser() -> Iterator[object]:
    """Debian's chromium, headless, with a fresh profile; never a browser Playwright downloads."""
    path = _chromium()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("the playwright package is not installed (pip install -e '.[test]')")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """A migrated, seeded database and the embedded server on a free port."""
    _chromium()
    _frontend_built()
    workdir = tmp_path_factory.mktemp("ui-site")
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env |= {
        "FLASK_APP": "wsgi",
        "DATABASE_URL": f"sqlite:///{workdir}/ui.db",
        "SECRET_KEY": "ui-test-secret",
        "LOG_LEVEL": "INFO",  # werkzeug's request lines: the offline test counts them
        # A reload while offline must not cost the expert their pending offers.
        "PRESENCE_GRACE_SECONDS": "60",
        # Every browser context logs in from 127.0.0.1: phones, dashboards and consoles make
        # more than the default 10 logins a minute (the limit has its own API tests).
        "LOGIN_RATE_LIMIT": "200 per minute",
        "PYTHONPATH": str(ROOT),
    }
    run = {"cwd": ROOT, "env": env, "capture_output": True, "text": True, "timeout": 120}
    upgrade = subprocess.run([sys.executable, "-m", "flask", "db", "upgrade"], **run)
    assert upgrade.returncode == 0, upgrade.stderr[-2000:]
    seeded = subprocess.run([sys.executable, "-m", "tests.ui.seed"], **run)
    assert seeded.returncode == 0, seeded.stderr[-2000:]
    data = json.loads(seeded.stdout.strip().splitlines()[-1])
    port = free_port()
    log = (workdir / "server.log").open("w", buffering=1)
    server = subprocess.Popen(
        [sys.executable, "-m", "flask", "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(base + "/healthz")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        yield Site(
            base,
            data["api_key"],
            data["admin"],
            data["moderators"],
            data["probation_pool"],
            data["experts"],
            workdir / "server.log",
        )
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()
        shutil.copy(workdir / "server.log", ARTIFACTS / "server.log")
