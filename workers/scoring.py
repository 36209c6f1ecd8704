"""Scoring jobs: grade an answer, re-grade after feedback or a verdict, recompute reputation."""

from __future__ import annotations

import uuid

from marketplace.answers import grading, reviews
from marketplace.experts import reputation
from workers.context import job_context


def score_answer(answer_id: str) -> float | None:
    """Grade a newly submitted answer (idempotent: same inputs, same stored result)."""
    with job_context():
        return grading.score_answer(uuid.UUID(answer_id)).score


def requeue_unscored() -> int:
    """Queue again the scoring of answers whose job was lost (every few minutes)."""
    with job_context():
        return grading.requeue_unscored()


def rescore_question(question_id: str) -> int:
    """Grade a question's answers again (customer feedback or a verdict arrived)."""
    with job_context():
        return grading.rescore_question_answers(uuid.UUID(question_id))


def recompute_reputation(expert_id: str) -> dict:
    """Recompute one expert's reputation, tiers and skill estimates."""
    with job_context():
        return reputation.recompute_expert(uuid.UUID(expert_id))


def recompute_all_reputations() -> int:
    """Recompute every membership's reputation in one vectorised pass (nightly)."""
    with job_context():
        return reputation.recompute_all()


def aggregate_reviews(pool_id: str) -> int:
    """Weigh a pool's peer reviews by reviewer reliability and re-grade what changed."""
    with job_context():
        return reviews.aggregate_pool(uuid.UUID(pool_id))
