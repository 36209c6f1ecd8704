"""Evaluate the automatic checks on a labelled JSONL set: python -m scoring.evaluation [path].

Besides each flag's precision and recall it reports the ROC AUC (good vs bad) of the automatic
score and of the blended quality score (scoring.quality). A row may carry what the blend uses
beyond the text: `feedback` {"rating", "resolved"}, `peer_good_probability` and `verdict`;
rows without them blend to their automatic score. In the sets under tests/data those inputs
are hand-assigned (no real customer rated these answers), so the blended AUC shows how the blend
uses such evidence, not how well customers judge.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from scipy.stats import rankdata

from scoring.checks import automatic_score, run_checks
from scoring.quality import QualityInputs, quality_score
from scoring.signals import AnswerContext, SignalCode

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "tests" / "data" / "answers_eval.jsonl"
GOOD_LABEL = "good"
# Factually wrong answers read like good ones; no text check can see the error.
UNDETECTABLE_LABELS = frozenset({"wrong"})


@dataclass(frozen=True)
class EvalRecord:
    """One labelled answer with the flags that should fire and its check context."""

    id: str
    language: str
    label: str
    expected_flags: frozenset[str]
    context: AnswerContext
    evidence: Mapping[str, Any] = field(default_factory=dict)  # rating, resolved, peer, verdict


@dataclass(frozen=True)
class ScoredRecord:
    """An evaluated record: its automatic and blended scores and the flags that fired."""

    record: EvalRecord
    score: float
    flags: frozenset[str]
    blended: float = 0.0


@dataclass(frozen=True)
class FlagMetrics:
    """Precision and recall of one flag against the expected flags."""

    code: str
    true_positives: int
    false_positives: int
    false_negatives: int

    @property
    def support(self) -> int:
        """Number of records that expect this flag."""
        return self.true_positives + self.false_negatives

    @property
    def precision(self) -> float:
        """TP / (TP + FP); 0 when the flag never fired."""
        fired = self.true_positives + self.false_positives
        return self.true_positives / fired if fired else 0.0

    @property
    def recall(self) -> float:
        """TP / (TP + FN); 0 when no record expects the flag."""
        return self.true_positives / self.support if self.support else 0.0


@dataclass(frozen=True)
class LabelSummary:
    """Per label: count, mean automatic score and share of records with any flag."""

    label: str
    count: int
    mean_score: float
    flagged_share: float


@dataclass(frozen=True)
class EvaluationReport:
    """Flag metrics, ROC AUCs (good vs bad) and per-label summaries of one evaluation run."""

    records: int
    flags: tuple[FlagMetrics, ...]
    auc_all: float
    auc_detectable: float
    auc_by_language: tuple[tuple[str, float], ...]
    labels: tuple[LabelSummary, ...]
    auc_blended: float = 0.5
    auc_blended_detectable: float = 0.5
    with_evidence: int = 0


def record_from_json(data: Mapping[str, Any]) -> EvalRecord:
    """Build an EvalRecord from one decoded JSONL line."""
    ctx = data.get("context", {})
    context = AnswerContext(
        question_subject=data["question_subject"],
        question_body=data["question_body"],
        question_language=data["language"],
        answer=data["answer"],
        other_answers=tuple(ctx.get("other_answers", ())),
        knowledge_base=tuple(ctx.get("knowledge_base", ())),
        banned_terms=tuple(ctx.get("banned_terms", ())),
        allowed_domains=tuple(ctx.get("allowed_domains", ())),
        min_length=int(ctx.get("min_length", 40)),
    )
    flags = frozenset(data.get("expected_flags", ()))
    unknown = flags - {c.value for c in SignalCode}
    if unknown:
        raise ValueError(f"record {data['id']}: unknown expected flags {sorted(unknown)}")
    feedback = data.get("feedback") or {}
    evidence = {
        "customer_rating": feedback.get("rating"),
        "resolved": feedback.get("resolved"),
        "peer_good_probability": data.get("peer_good_probability"),
        "verdict": data.get("verdict"),
    }
    evidence = {k: v for k, v in evidence.items() if v is not None}
    QualityInputs(automatic=1.0, **evidence)  # reject bad ratings or verdicts on load
    return EvalRecord(data["id"], data["language"], data["label"], flags, context, evidence)


def load_records(path: Path) -> tuple[EvalRecord, ...]:
    """Read a JSONL evaluation set, skipping blank lines."""
    with path.open(encoding="utf-8") as fh:
        return tuple(record_from_json(json.loads(line)) for line in fh if line.strip())


def roc_auc(positive: Sequence[float], negative: Sequence[float]) -> float:
    """Mann-Whitney AUC = (R_pos - n_pos (n_pos + 1) / 2) / (n_pos n_neg), ties ranked average.

    The probability that a random positive scores above a random negative; 0.5 when either
    group is empty.
    """
    if not positive or not negative:
        return 0.5
    ranks = rankdata(np.concatenate([np.asarray(positive, float), np.asarray(negative, float)]))
    n_pos, n_neg = len(positive), len(negative)
    rank_sum = float(ranks[:n_pos].sum())
    return (rank_sum - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)


def score_records(records: Iterable[EvalRecord]) -> tuple[ScoredRecord, ...]:
    """Run the checks on every record."""
    scored = []
    for record in records:
        signals = run_checks(record.context)
        fired = frozenset(s.code.value for s in signals if s.flagged)
        automatic = automatic_score(signals)
        blended = quality_score(QualityInputs(automatic=automatic, **record.evidence)).value
        scored.append(ScoredRecord(record, automatic, fired, blended))
    return tuple(scored)


def _auc(
    scored: Sequence[ScoredRecord], skip: frozenset[str] = frozenset(), blended: bool = False
) -> float:
    value = (lambda s: s.blended) if blended else (lambda s: s.score)
    good = [value(s) for s in scored if s.record.label == GOOD_LABEL]
    bad = [value(s) for s in scored if s.record.label not in skip | {GOOD_LABEL}]
    return roc_auc(good, bad)


def flag_metrics(scored: Sequence[ScoredRecord]) -> tuple[FlagMetrics, ...]:
    """Per flag code: true positives, false positives and false negatives."""
    metrics = []
    for code in SignalCode:
        c = code.value
        tp = sum(1 for s in scored if c in s.flags and c in s.record.expected_flags)
        fp = sum(1 for s in scored if c in s.flags and c not in s.record.expected_flags)
        fn = sum(1 for s in scored if c not in s.flags and c in s.record.expected_flags)
        metrics.append(FlagMetrics(c, tp, fp, fn))
    return tuple(metrics)


def evaluate(records: Iterable[EvalRecord]) -> EvaluationReport:
    """Score every record and summarise flags, AUCs and labels."""
    scored = score_records(records)
    languages = sorted({s.record.language for s in scored})
    labels = []
    for label in sorted({s.record.label for s in scored}):
        group = [s for s in scored if s.record.label == label]
        mean = sum(s.score for s in group) / len(group)
        flagged = sum(1 for s in group if s.flags) / len(group)
        labels.append(LabelSummary(label, len(group), mean, flagged))
    return EvaluationReport(
        records=len(scored),
        flags=flag_metrics(scored),
        auc_all=_auc(scored),
        auc_detectable=_auc(scored, UNDETECTABLE_LABELS),
        auc_by_language=tuple(
            (lang, _auc([s for s in scored if s.record.language == lang])) for lang in languages
        ),
        labels=tuple(labels),
        auc_blended=_auc(scored, blended=True),
        auc_blended_detectable=_auc(scored, UNDETECTABLE_LABELS, blended=True),
        with_evidence=sum(1 for s in scored if s.record.evidence),
    )


def format_report(report: EvaluationReport) -> str:
    """Plain-text rendering of an evaluation report."""
    lines = [
        f"records: {report.records}",
        "",
        f"{'flag':<18} {'precision':>9} {'recall':>7} {'support':>8} {'fired':>6}",
    ]
    for m in report.flags:
        fired = m.true_positives + m.false_positives
        # Undefined ratios print as "-" rather than a misleading 0.
        precision = f"{m.precision:.3f}" if fired else "-"
        recall = f"{m.recall:.3f}" if m.support else "-"
        lines.append(f"{m.code:<18} {precision:>9} {recall:>7} {m.support:>8d} {fired:>6d}")
    lines += ["", "ROC AUC of automatic score, good vs bad:"]
    lines.append(f"  all bad labels:            {report.auc_all:.3f}")
    lines.append(f"  excluding 'wrong' answers: {report.auc_detectable:.3f}")
    lines += [f"  language {lang}:               {auc:.3f}" for lang, auc in report.auc_by_language]
    lines += [
        "",
        "ROC AUC of the blended quality score, good vs bad "
        f"({report.with_evidence} of {report.records} rows carry",
        "  a hand-assigned rating, peer consensus or verdict; the others blend to their automatic",
        "  score):",
        f"  all bad labels:            {report.auc_blended:.3f}",
        f"  excluding 'wrong' answers: {report.auc_blended_detectable:.3f}",
    ]
    lines += ["", f"{'label':<14} {'count':>5} {'mean score':>10} {'any flag':>9}"]
    lines += [
        f"{s.label:<14} {s.count:>5d} {s.mean_score:>10.3f} {s.flagged_share:>9.1%}"
        for s in report.labels
    ]
    lines += [
        "",
        "Note: 'wrong' answers are plausible but factually wrong; automatic text checks cannot",
        "detect them (compare their mean score and flag share with 'good'). Catching them needs",
        "customer ratings, peer review, gold questions or moderators.",
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """CLI entry point: evaluate the given JSONL file (default tests/data/answers_eval.jsonl)."""
    args = list(sys.argv[1:] if argv is None else argv)
    path = Path(args[0]) if args else DEFAULT_PATH
    if not path.is_file():
        print(f"evaluation set not found: {path}", file=sys.stderr)
        return 2
    print(format_report(evaluate(load_records(path))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
