"""A long list of small jobs shared with forked copies of this process, one per core.

Reading 1,000 stories is pure Python (YAML events, field conversion) on one core; a second
core halves it. The copies are forked, not spawned: a forked copy starts in a millisecond
with every module already imported, where a spawned one would import them again, a sixth
of the work it would take over. Fork is safe only while this process runs no other thread
(a lock another thread holds would stay held in the copy for good), so with any other
thread running, where there is no fork, or on one core, every job is done here.

A copy that fails in any way (an exception, a signal, a result that cannot be pickled) costs
time, not a result: its share is done again here, where an error in a job is raised as it
would be without the copies. Ctrl-C reaches the copies too: they ignore it, and this
process kills them on its way out.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import pickle
import signal
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, NoReturn, TypeVar

COPIES = 4  # at most, one a core

T = TypeVar("T")
R = TypeVar("R")


def cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def can_fork() -> bool:
    return hasattr(os, "fork") and threading.active_count() == 1


def shared(job: Callable[[T], R], items: Sequence[T], least: int) -> list[R]:
    """``[job(item) for item in items]``, in that order; from ``least`` items on, the items
    are cut into one run a core and every run but the first is done by a forked copy."""
    count = min(cores(), COPIES) if len(items) >= least and can_fork() else 1
    if count < 2:
        return [job(item) for item in items]
    bounds = [len(items) * share // count for share in range(count + 1)]
    runs = [items[start:stop] for start, stop in itertools.pairwise(bounds)]
    with _copies(job, runs[1:]) as copies:
        results = [job(item) for item in runs[0]]
        for copy, run in zip(copies, runs[1:], strict=True):
            done = copy.results() if copy is not None else None
            results.extend(done if done is not None else [job(item) for item in run])
    return results


_HELD = {signal.SIGINT, signal.SIGTERM}


@dataclass
class _Copy:
    """A forked copy doing one run of jobs, and the pipe its pickled results come through."""

    pid: int | None
    pipe: int | None

    def results(self) -> list[Any] | None:
        """The copy's results, or None if it failed."""
        assert self.pipe is not None and self.pid is not None
        with open(self.pipe, "rb") as pipe:
            self.pipe = None
            data = pipe.read()
        _, status = os.waitpid(self.pid, 0)
        self.pid = None
        if os.waitstatus_to_exitcode(status) != 0:
            return None
        try:
            done: list[Any] = pickle.loads(data)  # written by the copy, never read from a file
        except Exception:  # a result that pickles but does not unpickle
            return None
        return done

    def end(self) -> None:
        if self.pipe is not None:
            os.close(self.pipe)
            self.pipe = None
        if self.pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
            self.pid = None


@contextlib.contextmanager
def _copies(job: Callable[[T], R], runs: Sequence[Sequence[T]]) -> Iterator[list[_Copy | None]]:
    """A copy for each run; None for a run no copy could be forked for (too many processes)."""
    copies: list[_Copy | None] = []
    try:
        for run in runs:
            # Ctrl-C held while forking: none lands in the copy before it ignores them, and
            # none here before the copy is in the list that the ``finally`` ends.
            mask = signal.pthread_sigmask(signal.SIG_BLOCK, _HELD)
            try:
                copies.append(_fork(job, run, mask))
            except OSError:
                copies.append(None)
            finally:
                signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        yield copies
    finally:  # after an error or a signal, too: no copy outlives this call
        for copy in copies:
            if copy is not None:
                copy.end()


def _fork(job: Callable[[T], R], run: Sequence[T], mask: Iterable[int]) -> _Copy:
    read, write = os.pipe()
    try:
        pid = os.fork()
    except OSError:
        os.close(read)
        os.close(write)
        raise
    if pid == 0:
        _serve(job, run, read, write, mask)
    os.close(write)
    return _Copy(pid, read)


def _serve(job: Callable[[T], R], run: Sequence[T], read: int, write: int, mask: Iterable[int]) -> NoReturn:
    """The copy's whole life: the jobs, their results into the pipe, and out, never returning
    into the caller's code (no ``finally`` of this process's, no flush of its buffers)."""
    code = 1
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # the caller stops the copies itself
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        os.close(read)
        data = pickle.dumps([job(item) for item in run], protocol=pickle.HIGHEST_PROTOCOL)
        with open(write, "wb") as pipe:
            pipe.write(data)
        code = 0
    except BaseException:  # the caller does this run again and meets the error itself
        pass
    finally:
        os._exit(code)
