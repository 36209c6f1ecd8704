"""The process supervisor on real child processes: restarts with backoff, ordered start,
graceful stop, and a SIGKILL for a child that will not stop."""

from __future__ import annotations

import os
import signal
import sys
import threading
import time

import pytest

from marketplace.ops.supervisor import Backoff, ProcessSpec, Supervisor, read_state

SLEEPER = "import time\nwhile True: time.sleep(0.05)"
# Ignores SIGTERM, as a stuck process would.
STUBBORN = "import signal, time\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\ntime.sleep(60)"
# Writes a file when SIGTERM arrives, then exits cleanly.
GRACEFUL = (
    "import signal, sys, time\n"
    "def stop(*_):\n"
    "    open(sys.argv[1], 'w').write('stopped')\n"
    "    sys.exit(0)\n"
    "signal.signal(signal.SIGTERM, stop)\n"
    "while True: time.sleep(0.05)"
)


def spec(name: str, code: str, *args: str, role: str = "worker", **kwargs) -> ProcessSpec:
    return ProcessSpec(
        name, role, [sys.executable, "-c", code, *args], dict(os.environ), os.getcwd(), **kwargs
    )


def wait(predicate, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise TimeoutError("condition not met")


@pytest.fixture
def running(tmp_path):
    """Run a supervisor on a thread; stop it (as SIGTERM would) at the end."""
    started: list[Supervisor] = []

    def start(groups, **kwargs) -> Supervisor:
        supervisor = Supervisor(groups=groups, state_path=tmp_path / "state.json", **kwargs)
        supervisor._install_signals = lambda: None  # signals belong to the main thread
        thread = threading.Thread(target=supervisor.run, daemon=True)
        thread.start()
        supervisor.thread = thread  # type: ignore[attr-defined]
        started.append(supervisor)
        wait(lambda: supervisor.status == "running")
        return supervisor

    yield start
    for supervisor in started:
        supervisor.request_stop()
        supervisor.thread.join(30)  # type: ignore[attr-defined]


def test_a_killed_child_is_restarted_and_the_state_file_follows(running, tmp_path):
    supervisor = running([[spec("worker-1", SLEEPER)]], backoff=Backoff(initial=0.2))
    state = read_state(tmp_path / "state.json")
    assert state["status"] == "running" and state["supervisor_pid"] == os.getpid()
    [child] = state["children"]
    assert (child["name"], child["role"], child["status"]) == ("worker-1", "worker", "running")
    os.kill(child["pid"], signal.SIGKILL)
    restarted = wait(
        lambda: (
            (c := read_state(tmp_path / "state.json")["children"][0])["restarts"] == 1
            and c["status"] == "running"
            and c
        )
    )
    assert restarted["pid"] != child["pid"] and restarted["last_exit"] == -signal.SIGKILL
    assert supervisor.children[0].process.poll() is None


def test_the_backoff_doubles_for_a_crash_loop_and_resets_after_a_stable_run():
    backoff = Backoff(initial=0.5, maximum=4, stable_seconds=30)
    delays = [0.0]
    for _ in range(5):
        delays.append(backoff.next(delays[-1], ran_for=1))
    assert delays[1:] == [0.5, 1.0, 2.0, 4.0, 4.0]
    assert backoff.next(4.0, ran_for=31) == 0.5


def test_a_crashing_child_waits_longer_each_time(running):
    supervisor = running([[spec("crashy", "raise SystemExit(3)")]], backoff=Backoff(initial=0.1))
    child = supervisor.children[0]
    wait(lambda: child.restarts >= 3)
    assert child.last_exit == 3 and child.backoff >= 0.4


def test_a_group_starts_once_the_previous_one_is_ready(running, tmp_path):
    flag = tmp_path / "ready"
    first = spec("web-1", SLEEPER, role="web", ready_url=None)
    # The second group's process records whether the first group's "ready" file existed.
    seen = tmp_path / "seen"
    probe = (
        f"import os, time\nopen({str(seen)!r}, 'w').write(str(os.path.exists({str(flag)!r})))"
        "\ntime.sleep(60)"
    )
    supervisor = Supervisor(
        groups=[[first], [spec("nginx", probe, role="proxy")]], state_path=tmp_path / "s.json"
    )
    supervisor._install_signals = lambda: None
    waited = []

    def ready_after_a_while(children):
        waited.append([c.spec.name for c in children])
        time.sleep(0.5)  # long enough for a wrongly started second group to look
        flag.write_text("1")

    supervisor._wait_ready = ready_after_a_while  # stands for the HTTP readiness poll
    thread = threading.Thread(target=supervisor.run, daemon=True)
    thread.start()
    try:
        wait(lambda: seen.exists() and seen.read_text())
        assert seen.read_text() == "True"
        assert waited[0] == ["web-1"]
    finally:
        supervisor.request_stop()
        thread.join(30)


def test_stop_signals_every_child_and_waits_for_it(running, tmp_path):
    marker = tmp_path / "stopped"
    supervisor = running([[spec("worker-1", GRACEFUL, str(marker))]])
    pid = supervisor.children[0].pid
    supervisor.request_stop()
    supervisor.thread.join(20)
    assert marker.read_text() == "stopped"
    assert supervisor.children[0].last_exit == 0
    assert read_state(tmp_path / "state.json")["status"] == "stopped"
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_a_child_that_ignores_sigterm_is_killed_after_its_timeout(running):
    supervisor = running([[spec("stuck", STUBBORN, stop_timeout=0.5)]])
    time.sleep(0.3)  # let it install its handler
    started = time.monotonic()
    supervisor.request_stop()
    supervisor.thread.join(20)
    assert 0.5 <= time.monotonic() - started < 5
    assert supervisor.children[0].last_exit == -signal.SIGKILL


def test_orphans_of_a_dead_child_are_killed_with_its_group(running, tmp_path):
    # The child starts a grandchild (like gunicorn's worker) and then dies.
    pid_file = tmp_path / "grandchild"
    code = (
        "import subprocess, sys, time\n"
        f"p = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
        f"open({str(pid_file)!r}, 'w').write(str(p.pid))\n"
        "time.sleep(60)"
    )
    supervisor = running([[spec("web-1", code, role="web")]], backoff=Backoff(initial=5))
    grandchild = int(wait(lambda: pid_file.exists() and pid_file.read_text()))
    os.kill(supervisor.children[0].pid, signal.SIGKILL)

    def gone() -> bool:
        try:
            os.kill(grandchild, 0)
        except ProcessLookupError:
            return True
        return False

    assert wait(gone)
