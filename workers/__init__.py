"""RQ jobs. Each job takes primitive ids, runs in an app context and calls one service."""
