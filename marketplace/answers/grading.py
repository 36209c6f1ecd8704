"""Grade answers with the scoring library: fetch what it needs, store the score and its reasons.

The formulas live in `scoring/` (pure); this module only gathers inputs (the question, earlier
answers of other experts, the company's knowledge base, banned terms and allowed domains,
customer feedback, peer consensus, a moderator's verdict, the gold reference) and records the
result. Scoring the same inputs twice
stores the same result, so the job may run any number of times.
"""

from __future__ import annotations

import json
import logging
import uuid
from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from marketplace import broadcast
from marketplace.accounts.models import Role
from marketplace.accounts.services import UserCaller
from marketplace.aftercommit import after_commit
from marketplace.answers.models import Answer, Feedback, Outcome
from marketplace.companies.models import Company
from marketplace.database import utcnow
from marketplace.errors import Conflict, NotFound
from marketplace.eventlog.services import Actor, record
from marketplace.extensions import db
from marketplace.knowledge import services as knowledge
from marketplace.moderation import sanctions
from marketplace.moderation.items import (
    awaiting_verdict,
    in_queue_of,
    low_score_threshold,
    open_item,
)
from marketplace.moderation.models import Audit, AuditReason, Verdict
from marketplace.questions.models import GoldReference, Question
from marketplace.queue import JobOptions, enqueue
from marketplace.rewards import lifecycle
from scoring.checks import automatic_score, run_checks
from scoring.gold import grade_gold
from scoring.quality import QualityInputs, QualityScore, quality_score
from scoring.quality import Verdict as QualityVerdict
from scoring.signals import AnswerContext, Signal, SignalCode

log = logging.getLogger(__name__)
SYSTEM = Actor.system("scoring")
COMPARE_WITH = 200  # recent answers of the company checked for copying (bounded work)
COMPARE_DAYS = 30
HARD_FLAGS = {SignalCode.PERSONAL_DATA, SignalCode.COPIED}


def score_answer(answer_id: uuid.UUID) -> Answer:
    """Run the checks, blend the quality, decide the outcome once; notify after commit."""
    # The row lock makes concurrent scorers of one answer take turns; the second finds the
    # result already stored and changes nothing.
    answer = db.session.scalars(
        sa.select(Answer).where(Answer.id == answer_id).with_for_update()
    ).one_or_none()
    if answer is None:
        raise NotFound("No such answer.")
    question = db.session.get(Question, answer.question_id)
    company = db.session.get(Company, question.company_id)
    signals = run_checks(_context(answer, question, company))
    automatic = automatic_score(signals)
    gold = _grade_gold(answer, question)
    quality = quality_score(_inputs(answer, automatic))
    # Through JSON once, so a stored explanation compares equal to a fresh one (tuples -> lists).
    explanation = json.loads(json.dumps(_explain(signals, automatic, quality, gold)))
    changed = (answer.score, answer.signals) != (round(quality.value, 6), explanation)
    answer.score = round(quality.value, 6)
    answer.score_confidence = round(quality.confidence, 6)
    answer.signals = explanation
    if gold is not None:
        first_grade, answer.gold_passed = answer.gold_passed is None, gold["passed"]
        if first_grade:  # also while a probation audit holds the outcome back
            sanctions.after_gold(answer.expert_id)
    decided = _decide(answer, signals, quality, gold, company)
    if changed or decided:
        record(
            SYSTEM,
            "answer.scored",
            "answer",
            answer.id,
            company_id=question.company_id,
            after={"score": answer.score, "outcome": answer.outcome.value},
        )
        payload = scored_payload(answer)
        after_commit(broadcast.to_expert, answer.expert_id, "answer.scored", payload)
        after_commit(broadcast.to_company, question.company_id, "answer.scored", payload)
        after_commit(enqueue_reputation, answer.expert_id)
    db.session.commit()
    return answer


def scored_payload(answer: Answer) -> dict[str, Any]:
    """What the expert and the company are told about a scored answer."""
    return {
        "answer_id": str(answer.id),
        "question_id": str(answer.question_id),
        "score": answer.score,
        "confidence": answer.score_confidence,
        "outcome": answer.outcome.value,
        "signals": answer.signals.get("signals", []),
    }


def enqueue_reputation(expert_id: uuid.UUID) -> None:
    """Recompute the expert's reputation soon (one pending job per expert)."""
    enqueue(
        "workers.scoring.recompute_reputation",
        str(expert_id),
        job_id=f"reputation-{expert_id}",
        delay=1,
        options=JobOptions(queue="low", retry_delays=(10, 60)),
    )


