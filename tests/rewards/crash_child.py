"""Settlement processes for the crash tests, forked from one warm parent (as RQ forks its
work horses), so each crash costs a fork rather than an interpreter start.

    python -m tests.rewards.crash_child

Reads one line per round on stdin, `<mode> <limit> <point>`, forks a settler, prints
`ready <pid>`, and when the settler is gone prints `exited <returncode>` (-9: SIGKILL).
The settler settles in batches of `limit` until nothing is pending; it dies where the mode says:
- `run`: never by itself (the test kills it at a random moment);
- `statement`: at the <point>-th SQL statement of the settling (inside or between batches);
- `before-commit`: in batch <point>, after its captures are posted, before the commit;
- `after-commit`: in batch <point>, right after the commit (before the events).
"""

from __future__ import annotations

import os
import signal
import sys
import traceback


def die() -> None:
    """SIGKILL ourselves: no cleanup, no rollback, no atexit (what a crash looks like)."""
    os.kill(os.getpid(), signal.SIGKILL)


def install_failpoint(mode: str, point: int) -> None:
    """Arrange to die at `point` (counted in statements or batches, as the mode says)."""
    import sqlalchemy as sa
    from sqlalchemy.engine import Engine

    from marketplace.extensions import db
    from marketplace.rewards import services, settlement

    seen = {"n": 0}

    def counted() -> bool:
        seen["n"] += 1
        return seen["n"] == point

    if mode == "statement":
        sa.event.listen(Engine, "before_cursor_execute", lambda *_: counted() and die())
    elif mode == "before-commit":
        original = settlement._mark_settled

        def mark_then_die(rewards, ids):  # type: ignore[no-untyped-def]
            original(rewards, ids)
            if counted():
                db.session.flush()
                die()

        settlement._mark_settled = mark_then_die
    elif mode == "after-commit":
        original_notify = services.notify_reward_credited

        def notify_then_die(ids):  # type: ignore[no-untyped-def]
            if counted():
                die()
            original_notify(ids)

        services.notify_reward_credited = notify_then_die


def settle(mode: str, limit: int, point: int) -> None:
    """The forked settler: fresh connections, then batches until nothing is pending."""
    from marketplace.extensions import db
    from marketplace.rewards import settlement

    db.engine.dispose(close=False)  # never share the parent's connections
    print(f"ready {os.getpid()}", flush=True)
    if mode != "run":
        install_failpoint(mode, point)
    while settlement.settle_batch(limit):
        pass
    db.session.remove()


def main() -> None:
    """Warm up once, then fork one settler per round read from stdin."""
    from marketplace import create_app
    from marketplace.extensions import db
    from marketplace.rewards import settlement

    app = create_app({"MATCHING_ENGINE_AUTOSTART": False, "REWARDS_AUTO_SETTLE": False})
    with app.app_context():
        settlement.settle_batch(0)  # import and compile before the clock starts
        db.session.remove()
        db.engine.dispose()
        print("warm", flush=True)
        for line in sys.stdin:
            mode, limit, point = line.split()
            pid = os.fork()
            if pid == 0:
                code = 0
                try:
                    settle(mode, int(limit), int(point))
                except BaseException:
                    traceback.print_exc()
                    code = 1
                sys.stdout.flush()
                os._exit(code)
            _, status = os.waitpid(pid, 0)
            print(f"exited {os.waitstatus_to_exitcode(status)}", flush=True)


if __name__ == "__main__":
    main()
