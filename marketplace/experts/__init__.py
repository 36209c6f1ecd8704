"""Expert profiles: languages, skills, pools, capacity, tier and reputation."""
