"""A demo marketplace for `make run`: companies, pools, experts and questions."""
