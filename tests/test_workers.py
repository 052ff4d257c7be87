"""storyteller/workers.py: spawned worker pools, jobs shared with forked copies, and stories
read that way.

Each forked case runs in a fresh interpreter: this test process may have threads left by
other tests, and with another thread running nothing is forked at all. The pools' jobs are
functions of the standard library, which a spawned worker imports by name."""

from __future__ import annotations

import errno
import json
import logging
import multiprocessing
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from storyteller.errors import signals_deferred
from storyteller.report.charts import Drawing, Palette, before_after_chart
from storyteller.workers import JobFailed, Pool, Stream, WorkerDied, cores

from .helpers import BASE_STORY, Workspace

PRELUDE = """
import json, os, signal, sys, threading
from storyteller import workers as forked
HERE = os.getpid()
def ours(results):
    return all(pid == HERE for _, pid in results)
"""


def run(code: str) -> Any:
    """What the snippet prints as JSON, run in its own session so that a signal it sends to
    its process group reaches only it and its copies."""
    done = subprocess.run(
        [sys.executable, "-c", PRELUDE + textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=120,
        start_new_session=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_the_results_are_in_order_and_the_copies_did_their_share() -> None:
    results, here = run(
        """
        results = forked.shared(lambda i: (i * i, os.getpid()), list(range(101)), least=2)
        print(json.dumps([results, HERE]))
        """
    )
    assert [value for value, _ in results] == [i * i for i in range(101)]
    pids = [pid for _, pid in results]
    share = 101 // min(cores(), 4)
    assert set(pids[:share]) == {here}  # the first run is done here
    if cores() >= 2:
        assert here not in pids[share:], "every other run is done by a copy"
        assert len(set(pids)) == min(cores(), 4)


def test_below_least_or_with_another_thread_running_nothing_is_forked() -> None:
    few, threaded = run(
        """
        few = forked.shared(lambda i: (i, os.getpid()), list(range(10)), least=11)
        waiting = threading.Event()
        threading.Thread(target=waiting.wait, daemon=True).start()
        threaded = forked.shared(lambda i: (i, os.getpid()), list(range(100)), least=2)
        waiting.set()
        print(json.dumps([ours(few), ours(threaded)]))
        """
    )
    assert few and threaded


@pytest.mark.skipif(cores() < 2, reason="with one core nothing is forked")
def test_a_copy_that_fails_costs_time_not_results() -> None:
    """A copy that raises, is killed, or returns what cannot be pickled: its run is done
    again here, and the results are what one process gives."""
    outcomes = run(
        """
        def job(fail):
            def do(i):
                if os.getpid() != HERE:
                    fail()
                return (i, os.getpid())
            return do
        def raises(): raise ValueError("a bug")
        def killed(): os.kill(os.getpid(), signal.SIGKILL)
        def unpicklable(): return lambda: None
        def exits(): sys.exit(0)
        outcomes = []
        for fail in (raises, killed, exits):
            results = forked.shared(job(fail), list(range(60)), least=2)
            outcomes.append([[i for i, _ in results] == list(range(60)), ours(results)])
        unpickled = forked.shared(lambda i: (lambda: i) if os.getpid() != HERE else i, list(range(60)), least=2)
        outcomes.append([[f() if callable(f) else f for f in unpickled] == list(range(60)), True])
        print(json.dumps(outcomes))
        """
    )
    assert outcomes == [[True, True]] * 4


@pytest.mark.skipif(cores() < 2, reason="with one core nothing is forked")
def test_an_error_in_a_copys_job_is_raised_here() -> None:
    raised = run(
        """
        def job(i):
            if i == 50:
                raise ValueError(f"job {i} failed {'in a copy' if os.getpid() != HERE else 'here'}")
            return i
        try:
            forked.shared(job, list(range(60)), least=2)
        except ValueError as error:
            print(json.dumps(str(error)))
        """
    )
    assert raised == "job 50 failed here"  # the copy failed first, then the run was done again here


@pytest.mark.skipif(cores() < 2, reason="with one core nothing is forked")
def test_ctrl_c_stops_the_call_and_leaves_no_copy_behind() -> None:
    """Ctrl-C reaches the whole process group: the copies ignore it and are killed here."""
    outcome = run(
        """
        import time
        def job(i):
            if os.getpid() == HERE and i == 3:
                os.killpg(0, signal.SIGINT)  # as a terminal's Ctrl-C: every process of the group
                time.sleep(5)
            time.sleep(0.01)
            return i
        try:
            forked.shared(job, list(range(400)), least=2)
            outcome = "finished"
        except KeyboardInterrupt:
            try:
                os.waitpid(-1, os.WNOHANG)
                outcome = "a copy is left"
            except ChildProcessError:
                outcome = "interrupted, no copy left"
        print(json.dumps(outcome))
        """
    )
    assert outcome == "interrupted, no copy left"


def test_stories_read_on_every_core_are_the_stories_read_on_one(make_workspace: Any) -> None:
    """Valid and broken stories on both sides of the cut: the same stories, problems and
    order as one process reading them all."""
    workspace: Workspace = make_workspace()
    for number in range(24):
        text = BASE_STORY.replace("title:", "title: Story", 1) if number % 5 else "title: [unclosed\n"
        workspace.story(f"story-{number:02}", text, folder=f"2026-Q{number % 4 + 1}")
    same, counts = run(
        f"""
        from pathlib import Path
        from storyteller.format import load
        from storyteller.format.config import load_config
        config = load_config(Path({str(workspace.root)!r}))
        load.SHARED_FROM = 2
        shared = load.load_workspace(config)
        load.SHARED_FROM = 10**9
        alone = load.load_workspace(config)
        same = shared.stories == alone.stories and shared.problems == alone.problems
        print(json.dumps([same, [len(shared.stories), len(shared.problems), shared.files]]))
        """
    )
    assert same
    assert counts[0] == 19 and counts[1] >= 5 and counts[2] == 24


def test_the_example_workspace_reads_the_same_shared(tmp_path: Path) -> None:
    from .helpers import copy_example

    root = copy_example(tmp_path / "example")
    same = run(
        f"""
        from pathlib import Path
        from storyteller.format import load
        from storyteller.format.config import load_config
        config = load_config(Path({str(root)!r}))
        load.SHARED_FROM = 2
        shared = load.load_workspace(config)
        load.SHARED_FROM = 10**9
        alone = load.load_workspace(config)
        print(json.dumps(shared.stories == alone.stories and len(alone.stories) > 5 and not alone.problems))
        """
    )
    assert same


def test_a_pool_gives_each_result_its_number_and_each_error_its_kind(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level("WARNING", logger="storyteller-test"), Pool(2, "test", loggers=("storyteller-test",)) as pool:
        pool.start()
        assert len(set(pool.pids())) == 2 and os.getpid() not in pool.pids()  # both started at once
        assert pool.run(abs, [(2, -3), (0, -1), (1, 5)]) == {0: 1, 1: 5, 2: 3}
        pool.run(logging.getLogger("storyteller-test").warning, [(0, "said in a worker")])
        assert [r.getMessage() for r in caplog.records] == ["said in a worker"]
        with pytest.raises(JobFailed, match=r"(?s)Traceback.*ValueError: invalid literal") as failed:
            pool.run(int, [(0, "1"), (1, "x")])
        assert failed.value.number == 1
        with pytest.raises(FileNotFoundError) as missing:  # an OSError as itself: a full disk is said as such
            pool.run(os.stat, [(0, "/no/such/file")])
        assert missing.value.errno == errno.ENOENT
        with pytest.raises(JobFailed, match="pickle"):  # a result that cannot come back
            pool.run(open, [(0, os.devnull)])
        assert pool.run(abs, [(0, -7)]) == {0: 7}, "an error in a job leaves the workers working"
        waiting = pool.submit(time.sleep, 60)
        os.kill(pool.pids()[0], signal.SIGKILL)
        with pytest.raises(WorkerDied, match="a test worker process ended unexpectedly"):
            pool.outcome(waiting)


def test_leaving_a_pool_after_an_error_kills_its_workers_and_removes_their_folder() -> None:
    with pytest.raises(KeyError), Pool(2, "test", scratch=True) as pool:
        pool.start()
        pids, scratch = pool.pids(), pool.scratch
        assert scratch is not None and os.path.isdir(scratch)
        pool.submit(time.sleep, 60)
        raise KeyError("the build failed meanwhile")
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
    assert not os.path.exists(scratch)


def test_ctrl_c_stops_a_pool_and_leaves_no_worker_behind() -> None:
    """Ctrl-C reaches the whole process group: the workers ignore it, the pool kills them."""
    outcome = run(
        """
        import multiprocessing, time
        from storyteller.workers import Pool
        try:
            with Pool(2, "test", scratch=True) as pool:
                pool.start()
                pids = pool.pids()
                waiting = pool.submit(time.sleep, 60)
                os.killpg(0, signal.SIGINT)  # as a terminal's Ctrl-C: every process of the group
                pool.outcome(waiting)
            outcome = "finished"
        except KeyboardInterrupt:
            left = [pid for pid in pids if os.path.exists(f"/proc/{pid}")]
            outcome = "a worker is left" if left or multiprocessing.active_children() else "interrupted, no worker left"
        print(json.dumps(outcome))
        """
    )
    assert outcome == "interrupted, no worker left"


class _Signalled(Exception):
    """What the test's signal handler raises, as storyteller's raises KeyboardInterrupt."""


@pytest.fixture
def signal_as_a_thread_starts(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """SIGTERM sent to this process as the main thread is about to start a thread, once:
    its handler runs with the thread made and not started, as when a busy machine's signal
    lands inside ``Thread.start``, made certain."""
    start = threading.Thread.start
    sent: list[bool] = []

    def signalled(thread: threading.Thread) -> None:
        if threading.current_thread() is threading.main_thread() and not sent:
            sent.append(True)
            os.kill(os.getpid(), signal.SIGTERM)  # its handler runs before the next line
        start(thread)

    def handler(signum: int, frame: object) -> None:
        raise _Signalled(signum)

    previous = signal.signal(signal.SIGTERM, handler)
    monkeypatch.setattr(threading.Thread, "start", signalled)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert sent, "no thread was started"


def test_a_signal_as_a_pool_starts_its_thread_ends_in_the_signal_not_an_internal_error(
    signal_as_a_thread_starts: None,
) -> None:
    """Found by CI under load: the signal's exception raised inside Thread.start left the
    executor's thread unstarted, and leaving the pool failed with "RuntimeError: cannot join
    thread before it is started". The start is now done first, the signal handled after."""
    with pytest.raises(_Signalled), Pool(1, "test") as pool:
        pool.submit(abs, -1)
        pytest.fail("the signal was not handled once the worker had started")
    assert not multiprocessing.active_children()


def test_a_signal_as_a_stream_starts_leaves_no_copy_behind(signal_as_a_thread_starts: None) -> None:
    """The copy is forked before the thread that reads it starts: a signal in between must
    not lose the copy (nobody would kill it)."""
    before = _children()
    with pytest.raises(_Signalled):
        Stream(time.sleep, [60])
    assert _children() == before  # the copy killed and waited for


def test_a_signal_as_a_drawing_starts_its_chart_copy_leaves_no_copy_behind(
    signal_as_a_thread_starts: None, tmp_path: Path
) -> None:
    """The Drawing defers the signal until the copy is its own (so that closing it stops the
    copy), and the signal then ends the Drawing's construction: it must close itself, as no
    ``with`` block will."""
    palette = Palette.from_brand("#1f4e79")
    made = [
        before_after_chart(f"Story {n}", [("Minutes", 10.0 + n, 4.0, "10 min", "4 min", False)], palette)
        for n in range(3)
    ]
    before = _children()
    with pytest.raises(_Signalled):
        Drawing(made, tmp_path / "charts", tmp_path, beside=True)
    assert _children() == before  # the copy killed and waited for


def _children() -> set[int]:
    """This process's child processes, still running or not yet waited for."""
    found: set[int] = set()
    for task in os.listdir("/proc/self/task"):
        found.update(int(pid) for pid in Path(f"/proc/self/task/{task}/children").read_text().split())
    return found


def test_signals_deferred_hands_a_signal_to_its_handler_when_the_body_ends() -> None:
    previous = signal.signal(signal.SIGTERM, lambda signum, frame: (_ for _ in ()).throw(_Signalled(signum)))
    done: list[str] = []
    try:
        with pytest.raises(_Signalled), signals_deferred():
            os.kill(os.getpid(), signal.SIGTERM)
            done.append("the body went on")
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert done == ["the body went on"]


def test_signals_deferred_hands_on_each_kind_that_came_in_order() -> None:
    handled: list[int] = []

    def note(signum: int, frame: object) -> None:
        handled.append(signum)

    previous = {number: signal.signal(number, note) for number in (signal.SIGTERM, signal.SIGALRM)}
    try:
        with signals_deferred():
            os.kill(os.getpid(), signal.SIGALRM)
            os.kill(os.getpid(), signal.SIGTERM)
            os.kill(os.getpid(), signal.SIGALRM)
            assert handled == []
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
    assert handled == [signal.SIGALRM, signal.SIGTERM]


def test_every_handler_is_put_back_when_a_signal_strikes_while_they_are(monkeypatch: pytest.MonkeyPatch) -> None:
    """Python runs a handler that has just been put back at once: SIGTERM's, put back
    first, raises while the others are still the deferral's; they must be put back too."""
    real = signal.signal
    struck: list[bool] = []

    def put(number: int, handler: Any) -> Any:
        was = real(number, handler)
        if number == signal.SIGTERM and handler is raising and not struck:
            struck.append(True)
            os.kill(os.getpid(), signal.SIGTERM)
        return was

    def raising(signum: int, frame: object) -> None:
        raise _Signalled(signum)

    previous = {number: real(number, raising) for number in (signal.SIGTERM, signal.SIGALRM)}
    ctrl_c = signal.getsignal(signal.SIGINT)
    monkeypatch.setattr(signal, "signal", put)
    try:
        with pytest.raises(_Signalled), signals_deferred():
            pass
        assert struck
        assert [signal.getsignal(n) for n in (signal.SIGINT, signal.SIGTERM, signal.SIGALRM)] == [
            ctrl_c,
            raising,
            raising,
        ]
    finally:
        monkeypatch.undo()
        for number, handler in previous.items():
            signal.signal(number, handler)


def test_a_default_sigterm_deferred_still_ends_the_process_after_the_body() -> None:
    """A caller that left SIGTERM to its default (a library user): the body is not cut in
    two, and the process still ends by the signal."""
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import os, signal, sys\n"
            "from storyteller.errors import signals_deferred\n"
            "signal.signal(signal.SIGTERM, signal.SIG_DFL)\n"
            "with signals_deferred():\n"
            "    os.kill(os.getpid(), signal.SIGTERM)\n"
            "    print('the body went on', flush=True)\n"
            "print('after the block', flush=True)\n",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.stdout == "the body went on\n"
    assert done.returncode == -signal.SIGTERM
