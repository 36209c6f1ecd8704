"""The company's account: budget, holds and spend."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from marshmallow import Schema, fields

from marketplace.api.auth import company_caller
from marketplace.api.guards import company_blueprint
from marketplace.companies.services import get_company
from marketplace.rewards import services as rewards

URL_PREFIX = "/account"
blp = company_blueprint("account", __name__, "Budget, holds and spend.")


class BalanceSchema(Schema):
    """Money in one currency, in minor units."""

    currency = fields.String()
    budget = fields.Integer(metadata={"description": "Available to commit to new questions."})
    on_hold = fields.Integer(metadata={"description": "Held for open questions."})
    spent = fields.Integer(metadata={"description": "Paid to experts and fees."})
    topped_up = fields.Integer(metadata={"description": "Total prepaid."})


class AccountSchema(Schema):
    """The calling company and its balances."""

    company_id = fields.UUID()
    name = fields.String()
    slug = fields.String()
    currency = fields.String()
    balances = fields.List(fields.Nested(BalanceSchema))


@blp.route("")
class Account(MethodView):
    """The calling company."""

    @blp.response(200, AccountSchema)
    def get(self) -> dict[str, Any]:
        """Budget, amounts on hold and spend, per currency."""
        company = get_company(company_caller().company_id)
        return {
            "company_id": company.id,
            "name": company.name,
            "slug": company.slug,
            "currency": company.currency,
            "balances": rewards.company_balances(company.id),
        }
