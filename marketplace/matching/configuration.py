"""Company-wide matching settings: read them with what is in effect, change them validated."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa

from marketplace.companies.models import Company
from marketplace.errors import NotFound
from marketplace.eventlog.services import Actor, record
from marketplace.extensions import db
from marketplace.matching.schemas import STORED_SETTINGS
from marketplace.matching.settings import settings_document, settings_for

MATCHING_KEYS = tuple(STORED_SETTINGS.fields)


def company_settings(company_id: uuid.UUID) -> dict[str, Any]:
    """The company's own matching settings and the settings in effect for its questions."""
    return _view(_company(company_id))


def update_company_settings(
    company_id: uuid.UUID, changes: dict[str, Any], actor: Actor
) -> dict[str, Any]:
    """Apply validated changes (MatchingSettingsPatchSchema); None resets a setting."""
    company = _company(company_id, lock=True)
    before = _state(company)
    own = dict(company.settings or {})
    for name, value in changes.items():
        if name == "offer_mode":
            company.offer_mode = value
        elif value is None:
            own.pop(name, None)
        else:
            own[name] = value
    company.settings = own  # a new dict, so the JSON column is seen as changed
    after = _state(company)
    if after != before:
        record(
            actor,
            "company.matching_settings_changed",
            "company",
            company.id,
            company_id=company.id,
            before=before,
            after=after,
        )
    db.session.commit()
    return _view(company)


def _company(company_id: uuid.UUID, lock: bool = False) -> Company:
    query = sa.select(Company).where(Company.id == company_id)
    company = db.session.scalars(query.with_for_update() if lock else query).one_or_none()
    if company is None:
        raise NotFound("No such company.")
    return company


def _own(company: Company) -> dict[str, Any]:
    settings = company.settings or {}
    return {name: settings[name] for name in MATCHING_KEYS if name in settings}


def _state(company: Company) -> dict[str, Any]:
    return {"offer_mode": company.offer_mode.value, "settings": _own(company)}


def _view(company: Company) -> dict[str, Any]:
    return {
        "settings": _own(company),
        "effective": settings_document(settings_for(company, None)),
    }
