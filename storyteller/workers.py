"""Worker processes, and the one way they are stopped: by the process that started them.

Three kinds, for three kinds of work, under the same rules:

- ``Pool``: spawned worker processes (``concurrent.futures`` with a ``spawn`` context) for
  long jobs that need imports of their own: converting charts with vl-convert
  (report/charts.py) and laying out the parts of a large PDF with WeasyPrint (pdf/parts.py).
  A spawned worker imports what it needs afresh and inherits no lock and no thread.
- ``shared``: a long list of small jobs shared with forked copies of this process, one a
  core: reading a large workspace's stories (format/load.py). Those jobs are pure Python
  (YAML events, field conversion), and a forked copy starts in a millisecond with every
  module already imported, where a spawned one would import them again, a sixth of the
  work it would take over. Measured: ``storyteller validate`` of 1,000 stories took 1.12 s
  on one core and 0.78-0.85 s shared with a forked copy on two; the target is under 1 s,
  which only the fork reaches. Fork is safe only while this process runs no other thread (a
  lock another thread holds would stay held in the copy for good), so with any other thread
  running, where there is no fork, or on one core, every job is done here.

- ``Stream``: one forked copy doing a list of jobs and sending each result as soon as it
  is done, for a caller that has other work meanwhile: converting a small report's charts
  while its PDF is laid out (report/charts.py). Forked, it starts at once with everything
  imported, and what it imports next (Altair, vl-convert) stays out of the caller.

The rules, for all three: a worker ignores Ctrl-C (the terminal sends it to the whole process
group) and dies of SIGTERM; the process that started the workers decides what a signal
stops. Leaving a ``Pool``, ``shared`` or a ``Stream`` after an error, a signal (KeyboardInterrupt,
errors.Terminated) or a time limit kills every worker at once and removes their temporary
files; no worker outlives the call. An error in a job is raised in this process: an
OSError (a full disk) as itself, any other as JobFailed with the worker's traceback, a
worker that died as WorkerDied; a forked copy's failure only costs time, as its share is
done again here. What a worker logs on the loggers named (WeasyPrint's complaints) is
logged again here, as if the job had run in this process.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import multiprocessing
import os
import pickle
import re
import shutil
import signal
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any, Generic, NoReturn, TypeVar

from storyteller.errors import signals_deferred

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
    """Whether this process runs no other thread: neither Python's nor a library's own (the
    runtime vl-convert starts once it has converted a chart, in which a fork hangs)."""
    if not hasattr(os, "fork") or threading.active_count() != 1:
        return False
    try:
        return len(os.listdir("/proc/self/task")) == 1
    except OSError:  # no /proc: Python's threads only
        return True


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
        _as_a_worker()
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


def _as_a_worker() -> None:
    """The signals of every worker: Ctrl-C ignored, SIGTERM ends it (the default, even where
    the process it came from handles SIGTERM itself)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the process that started it stops it
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


class Stream(Generic[T, R]):
    """A forked copy of this process doing ``job`` for each of ``items`` in turn and sending
    each result as soon as it is done; ``get`` waits for one. The copy starts in a millisecond
    with every module already imported, and what it imports next (Altair, vl-convert) stays
    out of this process. Fork only where ``can_fork()``. A thread here reads the pipe, so the
    copy never waits for this process. Like ``shared``'s copies, a copy that fails or dies only
    costs time: ``get`` returns None for each item it did not send, which the caller does.

    Use as a context manager: leaving it kills the copy if it is still at work."""

    def __init__(self, job: Callable[[T], R], items: Sequence[T]) -> None:
        self._results: dict[int, R] = {}
        self._over = False
        self._ready = threading.Condition()
        self.pid: int | None = None
        self._reader: threading.Thread | None = None
        try:
            with signals_deferred():  # a signal in here would leave a copy nobody stops
                self._start(job, items)
        except BaseException:  # a signal that came meanwhile, handled now: the copy stopped
            self.close()
            raise

    def _start(self, job: Callable[[T], R], items: Sequence[T]) -> None:
        read, write = os.pipe()
        mask = signal.pthread_sigmask(signal.SIG_BLOCK, _HELD)  # as in _copies
        try:
            self.pid = os.fork()
            if self.pid == 0:
                _stream(job, items, read, write, mask)
        except OSError:
            os.close(read)
            os.close(write)
            raise
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        os.close(write)
        reader = threading.Thread(target=self._read, args=(read,), name="storyteller-stream", daemon=True)
        reader.start()
        self._reader = reader  # only once started: close() joins it

    def _read(self, pipe: int) -> None:
        with open(pipe, "rb") as results:
            while True:
                head = results.read(8)
                body = results.read(int.from_bytes(head, "big")) if len(head) == 8 else b""
                try:
                    index, result = pickle.loads(body)  # written by the copy, never read from a file
                except Exception:  # the end, or a copy that died while writing
                    break
                with self._ready:
                    self._results[index] = result
                    self._ready.notify_all()
        with self._ready:
            self._over = True
            self._ready.notify_all()

    def get(self, index: int) -> R | None:
        """The result for ``items[index]``, waiting for it; None if the copy will not send it."""
        with self._ready:
            self._ready.wait_for(lambda: index in self._results or self._over)
            return self._results.pop(index, None)

    def close(self) -> None:
        if self.pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)  # done already, or no longer needed
            os.waitpid(self.pid, 0)
            self.pid = None
        if self._reader is not None:
            self._reader.join()

    def __enter__(self) -> Stream[T, R]:
        return self

    def __exit__(self, *_error: object) -> None:
        self.close()


