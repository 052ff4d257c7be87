"""The `storyteller` command's entry point, and `python -m storyteller`.

Signal handling is installed here, before anything heavy is imported, so a Ctrl-C or a
`kill` at any moment ends with one line and the exit status of the signal: 130 for SIGINT,
143 for SIGTERM. Python's default for SIGTERM would end the process on the spot, without
removing temporary files; raising an exception instead lets every `finally` run.
"""

from __future__ import annotations

import sys
from types import FrameType


def _terminate(signum: int, frame: FrameType | None) -> None:
    from storyteller.errors import Terminated, stop

    stop(Terminated())


def _interrupt(signum: int, frame: FrameType | None) -> None:
    from storyteller.errors import stop

    stop(KeyboardInterrupt())


def main() -> None:
    try:  # every import inside: a Ctrl-C during the imports is caught here too
        import signal

        signal.signal(signal.SIGTERM, _terminate)
        signal.signal(signal.SIGINT, _interrupt)
        from storyteller.cli import run

        run()
        code = 0
    except KeyboardInterrupt as stop:  # only before or after a command body; bodies report their own
        _hold_signals()
        from storyteller.errors import Terminated

        terminated = isinstance(stop, Terminated)
        sys.stderr.write(f"storyteller: {'terminated' if terminated else 'interrupted'}\n")
        code = 143 if terminated else 130
    except SystemExit as done:  # how every command ends (Click's standalone mode)
        _hold_signals()
        if done.code is None or isinstance(done.code, int):
            code = done.code or 0
        else:
            sys.stderr.write(f"{done.code}\n")
            code = 1
    _exit(code)


def _hold_signals() -> None:
    """A second Ctrl-C while we exit must not print a traceback."""
    import signal

    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})


def _exit(code: int) -> None:
    """Flush and end the process now, with ``code``. The work is done: files are written
    and temporary files removed. Skipping the interpreter's teardown closes two gaps:
    Python restores the default SIGINT action during teardown, so a late Ctrl-C would kill
    the process without a word; and CPython 3.11 remembers a KeyboardInterrupt that struck
    code run by exec() from a string (dataclasses and typing do that while modules load),
    then ends the process with SIGINT whatever status was given."""
    import contextlib
    import os

    if "multiprocessing.util" in sys.modules:  # a worker pool ran: its semaphores unlinked now,
        # as the interpreter's teardown would, or multiprocessing's resource tracker (a process of
        # its own, on the same stderr) reports them as leaked after our last line
        with contextlib.suppress(Exception):
            sys.modules["multiprocessing.util"]._run_finalizers(0)
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(code)


if __name__ == "__main__":
    main()
