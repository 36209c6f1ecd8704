"""Login and token schemas."""

from __future__ import annotations

from marshmallow import Schema, fields, validate


class LoginSchema(Schema):
    """E-mail and password."""

    email = fields.String(required=True, validate=validate.Length(1, 254))
    password = fields.String(required=True, load_only=True, validate=validate.Length(1, 256))


class TokenSchema(Schema):
    """A bearer token for the API and Socket.IO, and who it is for."""

    token = fields.String()
    expires_in = fields.Integer(metadata={"description": "Seconds until the token expires."})
    user_id = fields.UUID()
    role = fields.String()
    display_name = fields.String()
