"""Customer questions posted by companies, and their life cycle."""
