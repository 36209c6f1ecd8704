"""Signed webhooks telling companies what happened to their questions."""
