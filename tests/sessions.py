"""Logged-in browser clients for tests: a company admin or an expert, with the CSRF header."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from tests.factories import CompanyFixture, app_context

_counter = itertools.count(1)


@dataclass
class BrowserSession:
    """A test client holding a session cookie, and its CSRF token."""

    client: FlaskClient
    csrf: str

    def _headers(self, extra: dict[str, str] | None) -> dict[str, str]:
        return {"X-CSRF-Token": self.csrf} | (extra or {})

    def get(self, url: str, **kwargs: Any) -> Any:
        """GET (no CSRF needed)."""
        return self.client.get(url, **kwargs)

    def post(self, url: str, headers: dict[str, str] | None = None, **kwargs: Any) -> Any:
        """POST with the CSRF header."""
        return self.client.post(url, headers=self._headers(headers), **kwargs)

    def patch(self, url: str, headers: dict[str, str] | None = None, **kwargs: Any) -> Any:
        """PATCH with the CSRF header."""
        return self.client.patch(url, headers=self._headers(headers), **kwargs)

    def put(self, url: str, headers: dict[str, str] | None = None, **kwargs: Any) -> Any:
        """PUT with the CSRF header."""
        return self.client.put(url, headers=self._headers(headers), **kwargs)

    def delete(self, url: str, headers: dict[str, str] | None = None, **kwargs: Any) -> Any:
        """DELETE with the CSRF header."""
        return self.client.delete(url, headers=self._headers(headers), **kwargs)


def log_in(app: Flask, email: str, password: str = "password-123") -> BrowserSession:
    """A client logged in through POST /api/v1/auth/session."""
    client = app.test_client()
    response = client.post("/api/v1/auth/session", json={"email": email, "password": password})
    assert response.status_code == 200, response.get_json()
    return BrowserSession(client, response.get_json()["csrf_token"])


def admin_session(app: Flask, company: CompanyFixture) -> BrowserSession:
    """A new company admin of `company`, logged in."""
    from marketplace.accounts.models import Role
    from marketplace.accounts.services import create_user

    email = f"admin{next(_counter)}-{company.id.hex[:6]}@example.test"
    with app_context(app):
        create_user(email, "password-123", "Admin", Role.COMPANY_ADMIN, company_id=company.id)
    return log_in(app, email)
