"""The labelled evaluation sets, the evaluator, and floors under the measured figures.

Floors are the figures printed by `python -m scoring.evaluation` minus about 0.02. If a change
lowers one, either fix the change or re-measure and justify the new floor in review.
"""

import importlib.util
import itertools
import json
from collections import Counter
from pathlib import Path

import pytest

from scoring.evaluation import (
    DEFAULT_PATH,
    EvaluationReport,
    evaluate,
    format_report,
    load_records,
    main,
    roc_auc,
)
from scoring.signals import SignalCode

DATA = Path(__file__).resolve().parents[1] / "data"
HOLDOUT = DATA / "answers_holdout.jsonl"
LABELS = {"good", "wrong", "rude", "off_topic", "copied", "personal_data", "spam"}

# (precision floor, recall floor) per flag on the development set (answers_eval.jsonl).
DEV_FLOORS = {
    "too_short": (0.98, 0.98),
    "language_mismatch": (0.98, 0.98),
    "off_topic": (0.87, 0.73),
    "copied": (0.98, 0.98),
    "personal_data": (0.98, 0.98),
    "banned_terms": (0.98, 0.98),
    "external_links": (0.98, 0.98),
    "machine_filler": (0.98, 0.98),
    "promotional": (0.98, 0.88),
    "rude": (0.98, 0.98),
}
DEV_AUC = {"all": 0.84, "detectable": 0.96, "en": 0.82, "zh": 0.86}
# The holdout was written after the checks were frozen; its figures are lower and more honest.
HOLDOUT_FLOORS = {
    "too_short": (0.98, 0.98),
    "language_mismatch": (0.98, 0.98),
    "off_topic": (0.61, 0.51),
    "copied": (0.98, 0.98),
    "personal_data": (0.98, 0.98),
    "banned_terms": (0.98, 0.98),
    "external_links": (0.98, 0.98),
    "machine_filler": (0.98, 0.98),
    "promotional": (0.98, 0.48),
    "rude": (0.98, 0.48),
}
HOLDOUT_AUC = {"all": 0.82, "detectable": 0.90}
# Blended quality on the holdout, whose rows carry hand-assigned customer feedback.
HOLDOUT_BLENDED_AUC = {"all": 0.89, "detectable": 0.89}


@pytest.fixture(scope="module")
def dev_report() -> EvaluationReport:
    return evaluate(load_records(DEFAULT_PATH))


@pytest.fixture(scope="module")
def holdout_report() -> EvaluationReport:
    return evaluate(load_records(HOLDOUT))


