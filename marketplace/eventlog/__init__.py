"""The append-only log of every state change: who, what, when, before and after."""
