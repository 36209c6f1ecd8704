"""Scoring speed: answers graded per second, and reputation recompute for many experts.

Prints
- answers scored per second by the scoring library (checks + automatic score + quality) for short
  answers (the evaluation set, each in its own language), and 5 kB and 100 kB answers built from
  different sentences of the set's answers and articles in the same language (not one sentence
  repeated, which compresses and tokenises unlike real text);
- answers graded per second through the app's job path (grading.score_answer: reads the
  question and the company's recent answers, stores the result) on PostgreSQL;
- reputation recompute for N experts (default 100,000, 3 decided answers each, a customer rating
  on every third answer) through the nightly job's own path (recompute_all: pool, overall and
  per-tag reputations, tiers, bulk writes) beside the time to merely read the same evidence rows
  (read_evidence, the same queries) in the same run.

    python -m bench.scoring            # 100,000 experts
    python -m bench.scoring --smoke    # seconds; what CI runs
Uses BENCH_DATABASE_URL (default: database `bench`, wiped).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bench.common import ROOT, bench_urls, fresh_database
from scoring.checks import automatic_score, run_checks
from scoring.quality import QualityInputs, quality_score
from scoring.signals import AnswerContext

EVAL_SET = Path(ROOT) / "tests" / "data" / "answers_eval.jsonl"


Pair = tuple[str, str, str, str]  # subject, body, answer, language


def library_rate(texts: list[Pair], seconds: float) -> float:
    """Answers per second through run_checks + automatic_score + quality_score."""
    done, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        subject, body, answer, language = texts[done % len(texts)]
        signals = run_checks(AnswerContext(subject, body, language, answer))
        quality_score(QualityInputs(automatic_score(signals)))
        done += 1
    return done / (time.perf_counter() - started)


def _rows() -> list[dict[str, Any]]:
    return [json.loads(line) for line in EVAL_SET.read_text(encoding="utf-8").splitlines()]


def sample_texts() -> list[Pair]:
    """Question/answer pairs from the labelled evaluation set, with their language."""
    return [
        (r["question_subject"], r["question_body"], r["answer"], r["language"]) for r in _rows()
    ]


def long_texts(size: int, count: int, seed: int = 7) -> list[Pair]:
    """`count` answers of about `size` characters per language, each made of distinct sentences
    drawn from the set's answers and knowledge-base articles in that language."""
    rng = random.Random(seed)
    rows = _rows()
    out: list[Pair] = []
    for language, splitter, glue in (("en", r"(?<=[.!?])\s+", " "), ("zh", r"(?<=[。！？])", "")):
        mine = [r for r in rows if r["language"] == language]
        texts = {r["answer"] for r in mine} | {
            kb for r in mine for kb in r["context"]["knowledge_base"]
        }
        sentences = sorted({s.strip() for t in texts for s in re.split(splitter, t) if s.strip()})
        for n in range(count // 2):
            picked, length = [], 0
            for sentence in rng.sample(sentences, len(sentences)):
                if length >= size:
                    break
                picked.append(sentence)
                length += len(sentence) + len(glue)
            row = mine[n % len(mine)]
            out.append(
                (row["question_subject"], row["question_body"], glue.join(picked)[:size], language)
            )
    return out


def seed_outcomes(app: Any, experts: int, per_expert: int) -> int:
    """Bulk-insert experts with decided answers (every FK row they need); returns answers."""
    from marketplace.companies.services import create_company, find_pool
    from marketplace.database import new_id, utcnow
    from marketplace.extensions import db

    with app.app_context():
        issued = create_company("Bench Co", "CNY", slug="bench-scoring")
        pool = find_pool(issued.key.company_id, None)
        company_id, pool_id, now = issued.key.company_id, pool.id, utcnow()
        tables = db.metadata.tables
        answers = 0
        for start in range(0, experts, 5000):
            rows = _batch(
                range(start, min(start + 5000, experts)),
                per_expert,
                company_id,
                pool_id,
                now,
                new_id,
            )
            for table in (
                "users",
                "expert_profiles",
                "pool_memberships",
                "questions",
                "offers",
                "assignments",
                "answers",
                "feedback",
            ):
                db.session.execute(sa.insert(tables[table]), rows[table])
            db.session.commit()
            answers += len(rows["answers"])
        return answers


def _batch(
    numbers: range, per_expert: int, company_id: Any, pool_id: Any, now: Any, new_id: Any
) -> dict[str, list[dict[str, Any]]]:
    rows: dict[str, list[dict[str, Any]]] = {
        t: []
        for t in (
            "users",
            "expert_profiles",
            "pool_memberships",
            "questions",
            "offers",
            "assignments",
            "answers",
            "feedback",
        )
    }
    stamp = {"created_at": now, "updated_at": now}
    for n in numbers:
        expert = new_id()
        rows["users"].append(
            {
                "id": expert,
                "email": f"s{n}@bench.test",
                "password_hash": "x",
                "display_name": f"S{n}",
                "role": "expert",
                "status": "active",
                "locale": "en",
                **stamp,
            }
        )
        rows["expert_profiles"].append(
            {
                "user_id": expert,
                "headline": "",
                "motivation": "",
                "capacity": 2,
                "tier": "vetted",
                "reputation_mean": 0.5,
                "reputation_lower": 0.0,
                "availability": "offline",
                "active_assignments": 0,
                "missed_offers_in_row": 0,
                **stamp,
            }
        )
        rows["pool_memberships"].append(
            {
                "id": new_id(),
                "pool_id": pool_id,
                "expert_id": expert,
                "status": "approved",
                "tier": "vetted",
                "reputation_mean": 0.5,
                "reputation_lower": 0.0,
                **stamp,
            }
        )
        for k in range(per_expert):
            question, offer, assignment = new_id(), new_id(), new_id()
            decided = now - timedelta(days=random.randint(0, 180))
            rows["questions"].append(
                {
                    "id": question,
                    "company_id": company_id,
                    "pool_id": pool_id,
                    "external_id": f"s{n}-{k}",
                    "channel": "web",
                    "subject": "s",
                    "body": "b",
                    "language": "en",
                    "priority": 5,
                    "reward_amount": 100,
                    "reward_currency": "CNY",
                    "sla_deadline": now,
                    "status": "answered",
                    "content_fingerprint": "x",
                    "is_gold": False,
                    "ring": 0,
                    "reward_raise": 0,
                    **stamp,
                }
            )
            rows["offers"].append(
                {
                    "id": offer,
                    "question_id": question,
                    "expert_id": expert,
                    "status": "accepted",
                    "ring": 0,
                    "rank": 0,
                    "score": 0.5,
                    "reasons": {},
                    "created_at": now,
                    "expires_at": now,
                }
            )
            rows["assignments"].append(
                {
                    "id": assignment,
                    "question_id": question,
                    "expert_id": expert,
                    "offer_id": offer,
                    "status": "answered",
                    "created_at": now,
                    "deadline": now,
                }
            )
            rows["answers"].append(
                {
                    "id": new_id(),
                    "assignment_id": assignment,
                    "company_id": company_id,
                    "question_id": question,
                    "expert_id": expert,
                    "idempotency_key": f"k{n}-{k}",
                    "body": "answer",
                    "status": "released",
                    "signals": {},
                    "outcome": "accepted" if random.random() < 0.8 else "rejected",
                    "decided_at": decided,
                    **stamp,
                }
            )
            if k % 3 == 0:
                rows["feedback"].append(
                    {
                        "id": new_id(),
                        "question_id": question,
                        "rating": random.randint(1, 5),
                        "resolved": True,
                        "created_at": decided,
                    }
                )
    return rows


def reputation_times(app: Any) -> tuple[float, float, int, int]:
    """(seconds to read the evidence rows, seconds for recompute_all, rows, memberships)."""
    from marketplace.experts.reputation import read_evidence, recompute_all
    from marketplace.extensions import db

    with app.app_context():
        started = time.perf_counter()
        rows = len(read_evidence(None).kind)
        read = time.perf_counter() - started
        db.session.rollback()
        started = time.perf_counter()
        memberships = recompute_all()
        return read, time.perf_counter() - started, rows, memberships


def grading_rate(app: Any, answers: int) -> float:
    """Answers per second through grading.score_answer on the seeded database."""
    from marketplace.answers import grading
    from marketplace.answers.models import Answer
    from marketplace.extensions import db

    with app.app_context():
        ids = list(db.session.scalars(sa.select(Answer.id).limit(answers)))
        db.session.rollback()
        started = time.perf_counter()
        for answer_id in ids:
            grading.score_answer(answer_id)
        return len(ids) / (time.perf_counter() - started)


def main() -> None:
    """Run and print the figures (and optionally write JSON)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--experts", type=int, default=100_000)
    parser.add_argument("--per-expert", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=3.0, help="per library measurement")
    parser.add_argument("--graded", type=int, default=300, help="answers through the app path")
    parser.add_argument("--smoke", action="store_true")
    parser.add_argument("--json")
    args = parser.parse_args()
    if args.smoke:
        args.experts, args.seconds, args.graded = 500, 0.5, 20
    from flask_migrate import upgrade

    from marketplace import create_app

    texts = sample_texts()
    rates = {
        "short": library_rate(texts, args.seconds),
        "5kB": library_rate(long_texts(5_000, 40), args.seconds),
        "100kB": library_rate(long_texts(100_000, 4), args.seconds),
    }
    database_url, _ = bench_urls()
    fresh_database(database_url)
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "REDIS_URL": None,
            "SECRET_KEY": "bench",
            "MATCHING_ENGINE_AUTOSTART": False,
        }
    )
    with app.app_context():
        upgrade()
    started = time.perf_counter()
    answers = seed_outcomes(app, args.experts, args.per_expert)
    seeded = time.perf_counter() - started
    read, recompute, evidence_rows, memberships = reputation_times(app)
    graded = grading_rate(app, args.graded)
    results = {
        "library_answers_per_s": rates,
        "graded_answers_per_s": graded,
        "experts": args.experts,
        "answers": answers,
        "seed_s": seeded,
        "read_rows_s": read,
        "recompute_s": recompute,
        "memberships": memberships,
        "evidence_rows": evidence_rows,
    }
    print("\nScoring library (checks + automatic score + quality), answers per second")
    for name, rate in rates.items():
        print(f"  {name:>6} answers: {rate:10.1f}/s")
    print(f"App grading path (score_answer on PostgreSQL): {graded:10.1f} answers/s")
    print(
        f"\nReputation for {args.experts:,} experts ({answers:,} decided answers, "
        f"{evidence_rows:,} evidence rows with ratings; seeded in {seeded:.1f}s)"
    )
    print(f"  read the same evidence rows:        {read:8.2f} s   (baseline)")
    print(
        f"  recompute all ({memberships:,} memberships):  {recompute:8.2f} s   "
        f"ratio {recompute / read:5.2f}x"
    )
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
