"""The demo companies come with scoring settings and knowledge-base entries in zh and en."""

from __future__ import annotations

import sqlalchemy as sa

from marketplace.companies.models import Company
from marketplace.knowledge.models import KnowledgeEntry
from marketplace.knowledge.services import scoring_settings_of


def test_demo_companies_have_allowed_domains_and_bilingual_entries(app, db, runner):
    assert runner.invoke(args=["demo", "seed"]).exit_code == 0
    for company in db.session.scalars(sa.select(Company)):
        assert scoring_settings_of(company).allowed_domains
        languages = set(
            db.session.scalars(sa.select(KnowledgeEntry.language).filter_by(company_id=company.id))
        )
        assert languages == {"en", "zh"}
