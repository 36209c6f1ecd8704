"""The scoring package must stay a pure library: no web framework, ORM, queue or app imports."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MODULES = [
    "scoring",
    "scoring.text",
    "scoring.pii",
    "scoring.links",
    "scoring.lexicon",
    "scoring.filler",
    "scoring.signals",
    "scoring.checks",
    "scoring.quality",
    "scoring.reputation",
    "scoring.tiers",
    "scoring.ranking",
    "scoring.peer_review",
    "scoring.gold",
    "scoring.evaluation",
]
FORBIDDEN = ("flask", "sqlalchemy", "redis", "rq", "marketplace", "workers", "sklearn", "requests")

PROBE = f"""
import sys
for name in {MODULES!r}:
    __import__(name)
bad = sorted(m for m in sys.modules if m.split(".")[0] in {FORBIDDEN!r})
print(",".join(bad))
"""


def test_scoring_imports_no_app_or_infrastructure_modules():
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""


def test_no_source_file_mentions_forbidden_imports():
    for path in (ROOT / "scoring").glob("*.py"):
        for line in path.read_text(encoding="utf-8").splitlines():
            stripped = line.strip()
            if stripped.startswith(("import ", "from ")):
                top = stripped.split()[1].split(".")[0]
                assert top not in FORBIDDEN, f"{path.name}: {stripped}"