# An answer still unscored this long after it was written lost its scoring job (a worker
# killed mid-job, Redis restarted without persistence) or the job used up its retries (5, 30,
# 120 s): the sweep queues it again. Scoring is idempotent, so a late original does no harm.
UNSCORED_AFTER = timedelta(minutes=10)
UNSCORED_BATCH = 500


def requeue_unscored() -> int:
    """Queue the scoring of answers left unscored UNSCORED_AFTER (oldest first, a batch per
    run); returns how many were queued. One attempt per answer per UNSCORED_AFTER window."""
    now = utcnow()
    ids = list(
        db.session.scalars(
            sa.select(Answer.id)
            .where(Answer.score.is_(None), Answer.created_at < now - UNSCORED_AFTER)
            .order_by(Answer.created_at)
            .limit(UNSCORED_BATCH)
        )
    )
    db.session.rollback()
    window = int(now.timestamp() // UNSCORED_AFTER.total_seconds())
    queued = sum(
        enqueue(
            "workers.scoring.score_answer",
            str(answer_id),
            job_id=f"score-{answer_id}-sweep-{window}",
            options=JobOptions(queue="default"),
        )
        for answer_id in ids
    )
    if ids:
        log.warning(
            "%d answers were still unscored; %d scoring jobs queued again", len(ids), queued
        )
    return queued


def rescore_question_answers(question_id: uuid.UUID) -> int:
    """Feedback or a verdict arrived: score the question's answers again."""
    ids = list(db.session.scalars(sa.select(Answer.id).filter_by(question_id=question_id)))
    db.session.rollback()
    for answer_id in ids:
        score_answer(answer_id)
    return len(ids)


def _context(answer: Answer, question: Question, company: Company) -> AnswerContext:
    """The checks' inputs, all anchored at the answer's creation: rescoring sees the same.

    Copies are looked for among other experts' answers written before this one (at most
    COMPARE_WITH, within COMPARE_DAYS before it) and the knowledge-base entries that existed
    then, so an original is never flagged as a copy of the later copy, nor of the expert's
    own earlier words.
    """
    settings = knowledge.scoring_settings_of(company)
    others = db.session.scalars(
        sa.select(Answer.body)
        .where(
            Answer.company_id == company.id,
            Answer.expert_id != answer.expert_id,
            Answer.created_at < answer.created_at,
            Answer.created_at >= answer.created_at - timedelta(days=COMPARE_DAYS),
        )
        .order_by(Answer.created_at.desc(), Answer.id.desc())
        .limit(COMPARE_WITH)
    ).all()
    return AnswerContext(
        question_subject=question.subject,
        question_body=question.body,
        question_language=question.language.split("-")[0],
        answer=answer.body,
        other_answers=tuple(others),
        knowledge_base=tuple(knowledge.texts_for_copy_check(company.id, answer.created_at)),
        banned_terms=settings.banned_terms,
        allowed_domains=settings.allowed_domains,
    )


def _inputs(answer: Answer, automatic: float) -> QualityInputs:
    feedback = db.session.scalars(
        sa.select(Feedback).filter_by(question_id=answer.question_id)
    ).one_or_none()
    verdict = latest_verdict(answer.id)
    return QualityInputs(
        automatic=automatic,
        customer_rating=feedback.rating if feedback else None,
        resolved=feedback.resolved if feedback else None,
        peer_good_probability=answer.peer_good_probability,
        verdict=None
        if verdict is None
        else (QualityVerdict.REJECT if verdict == Verdict.REJECT else QualityVerdict.APPROVE),
    )


def latest_verdict(answer_id: uuid.UUID) -> Verdict | None:
    """The most recent moderator verdict on an answer, if any (calibration verdicts only
    measure the moderator and never count)."""
    return db.session.scalars(
        sa.select(Audit.verdict)
        .filter_by(answer_id=answer_id, calibration=False)
        .order_by(Audit.created_at.desc())
        .limit(1)
    ).first()


def _grade_gold(answer: Answer, question: Question) -> dict[str, Any] | None:
    if not question.is_gold:
        return None
    reference = db.session.get(GoldReference, question.id)
    if reference is None:
        return None
    result = grade_gold(
        answer.body, reference.references, reference.threshold, tuple(reference.required_terms)
    )
    return {
        "similarity": round(result.similarity, 4),
        "passed": result.passed,
        "threshold": reference.threshold,
        "missing_terms": list(result.missing_terms),
    }


def _explain(
    signals: tuple[Signal, ...],
    automatic: float,
    quality: QualityScore,
    gold: dict[str, Any] | None,
) -> dict[str, Any]:
    """Each signal with its reason (English and Chinese), and how the score was blended."""
    return {
        "signals": [
            {
                "code": s.code.value,
                "score": round(s.score, 4),
                "flagged": s.flagged,
                "reason": s.reason,
                "reason_zh": s.reason_zh,
                "details": dict(s.details),
            }
            for s in signals
        ],
        "automatic": round(automatic, 6),
        "components": [
            {"name": c.name, "value": round(c.value, 4), "weight": round(c.weight, 4)}
            for c in quality.components
        ],
        "overridden_by": quality.overridden_by.value if quality.overridden_by else None,
        "gold": gold,
    }


def _decide(
    answer: Answer,
    signals: tuple[Signal, ...],
    quality: QualityScore,
    gold: dict[str, Any] | None,
    company: Company,
) -> bool:
    """Settle the outcome: a verdict decides; otherwise once, from hard flags, gold, the score.

    Pending (a hard flag, or a score below the threshold) waits for a moderator.
    """
    verdict = latest_verdict(answer.id)
    if verdict is not None:
        target = Outcome.REJECTED if verdict == Verdict.REJECT else Outcome.ACCEPTED
    elif answer.outcome != Outcome.PENDING or awaiting_verdict(answer.id):
        return False  # a probation or sample audit decides (held, or released and flagged)
    elif any(s.flagged and s.code in HARD_FLAGS for s in signals):
        # Before gold: a gold answer that leaks personal data or copies is not paid either.
        open_item(answer, [AuditReason.LOW_SCORE])
        return False
    elif gold is not None:
        target = Outcome.ACCEPTED if gold["passed"] else Outcome.REJECTED
    else:
        # The pool's audit `low_score`, else the company's accept_threshold (docs/moderation.md).
        threshold = knowledge.scoring_settings_of(company).accept_threshold
        if quality.value < low_score_threshold(answer.question.pool_id, threshold):
            open_item(answer, [AuditReason.LOW_SCORE])
            return False
        target = Outcome.ACCEPTED
    if answer.outcome == target:
        return False
    set_outcome(answer, target, SYSTEM)
    return True


def set_outcome(answer: Answer, outcome: Outcome, actor: Actor, reason: str | None = None) -> None:
    """Record an outcome; money follows it (capture, reversal, reinstatement), same transaction."""
    before = answer.outcome
    answer.outcome, answer.decided_at = outcome, utcnow()
    record(
        actor,
        f"answer.{outcome.value}",
        "answer",
        answer.id,
        before={"outcome": before.value},
        after={"outcome": outcome.value, "reason": reason},
    )
    _money_follows(answer, before, outcome, actor, reason)


def _money_follows(
    answer: Answer, before: Outcome, outcome: Outcome, actor: Actor, reason: str | None
) -> None:
    """Accepted: a reward is reserved (settlement captures it); un-accepted: reversed."""
    if outcome == Outcome.ACCEPTED:
        # A moderator's approval floors the quality (QualityWeights.approve_floor).
        quality = (
            max(answer.score or 0.0, 0.7) if latest_verdict(answer.id) else (answer.score or 0.0)
        )
        lifecycle.accept_in_transaction(
            answer.id,
            min(quality, 1.0),
            actor,
            reinstating=before == Outcome.REJECTED,
            reason=reason or "accepted",
        )
    elif before == Outcome.ACCEPTED:
        lifecycle.reverse_in_transaction(answer.id, (reason or "rejected")[:200], actor)


def expert_explanation(explanation: dict[str, Any] | None) -> dict[str, Any]:
    """The stored explanation without what only moderators may know (the gold grading)."""
    return {k: v for k, v in (explanation or {}).items() if k != "gold"}


def answer_for_moderator(moderator: UserCaller, answer_id: uuid.UUID) -> dict[str, Any]:
    """An answer with its question and full explanation: a moderator of its company or a
    platform admin; another company's answer is not found."""
    answer = db.session.get(Answer, answer_id)
    if answer is None or (
        moderator.role != Role.PLATFORM_ADMIN and answer.company_id != moderator.company_id
    ):
        raise NotFound("No such answer.")
    if in_queue_of(answer.id, moderator.user_id):
        raise Conflict(
            "This answer is in your audit queue: judge it from the (blind) item view.",
            errors={"answer_id": ["in your audit queue"]},
        )
    return {"answer": answer, "question": answer.question, "explanation": answer.signals or {}}


def answer_of_expert(expert_id: uuid.UUID, answer_id: uuid.UUID) -> Answer:
    """One of the expert's own answers."""
    answer = db.session.scalars(
        sa.select(Answer).filter_by(id=answer_id, expert_id=expert_id)
    ).one_or_none()
    if answer is None:
        raise NotFound("No such answer.")
    return answer
