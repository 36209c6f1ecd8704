"""Companies (tenants), their API keys and their brand pools."""