def _load_builder(name: str):
    spec = importlib.util.spec_from_file_location(name, DATA / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_development_set_composition():
    lines = DEFAULT_PATH.read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    assert len(records) >= 360
    assert len({r["id"] for r in records}) == len(records)
    languages = Counter(r["language"] for r in records)
    assert languages["en"] == languages["zh"] == len(records) // 2
    labels = Counter(r["label"] for r in records)
    assert set(labels) == LABELS and min(labels.values()) >= 30
    codes = {c.value for c in SignalCode}
    for r in records:
        assert set(r["expected_flags"]) <= codes
        assert r["answer"] and r["question_body"] and r["context"]["allowed_domains"]
        if r["label"] in ("good", "wrong"):
            assert r["expected_flags"] == []
        if r["label"] == "copied":
            source = r["source"]
            pool = "knowledge_base" if source["kind"] == "knowledge_base" else "other_answers"
            assert r["context"][pool][source["index"]]
    assert len({r["answer"] for r in records}) > 0.9 * len(records)


def test_development_set_is_reproducible_from_its_builder():
    builder = _load_builder("build_answers_eval")
    built = [json.dumps(r, ensure_ascii=False, sort_keys=True) for r in builder.build()]
    assert built == DEFAULT_PATH.read_text(encoding="utf-8").splitlines()


def test_holdout_is_reproducible_from_its_builder():
    builder = _load_builder("build_answers_holdout")
    built = [json.dumps(r, ensure_ascii=False, sort_keys=True) for r in builder.items]
    assert built == HOLDOUT.read_text(encoding="utf-8").splitlines()


def test_roc_auc_matches_pairwise_definition():
    assert roc_auc([0.9, 0.8], [0.1, 0.2]) == 1.0
    assert roc_auc([0.1], [0.9]) == 0.0
    assert roc_auc([0.5, 0.5], [0.5]) == 0.5
    assert roc_auc([], [0.3]) == 0.5
    pos, neg = [0.9, 0.4, 0.4, 0.7, 0.1], [0.4, 0.2, 0.8, 0.4]
    pairs = [1.0 if p > n else 0.5 if p == n else 0.0 for p, n in itertools.product(pos, neg)]
    assert roc_auc(pos, neg) == pytest.approx(sum(pairs) / len(pairs))


@pytest.mark.parametrize("code", sorted(DEV_FLOORS))
def test_development_flag_floors(dev_report, code):
    metrics = next(m for m in dev_report.flags if m.code == code)
    precision, recall = DEV_FLOORS[code]
    assert metrics.support > 0
    assert metrics.precision >= precision, metrics
    assert metrics.recall >= recall, metrics


def test_development_auc_floors(dev_report):
    by_language = dict(dev_report.auc_by_language)
    assert dev_report.auc_all >= DEV_AUC["all"]
    assert dev_report.auc_detectable >= DEV_AUC["detectable"]
    assert by_language["en"] >= DEV_AUC["en"]
    assert by_language["zh"] >= DEV_AUC["zh"]


def test_wrong_answers_are_reported_as_undetectable(dev_report):
    # Honest limitation, not a goal: text checks cannot see factual errors.
    labels = {s.label: s for s in dev_report.labels}
    assert labels["wrong"].flagged_share < labels["off_topic"].flagged_share
    assert dev_report.auc_all < dev_report.auc_detectable


@pytest.mark.parametrize("code", sorted(HOLDOUT_FLOORS))
def test_holdout_flag_floors(holdout_report, code):
    metrics = next(m for m in holdout_report.flags if m.code == code)
    precision, recall = HOLDOUT_FLOORS[code]
    assert metrics.precision >= precision, metrics
    assert metrics.recall >= recall, metrics


def test_holdout_auc_floors(holdout_report):
    assert holdout_report.auc_all >= HOLDOUT_AUC["all"]
    assert holdout_report.auc_detectable >= HOLDOUT_AUC["detectable"]
    assert holdout_report.auc_blended >= HOLDOUT_BLENDED_AUC["all"]
    assert holdout_report.auc_blended_detectable >= HOLDOUT_BLENDED_AUC["detectable"]


def test_holdout_composition():
    records = [json.loads(line) for line in HOLDOUT.read_text(encoding="utf-8").splitlines()]
    flags = Counter(f for r in records for f in r["expected_flags"])
    assert flags["too_short"] >= 4 and flags["machine_filler"] >= 4
    assert {r["language"] for r in records} == {"en", "zh"}
    assert sum(1 for r in records if "feedback" in r) >= 10
    dev = DEFAULT_PATH.read_text(encoding="utf-8").splitlines()
    assert len(records) + len(dev) >= 300 and set(Counter(r["label"] for r in records)) == LABELS


def test_feedback_enters_the_blend_and_only_the_blend(tmp_path):
    line = json.loads(DEFAULT_PATH.read_text(encoding="utf-8").splitlines()[0])
    rows = [
        line | {"id": "a", "label": "good", "feedback": {"rating": 5, "resolved": True}},
        line | {"id": "b", "label": "wrong", "feedback": {"rating": 1, "resolved": False}},
    ]
    path = tmp_path / "rated.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    report = evaluate(load_records(path))
    assert report.auc_all == 0.5  # the same text scores the same automatically
    assert report.auc_blended == 1.0 and report.with_evidence == 2
    path.write_text(json.dumps(rows[0] | {"feedback": {"rating": 9}}), encoding="utf-8")
    with pytest.raises(ValueError):
        load_records(path)


def test_cli_prints_report(capsys, tmp_path):
    assert main([str(HOLDOUT)]) == 0
    out = capsys.readouterr().out
    assert "ROC AUC" in out and "personal_data" in out and "cannot" in out
    assert main([str(tmp_path / "missing.jsonl")]) == 2


def test_report_formatting_marks_undefined_ratios(tmp_path):
    line = json.loads(DEFAULT_PATH.read_text(encoding="utf-8").splitlines()[0])
    path = tmp_path / "one.jsonl"
    path.write_text(json.dumps(line), encoding="utf-8")
    text = format_report(evaluate(load_records(path)))
    too_short = next(row for row in text.splitlines() if row.startswith("too_short"))
    assert too_short.split()[1:3] == ["-", "-"]


def test_unknown_expected_flag_is_rejected(tmp_path):
    line = DEFAULT_PATH.read_text(encoding="utf-8").splitlines()[0]
    record = json.loads(line)
    record["expected_flags"] = ["telepathy"]
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps(record), encoding="utf-8")
    with pytest.raises(ValueError, match="telepathy"):
        load_records(path)
