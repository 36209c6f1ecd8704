"""Matching questions to online experts: offers and assignments."""
