"""Checks on the front-end sources that need no browser: no HTML from data, the currency table
matches the server's, the message catalogues agree, the lockfile is committed."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from marketplace.rewards.currencies import MINOR_UNIT_EXPONENTS

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted((ROOT / "frontend").rglob("*.js")) + sorted((ROOT / "frontend").rglob("*.mjs"))
# Ways to turn a string into markup or code; the screens build DOM with textContent only.
FORBIDDEN = re.compile(
    r"\.innerHTML|\.outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function\(|"
    r"createContextualFragment|DOMParser|srcdoc"
)


def test_no_screen_turns_text_into_html():
    assert SOURCES, "frontend sources not found"
    offenders = [
        f"{path.relative_to(ROOT)}:{n}: {line.strip()}"
        for path in SOURCES
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if FORBIDDEN.search(line)
    ]
    assert offenders == []


def test_the_currency_table_matches_the_servers():
    text = (ROOT / "frontend/src/lib/currencies.js").read_text()
    table = dict(re.findall(r"\b([A-Z]{3}): (\d)", text))
    assert {code: int(exp) for code, exp in table.items()} == MINOR_UNIT_EXPONENTS


def test_the_message_catalogues_agree():
    if shutil.which("node") is None:
        pytest.skip("node is not installed: the build checks the catalogues instead")
    result = subprocess.run(
        ["node", "frontend/check-messages.mjs"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


def test_the_pure_helpers_pass_their_node_tests():
    if shutil.which("node") is None:
        pytest.skip("node is not installed: the front end's unit tests need it")
    result = subprocess.run(
        ["node", "--test", "frontend/tests/"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]


def test_the_front_end_uses_no_undefined_or_unused_names():
    # esbuild bundles a name that is never defined without a word; the page fails only when
    # that line runs (a leftover after a refactor did, on one screen). ESLint's no-undef sees it.
    eslint = ROOT / "node_modules/.bin/eslint"
    if not eslint.exists():
        pytest.skip("node_modules is not installed (make static/dist/.built installs it)")
    result = subprocess.run([str(eslint), "frontend"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]


def test_libraries_come_pinned_from_the_lockfile():
    lock = (ROOT / "package-lock.json").read_text()
    for package in ("socket.io-client", "uplot", "esbuild"):
        assert f'"node_modules/{package}"' in lock
    assert "cdn" not in (ROOT / "marketplace/web/templates/shell.html").read_text().lower()
