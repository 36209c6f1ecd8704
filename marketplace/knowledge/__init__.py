"""What a company tells the scoring: knowledge-base entries and its content rules."""
