"""Numbers for the company dashboard: the live queue and activity over time."""
