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
    from storyteller.errors import Terminated

    raise Terminated()


def main() -> None:
    try:  # every import inside: a Ctrl-C during the imports is caught here too
        import signal

        signal.signal(signal.SIGTERM, _terminate)
        from storyteller.cli import run

        run()
    except KeyboardInterrupt as stop:  # only before or after a command body; bodies report their own
        from storyteller.errors import Terminated

        terminated = isinstance(stop, Terminated)
        sys.stderr.write(f"storyteller: {'terminated' if terminated else 'interrupted'}\n")
        sys.exit(143 if terminated else 130)


if __name__ == "__main__":
    main()
