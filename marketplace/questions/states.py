"""The question status machine: which moves are allowed, recorded in the event log."""

from __future__ import annotations

from marketplace.database import utcnow
from marketplace.errors import Conflict
from marketplace.eventlog.services import Actor, record
from marketplace.questions.models import Question
from marketplace.questions.models import QuestionStatus as S

ALLOWED: dict[S, frozenset[S]] = {
    S.QUEUED: frozenset({S.OFFERED, S.ASSIGNED, S.RETURNED, S.EXPIRED, S.CANCELLED}),
    S.OFFERED: frozenset({S.QUEUED, S.ASSIGNED, S.RETURNED, S.EXPIRED, S.CANCELLED}),
    S.ASSIGNED: frozenset({S.QUEUED, S.ANSWERED, S.EXPIRED, S.CANCELLED}),
    # A rejected answer sends the question back to the queue.
    S.ANSWERED: frozenset({S.QUEUED}),
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