def _stream(job: Callable[[T], R], items: Sequence[T], read: int, write: int, mask: Iterable[int]) -> NoReturn:
    """The streaming copy's whole life (see _serve): each result into the pipe once done."""
    code = 1
    try:
        _as_a_worker()
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        os.close(read)
        with open(write, "wb") as pipe:
            for index, item in enumerate(items):
                data = pickle.dumps((index, job(item)), protocol=pickle.HIGHEST_PROTOCOL)
                pipe.write(len(data).to_bytes(8, "big") + data)
                pipe.flush()
        code = 0
    except BaseException:  # the caller does the items left and meets the error itself
        pass
    finally:
        os._exit(code)


class JobFailed(RuntimeError):
    """A job raised an error other than OSError in a worker; ``details``: its traceback."""

    def __init__(self, number: int, details: str) -> None:
        super().__init__(details)
        self.number = number
        self.details = details


class WorkerDied(RuntimeError):
    """A worker process ended while it had a job (killed, out of memory, a crash)."""


@dataclass(frozen=True)
class Done(Generic[R]):
    """What a job sends back: its result or the traceback of its error, and the records
    logged meanwhile on the pool's loggers, as (logger, level, message)."""

    result: R | None
    failed: str | None
    logged: tuple[tuple[str, int, str], ...]


