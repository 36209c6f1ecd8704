"""Moderators vet experts, audit answers, settle disputes and sanction abuse."""
