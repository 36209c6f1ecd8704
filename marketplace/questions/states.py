"""The question status machine: which moves are allowed, recorded in the event log."""

from __future__ import annotations

from marketplace.database import utcnow
from marketplace.errors import Conflict
from marketplace.eventlog.services import Actor, record
from marketplace.questions.models import Question
from marketplace.questions.models import QuestionStatus as S

ALLOWED: dict[S, frozenset[S]] = {
    # queued/offered -> answered: an appeal restored the answer a moderator had rejected.
    S.QUEUED: frozenset({S.OFFERED, S.ASSIGNED, S.ANSWERED, S.RETURNED, S.EXPIRED, S.CANCELLED}),
    S.OFFERED: frozenset({S.QUEUED, S.ASSIGNED, S.ANSWERED, S.RETURNED, S.EXPIRED, S.CANCELLED}),
    S.ASSIGNED: frozenset({S.QUEUED, S.ANSWERED, S.IN_REVIEW, S.EXPIRED, S.CANCELLED}),
    # A held answer is approved (answered) or rejected (back to the queue, or returned).
    S.IN_REVIEW: frozenset({S.ANSWERED, S.QUEUED, S.RETURNED}),
    # A rejected answer sends the question back to the queue (or to the company).
    S.ANSWERED: frozenset({S.QUEUED, S.RETURNED}),
    S.RETURNED: frozenset(),
    S.EXPIRED: frozenset(),
    S.CANCELLED: frozenset(),
}

OPEN_STATUSES = frozenset({S.QUEUED, S.OFFERED, S.ASSIGNED})
FINAL_STATUSES = frozenset({S.RETURNED, S.EXPIRED, S.CANCELLED})


def can_move(current: S, target: S) -> bool:
    """Whether the machine allows current -> target."""
    return target in ALLOWED[current]


def move(question: Question, target: S, actor: Actor, reason: str | None = None) -> None:
    """Change the status in the caller's transaction and log it; refuse illegal moves."""
    current = question.status
    if not can_move(current, target):
        raise Conflict(
            f"A {current.value} question cannot become {target.value}.",
            errors={"status": [f"is {current.value}"]},
        )
    question.status = target
    question.status_changed_at = utcnow()
    after = {"status": target.value} | ({"reason": reason} if reason else {})
    record(
        actor,
        f"question.{target.value}",
        "question",
        question.id,
        company_id=question.company_id,
        before={"status": current.value},
        after=after,
    )


def move_if(
    question_id: object,
    company_id: object,
    sources: frozenset[S] | set[S],
    target: S,
    actor: Actor,
    reason: str | None = None,
) -> S | None:
    """Conditionally move a question with one UPDATE (only one racer wins); log the move.

    Returns the status it moved from, or None when it was not in `sources` any more.
    """
    import sqlalchemy as sa

    from marketplace.extensions import db

    table = Question.__table__
    now = utcnow()
    before = db.session.execute(
        sa.select(table.c.status).where(table.c.id == question_id).with_for_update()
    ).scalar_one_or_none()
    if before is None or S(before) not in sources:
        return None
    moved = db.session.execute(
        sa.update(table)
        .where(table.c.id == question_id, table.c.status == before)
        .values(status=target.value, status_changed_at=now, updated_at=now)
    ).rowcount
    if not moved:
        return None
    after = {"status": target.value} | ({"reason": reason} if reason else {})
    record(
        actor,
        f"question.{target.value}",
        "question",
        question_id,
        company_id=company_id,
        before={"status": S(before).value},
        after=after,
    )
    return S(before)