class _Logged(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[tuple[str, int, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append((record.name, record.levelno, record.getMessage()))


_logged = _Logged()  # in a worker process only: its pool's loggers report here


def _start_worker(scratch: str | None, loggers: tuple[str, ...], prepare: Callable[[], object] | None) -> None:
    """A worker's start: its signals, its temporary folder (this worker process's own
    environment, so that everything it makes is removed with the pool), its loggers heard."""
    _as_a_worker()
    if scratch is not None:
        os.environ["TMPDIR"] = scratch
        tempfile.tempdir = None  # worked out again from TMPDIR
    for name in loggers:
        logging.getLogger(name).addHandler(_logged)
    if prepare is not None:
        prepare()  # its imports, while the process that started it makes the first jobs


def _ready() -> int:
    """A job that only makes the pool start a worker for it (Pool.start)."""
    return os.getpid()


def _call(job: Callable[[T], R], item: T) -> Done[R]:
    """Run one job in a worker. An OSError goes back as itself (concurrent.futures pickles
    it with its errno), any other error as its traceback."""
    _logged.records = []
    try:
        result = job(item)
    except OSError:
        raise
    except Exception:
        return Done(None, traceback.format_exc(), tuple(_logged.records))
    return Done(result, None, tuple(_logged.records))


class Pool:
    """``count`` spawned worker processes for ``name`` jobs (in messages: "a PDF worker
    process"). ``prepare`` runs in each worker as it starts (its imports); ``scratch``
    gives the workers a temporary folder of their own, removed when the pool closes;
    ``loggers``: the loggers whose records in a worker are logged here too.

    Use as a context manager: leaving it normally lets the workers finish and end; leaving
    it with an error (a signal, a time limit) kills them at once."""

    def __init__(
        self,
        count: int,
        name: str,
        prepare: Callable[[], object] | None = None,
        scratch: bool = False,
        loggers: tuple[str, ...] = (),
    ) -> None:
        self.count = count
        self.name = name
        self.scratch = tempfile.mkdtemp(prefix=scratch_prefix("workers")) if scratch else None
        self._executor: ProcessPoolExecutor | None = ProcessPoolExecutor(
            count,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_worker,
            initargs=(self.scratch, loggers, prepare),
        )

    def start(self) -> None:
        """Start every worker now rather than at its first job, so that their imports
        overlap this process's work (a spawned pool starts a worker a job otherwise)."""
        for _ in range(self.count):
            with signals_deferred():  # as in submit
                self._pool().submit(_ready)

    def _pool(self) -> ProcessPoolExecutor:
        if self._executor is None:
            raise RuntimeError(f"the {self.name} workers were stopped")
        return self._executor

    def submit(self, job: Callable[[T], R], item: T) -> Future[Done[R]]:
        """``job(item)`` in a worker, in the order submitted; read it with ``outcome``."""
        try:
            with signals_deferred():  # it may start a worker, or the executor's thread
                return self._pool().submit(_call, job, item)
        except BrokenProcessPool:  # a worker died before this job was handed out
            raise WorkerDied(f"a {self.name} worker process ended unexpectedly") from None

    def outcome(self, future: Future[Done[R]], number: int = 0) -> R:
        """The result of a job submitted, waiting for it; its logs logged here, its error
        raised here (OSError, JobFailed, WorkerDied)."""
        try:
            done = future.result()
        except BrokenProcessPool:
            raise WorkerDied(f"a {self.name} worker process ended unexpectedly") from None
        except OSError:
            raise
        except Exception:  # a result that does not pickle, or its error that does not
            raise JobFailed(number, traceback.format_exc()) from None
        for name, level, message in done.logged:
            log_here(name, level, message)
        if done.failed is not None:
            raise JobFailed(number, done.failed)
        return done.result  # type: ignore[return-value]  # None only when it failed

    def run(self, job: Callable[[T], R], items: Iterable[tuple[int, T]]) -> dict[int, R]:
        """``job`` of each (number, item), handed out in the order ``items`` gives them (made
        lazily: the workers start on the first while the next are made). The first error
        is raised as soon as it comes back."""
        numbers = {self.submit(job, item): number for number, item in items}
        return {numbers[future]: self.outcome(future, numbers[future]) for future in as_completed(numbers)}

    def pids(self) -> list[int]:
        """The process ids of the workers started so far."""
        return list(_processes(self._pool()))

    def close(self, at_once: bool = False) -> None:
        """Stop the workers: when they are done with their jobs, or ``at_once`` (killed), and
        remove their temporary folder."""
        executor, self._executor = self._executor, None
        if executor is not None:
            if at_once:
                _kill(executor)
            executor.shutdown(wait=True, cancel_futures=True)
        if self.scratch is not None:
            shutil.rmtree(self.scratch, ignore_errors=True)
            self.scratch = None

    def __enter__(self) -> Pool:
        return self

    def __exit__(self, error: type[BaseException] | None, *_rest: object) -> None:
        self.close(at_once=error is not None)


def _processes(executor: ProcessPoolExecutor) -> dict[int, Any]:
    """The executor's worker processes by id: its own table, the only way to them before
    Python 3.14 (``ProcessPoolExecutor.kill_workers``); empty should it ever go."""
    processes: dict[int, Any] = dict(getattr(executor, "_processes", None) or {})
    return processes


def _kill(executor: ProcessPoolExecutor) -> None:
    """Kill the workers, busy or not."""
    kill = getattr(executor, "kill_workers", None)
    if kill is not None:
        kill()
        return
    for process in _processes(executor).values():
        with contextlib.suppress(OSError, ValueError):  # ended already, or closed
            process.kill()


def log_here(name: str, level: int, message: str) -> None:
    """Log a worker's record on the logger ``name`` of this process. A library's logger that
    this process never imported has no handler; give it the NullHandler that the library's
    own import would have added, so the record reaches the application's handlers (or
    none) rather than logging's last resort (stderr)."""
    logger = logging.getLogger(name)
    if not logger.handlers:
        logger.addHandler(logging.NullHandler())
    logger.log(level, "%s", message)


SCRATCH_AGE = 3600.0  # seconds: no build runs this long (a PDF's time limit is 600 s)
_SCRATCH = re.compile(r"storyteller-(?:pdf|workers)-([0-9]+)-")


def scratch_prefix(kind: str) -> str:
    """The name of a temporary folder of this process begins so: the process id in it tells
    a later build whether its owner is still alive (see sweep_scratch)."""
    return f"storyteller-{kind}-{os.getpid()}-"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process: alive
        return True
    return True


def sweep_scratch(now: float | None = None) -> list[str]:
    """Remove the temporary folders that killed builds left (a SIGKILL leaves no `finally`):
    ours (same owner), named by scratch_prefix, older than SCRATCH_AGE and whose process is
    gone. The age keeps a build in another PID namespace sharing /tmp safe. Returns them."""
    now = time.time() if now is None else now
    removed: list[str] = []
    try:
        entries = list(os.scandir(tempfile.gettempdir()))
    except OSError:
        return removed
    for entry in entries:
        found = _SCRATCH.match(entry.name)
        try:
            status = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if (
            found is None
            or not entry.is_dir(follow_symlinks=False)
            or status.st_uid != os.getuid()
            or now - status.st_mtime < SCRATCH_AGE
            or _alive(int(found[1]))
        ):
            continue
        shutil.rmtree(entry.path, ignore_errors=True)
        removed.append(entry.path)
    return removed
