"""Opaque cursors for the moderation lists: the sort key of the last row seen, base64url JSON."""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from datetime import datetime
from typing import Any

from marketplace.errors import InvalidInput


def encode(**key: uuid.UUID | datetime | int | None) -> str:
    """A cursor that resumes after the row with this sort key."""
    plain = {
        name: value.isoformat() if isinstance(value, datetime) else value
        for name, value in key.items()
    }
    text = json.dumps(plain, default=str, separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode(cursor: str, **types: type) -> dict[str, Any]:
    """Read a cursor back (`types` says how to parse each field besides `id`); damage is 422."""
    types = {"id": uuid.UUID, **types}
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        return {name: _parse(raw[name], kind) for name, kind in types.items()}
    except (ValueError, KeyError, TypeError, binascii.Error) as error:
        raise InvalidInput(
            "Invalid cursor.", errors={"cursor": ["Not a cursor we issued."]}
        ) from error


def _parse(value: Any, kind: type) -> Any:
    if value is None:
        return None
    if kind is datetime:
        parsed = datetime.fromisoformat(value)
        if parsed.tzinfo is None:
            raise ValueError("naive time in cursor")
        return parsed
    if kind is int and not isinstance(value, int):
        raise TypeError("not an integer")
    return kind(value)
