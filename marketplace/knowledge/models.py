"""Knowledge-base entries of a company: the articles answers must not copy and experts may read."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from marketplace.database import Base, Timestamps, UuidPk


class KnowledgeEntry(UuidPk, Timestamps, Base):
    """One article of a company's knowledge base (title, body, language, tags)."""

    __tablename__ = "knowledge_entries"
    __table_args__ = (sa.Index("ix_knowledge_entries_company_recent", "company_id", "created_at"),)

    company_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("companies.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text)
    language: Mapped[str] = mapped_column(sa.String(16))
    tags: Mapped[list[str]] = mapped_column(default=list)
