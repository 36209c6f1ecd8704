"""A settlement process for the crash tests: settles in small batches until killed.

    python -m tests.rewards.crash_child <mode> <limit>

mode `run` settles until nothing is pending (the test kills it at a random moment); modes
`before-commit` and `after-commit` SIGKILL themselves inside the second batch: after its
captures are posted but before the commit, or right after the commit (before the events).
"""

from __future__ import annotations

import os
import signal
import sys


def main() -> None:
    """Settle in batches of `limit`, printing progress; die where the mode says."""
    mode, limit = sys.argv[1], int(sys.argv[2])
    from marketplace import create_app
    from marketplace.extensions import db
    from marketplace.rewards import services, settlement

    app = create_app({"MATCHING_ENGINE_AUTOSTART": False, "REWARDS_AUTO_SETTLE": False})
    batches = {"n": 0}

    def die() -> None:
        os.kill(os.getpid(), signal.SIGKILL)

    if mode == "before-commit":
        original = settlement._mark_settled

        def mark_then_die(rewards, ids):  # type: ignore[no-untyped-def]
            original(rewards, ids)
            batches["n"] += 1
            if batches["n"] == 2:
                db.session.flush()
                die()

        settlement._mark_settled = mark_then_die
    elif mode == "after-commit":
        original_notify = services.notify_reward_credited

        def notify_then_die(ids):  # type: ignore[no-untyped-def]
            batches["n"] += 1
            if batches["n"] == 2:
                die()
            original_notify(ids)

        services.notify_reward_credited = notify_then_die
    with app.app_context():
        print("ready", flush=True)
        while settlement.settle_batch(limit):
            print("batch", flush=True)
    print("done", flush=True)


if __name__ == "__main__":
    main()
