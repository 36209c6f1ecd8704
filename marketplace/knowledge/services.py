"""The company's knowledge base and scoring settings: validated writes, tolerant reads.

Company.settings keys read by the scoring: `banned_terms`, `allowed_domains`,
`accept_threshold` and `gold_threshold`. They are written only through
update_scoring_settings (validated by ScoringSettingsPatchSchema); scoring_settings reads them
back and falls back to the defaults for anything malformed written before validation existed,
so a bad value can never crash a scoring job.
"""

from __future__ import annotations

import math
import uuid
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from marketplace.companies.models import Company
from marketplace.errors import NotFound
from marketplace.eventlog.services import Actor, record
from marketplace.extensions import db
from marketplace.knowledge.models import KnowledgeEntry
from marketplace.matching.models import Assignment
from marketplace.questions.models import Question
from marketplace.questions.services import decode_cursor, encode_cursor
from scoring.relevance import rank

DEFAULT_ACCEPT_THRESHOLD = 0.6
DEFAULT_GOLD_THRESHOLD = 0.25
MAX_ENTRIES_COMPARED = 500  # knowledge-base entries a copy check reads (bounded work)
SUGGESTIONS = 5
SUGGESTION_CANDIDATES = 500
SETTING_NAMES = ("banned_terms", "allowed_domains", "accept_threshold", "gold_threshold")


@dataclass(frozen=True)
class ScoringSettings:
    """What the scoring uses of a company's settings, validated."""

    banned_terms: tuple[str, ...] = ()
    allowed_domains: tuple[str, ...] = ()
    accept_threshold: float = DEFAULT_ACCEPT_THRESHOLD
    gold_threshold: float = DEFAULT_GOLD_THRESHOLD


def scoring_settings_of(company: Company) -> ScoringSettings:
    """The company's scoring settings; malformed stored values read as the defaults."""
    raw = company.settings or {}
    return ScoringSettings(
        banned_terms=tuple(_strings(raw.get("banned_terms"))[:500]),
        allowed_domains=tuple(_strings(raw.get("allowed_domains"))[:100]),
        accept_threshold=_fraction(raw.get("accept_threshold"), DEFAULT_ACCEPT_THRESHOLD),
        gold_threshold=_fraction(raw.get("gold_threshold"), DEFAULT_GOLD_THRESHOLD),
    )


def scoring_settings(company_id: uuid.UUID) -> ScoringSettings:
    """The scoring settings of a company by id."""
    company = db.session.get(Company, company_id)
    if company is None:
        raise NotFound("No such company.")
    return scoring_settings_of(company)


def update_scoring_settings(
    company_id: uuid.UUID, changes: dict[str, Any], actor: Actor
) -> ScoringSettings:
    """Change validated settings (None resets one to its default); one event when changed."""
    company = db.session.get(Company, company_id)
    if company is None:
        raise NotFound("No such company.")
    before = scoring_settings_of(company)
    settings = dict(company.settings or {})
    for name, value in changes.items():
        if name not in SETTING_NAMES:
            continue
        if value is None:
            settings.pop(name, None)
        else:
            settings[name] = value
    company.settings = settings  # a new dict, so the JSON column is seen as changed
    after = scoring_settings_of(company)
    if after != before:
        record(
            actor,
            "company.scoring_settings_changed",
            "company",
            company.id,
            company_id=company.id,
            before=asdict(before),
            after=asdict(after),
        )
    db.session.commit()
    return after


def _strings(value: Any) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _fraction(value: Any, default: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return default
    return float(value) if 0.0 <= value <= 1.0 else default


def list_entries(
    company_id: uuid.UUID, cursor: str | None, limit: int
) -> tuple[list[KnowledgeEntry], str | None]:
    """The company's entries, newest first, one page."""
    query = sa.select(KnowledgeEntry).where(KnowledgeEntry.company_id == company_id)
    if cursor is not None:
        query = query.where(KnowledgeEntry.id < decode_cursor(cursor))
    rows = db.session.scalars(query.order_by(KnowledgeEntry.id.desc()).limit(limit + 1)).all()
    next_cursor = encode_cursor(rows[limit - 1].id) if len(rows) > limit else None
    return list(rows[:limit]), next_cursor


def get_entry(company_id: uuid.UUID, entry_id: uuid.UUID) -> KnowledgeEntry:
    """One of the company's entries; another company's is not found."""
    entry = db.session.scalars(
        sa.select(KnowledgeEntry).filter_by(id=entry_id, company_id=company_id)
    ).one_or_none()
    if entry is None:
        raise NotFound("No such knowledge-base entry.")
    return entry


def create_entry(company_id: uuid.UUID, data: dict[str, Any], actor: Actor) -> KnowledgeEntry:
    """Add an entry (validated data)."""
    entry = KnowledgeEntry(company_id=company_id, **data)
    db.session.add(entry)
    db.session.flush()
    record(actor, "knowledge.created", "knowledge_entry", entry.id, company_id=company_id)
    db.session.commit()
    return entry


def update_entry(
    company_id: uuid.UUID, entry_id: uuid.UUID, changes: dict[str, Any], actor: Actor
) -> KnowledgeEntry:
    """Change an entry's title, body, language or tags."""
    entry = get_entry(company_id, entry_id)
    for name, value in changes.items():
        setattr(entry, name, value)
    record(actor, "knowledge.updated", "knowledge_entry", entry.id, company_id=company_id)
    db.session.commit()
    return entry


def delete_entry(company_id: uuid.UUID, entry_id: uuid.UUID, actor: Actor) -> None:
    """Remove an entry."""
    entry = get_entry(company_id, entry_id)
    db.session.delete(entry)
    record(actor, "knowledge.deleted", "knowledge_entry", entry_id, company_id=company_id)
    db.session.commit()


def texts_for_copy_check(company_id: uuid.UUID, before: datetime) -> list[str]:
    """Bodies of the entries that existed before `before` (an answer's time), oldest first.

    Anchored at the answer, so rescoring it later compares against the same articles.
    """
    return list(
        db.session.scalars(
            sa.select(KnowledgeEntry.body)
            .where(KnowledgeEntry.company_id == company_id, KnowledgeEntry.created_at <= before)
            .order_by(KnowledgeEntry.created_at, KnowledgeEntry.id)
            .limit(MAX_ENTRIES_COMPARED)
        )
    )


def suggestions_for(expert_id: uuid.UUID, assignment_id: uuid.UUID) -> list[KnowledgeEntry]:
    """Entries of the question's company most relevant to it, for the assignee only."""
    question = db.session.scalars(
        sa.select(Question)
        .join(Assignment, Assignment.question_id == Question.id)
        .where(Assignment.id == assignment_id, Assignment.expert_id == expert_id)
    ).one_or_none()
    if question is None:
        raise NotFound("No such assignment.")
    entries = db.session.scalars(
        sa.select(KnowledgeEntry)
        .where(KnowledgeEntry.company_id == question.company_id)
        .order_by(KnowledgeEntry.created_at.desc())
        .limit(SUGGESTION_CANDIDATES)
    ).all()
    documents = [f"{e.title}\n{e.body}\n{' '.join(e.tags or [])}" for e in entries]
    return [
        entries[i] for i in rank(f"{question.subject}\n{question.body}", documents, SUGGESTIONS)
    ]
