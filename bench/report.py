"""Write one benchmark run: bench/results/<date>.json (everything measured), <date>.md (the
figures table) and <date>.png (each figure beside its baseline)."""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bench.common import ratio

RESULTS = Path(__file__).resolve().parent / "results"


@dataclass(frozen=True)
class Figure:
    """One measured figure beside the raw baseline measured in the same run."""

    measure: str
    value: float
    unit: str
    baseline: str
    baseline_value: float

    @property
    def ratio(self) -> float:
        """figure / baseline: for times and memory, how many times slower or bigger; for rates,
        the share of the raw rate the product reaches."""
        return ratio(self.value, self.baseline_value)


def write(date: str, figures: list[Figure], details: dict[str, Any], out: Path = RESULTS) -> dict:
    """Write the three files; returns their paths."""
    out.mkdir(parents=True, exist_ok=True)
    paths = {kind: out / f"{date}.{kind}" for kind in ("json", "md", "png")}
    document = {
        "date": date,
        "figures": [asdict(f) | {"ratio": f.ratio} for f in figures],
        "details": details,
    }
    paths["json"].write_text(json.dumps(document, indent=2, default=str, allow_nan=True))
    paths["md"].write_text(markdown(date, figures, details.get("config", {})))
    plot(figures, paths["png"], details.get("config", {}).get("size", ""))
    return paths


def _number(value: float) -> str:
    if value != value or math.isinf(value):
        return "n/a"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}" if abs(value) < 1 else f"{value:.1f}"


def markdown(date: str, figures: list[Figure], config: dict[str, Any]) -> str:
    """The figures table, one row per figure and baseline."""
    lines = [
        f"# Benchmark {date}",
        "",
        f"Size `{config.get('size', '?')}`: {json.dumps(config)}",
        "",
        "| measure | figure | raw baseline (same run) | baseline | ratio |",
        "|---|---|---|---|---|",
    ]
    for f in figures:
        lines.append(
            f"| {f.measure} | {_number(f.value)} {f.unit} | {f.baseline} | "
            f"{_number(f.baseline_value)} {f.unit} | {_number(f.ratio)}× |"
        )
    return "\n".join(lines) + "\n"


def plot(figures: list[Figure], path: Path, size: str) -> None:
    """Horizontal bars, figure and baseline per row, on a log scale (units differ by row)."""
    import matplotlib

    matplotlib.use("Agg")  # no display: write the file only
    from matplotlib import pyplot

    rows = [f for f in figures if f.value > 0 and f.baseline_value > 0]
    height = max(3.0, 0.7 * len(rows) + 1.5)
    fig, axes = pyplot.subplots(figsize=(11, height))
    positions = range(len(rows))
    axes.barh([p + 0.2 for p in positions], [f.value for f in rows], 0.4, label="marketplace")
    axes.barh([p - 0.2 for p in positions], [f.baseline_value for f in rows], 0.4, label="baseline")
    labels = [f"{f.measure} ({f.unit})\nbaseline: {f.baseline}" for f in rows]
    axes.set_yticks(list(positions), labels, fontsize=7)
    axes.invert_yaxis()
    axes.set_xscale("log")
    axes.set_title(f"marketplace beside raw baselines, same run (size: {size})")
    axes.legend(loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    pyplot.close(fig)
