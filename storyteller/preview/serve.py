"""`storyteller serve`: the live preview's HTTP server and file watcher.

The server listens on 127.0.0.1 only and answers requests whose Host header names it
(so a web page elsewhere cannot read the report through DNS rebinding). Routes:

- ``/``: the report (preview.py composes it), ``Cache-Control: no-store``;
- ``/events``: Server-Sent Events, one ``reload`` event with the version after every rebuild;
- ``/status``: the state of the latest rebuild as JSON;
- ``/fonts/NAME.ttf``: the report's fonts.

A watcher thread (watchfiles) waits for changes to storyteller.yaml, the stories, the
workspace's templates and images; the rebuild thread then rebuilds. Nothing a story or a
template does can stop either thread.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import threading
from collections.abc import Callable, Iterator
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from storyteller.errors import StorytellerError, WorkspaceError
from storyteller.format.config import CONFIG_NAME, Config, load_config
from storyteller.preview.preview import FONT_ROUTE, Preview, State, font_file, status_json

HOST = "127.0.0.1"
KEEPALIVE_SECONDS = 15.0


MAX_CONNECTIONS = 32  # a browser opens about six; past this a connection is closed at once
IDLE_SECONDS = 30.0  # a connection that sends nothing this long is closed


class _Server(ThreadingHTTPServer):
    """One thread a connection, at most MAX_CONNECTIONS of them: a client that opens
    connections and sends nothing cannot make the preview start threads without end."""

    daemon_threads = True  # an open /events stream must not keep the process alive
    allow_reuse_address = True
    preview: Preview
    stopping: threading.Event
    slots: threading.BoundedSemaphore

    def process_request(self, request: Any, client_address: Any) -> None:
        if not self.slots.acquire(blocking=False):
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self.slots.release()
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.slots.release()


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    timeout = IDLE_SECONDS  # socketserver sets it on the connection: an idle client is let go

    def log_message(self, format: str, *args: object) -> None:
        pass  # one line per request would drown the rebuild messages

    def do_HEAD(self) -> None:
        self.do_GET(head=True)

    def do_GET(self, head: bool = False) -> None:
        if not self._host_allowed():
            self._send(HTTPStatus.FORBIDDEN, "text/plain; charset=utf-8", b"storyteller preview: unknown host\n", head)
            return
        path = self.path.split("?", 1)[0]
        preview = self.server.preview
        if path in ("/", "/index.html"):
            state = preview.state
            nonce = secrets.token_urlsafe(18)
            body = preview.page(nonce, state).encode("utf-8")
            extra = {"Content-Security-Policy": preview.header_policy(nonce, state)}
            self._send(HTTPStatus.OK, "text/html; charset=utf-8", body, head, extra)
        elif path == "/events":
            self._events()
        elif path == "/status":
            self._send(HTTPStatus.OK, "application/json", status_json(preview.state).encode("utf-8"), head)
        elif path.startswith(FONT_ROUTE) and (font := font_file(path)) is not None:
            self._send(HTTPStatus.OK, "font/ttf", font.read_bytes(), head, {"Cache-Control": "max-age=3600"})
        else:
            self._send(HTTPStatus.NOT_FOUND, "text/plain; charset=utf-8", b"not found\n", head)

    def _host_allowed(self) -> bool:
        host = (self.headers.get("Host") or "").lower()
        port = self.server.server_address[1]
        return host in (f"{HOST}:{port}", f"localhost:{port}", HOST, "localhost")

    def _send(
        self, status: HTTPStatus, kind: str, body: bytes, head: bool = False, extra: dict[str, str] | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _events(self) -> None:
        """Send the current version at once, then every new one, until the client goes away."""
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        preview = self.server.preview
        sent = -1
        try:
            while not self.server.stopping.is_set():
                with preview.changed:
                    if preview.state.version == sent:
                        preview.changed.wait(KEEPALIVE_SECONDS)
                    version = preview.state.version
                if version != sent:
                    self.wfile.write(f"event: reload\ndata: {version}\n\n".encode())
                    sent = version
                else:
                    self.wfile.write(b": keep-alive\n\n")  # also finds out when the client has gone
                self.wfile.flush()
        except OSError:  # the client has gone, or stopped reading for IDLE_SECONDS
            pass


def start_server(preview: Preview, port: int) -> _Server:
    """Listen on 127.0.0.1:``port`` (0: any free port); serve in a daemon thread."""
    try:
        server = _Server((HOST, port), _Handler)
    except OSError as error:
        hint = "; choose another with --port" if port else ""
        raise WorkspaceError(f"cannot listen on {HOST}:{port}: {error.strerror}{hint}") from None
    server.preview = preview
    server.stopping = threading.Event()
    server.slots = threading.BoundedSemaphore(MAX_CONNECTIONS)
    threading.Thread(target=server.serve_forever, name="storyteller-http", daemon=True).start()
    return server


def stop_server(server: _Server) -> None:
    server.stopping.set()
    with server.preview.changed:
        server.preview.changed.notify_all()  # wake the event streams so they end
    server.shutdown()
    server.server_close()


def watched(preview: Preview) -> tuple[list[Path], list[Path]]:
    """(folders watched with everything below them, folders watched for their own entries).

    The stories folder, the templates folder and the folders of images and the logo
    outside it; the workspace folder itself only for storyteller.yaml and templates/, so
    that output/ (which a rebuild writes to) and anything else there is not watched."""
    root = preview.root
    config = preview.config
    if config is None:  # before the first rebuild
        try:
            config = load_config(root)
        except StorytellerError:
            config = Config(root=root)
    deep: list[Path] = []
    if config is not None:
        extra = [p.parent for p in ([config.brand_logo] if config.brand_logo else [])]
        extra += [image.path.parent for story in preview.stories() for image in story.images]
        for folder in [config.stories_dir, root / "templates", *extra]:
            if folder.is_dir() and not any(folder.is_relative_to(d) for d in deep) and folder != root:
                deep = [d for d in deep if not d.is_relative_to(folder)] + [folder]
    return _folders_below(deep), [root]


MAX_WATCHED_FOLDERS = 2_000


def _folders_below(tops: list[Path]) -> list[Path]:
    """Every folder at or below ``tops``, links not followed, as load.discover reads them:
    watched one by one (not recursively), so a linked folder (a link to /usr) is never
    watched, as it is never read. The supervisor works the list out again every second,
    so a new folder is watched from then on."""
    folders: list[Path] = []
    for top in tops:
        for dirpath, dirnames, _files in os.walk(top):  # followlinks=False
            dirnames[:] = sorted(
                d for d in dirnames if not d.startswith(".") and not os.path.islink(os.path.join(dirpath, d))
            )
            folders.append(Path(dirpath))
            if len(folders) >= MAX_WATCHED_FOLDERS:
                return folders
    return folders


def relevant(root: Path, deep: list[Path]) -> Callable[[object, str], bool]:
    """The watch filter: in the workspace folder itself only the config and templates/."""

    def accept(_change: object, name: str) -> bool:
        path = Path(name)
        if path.parent == root and not any(path.is_relative_to(d) for d in deep):
            return path.name in (CONFIG_NAME, "templates")
        return not path.name.startswith(".") and not path.name.endswith(("~", ".swp", ".tmp"))

    return accept


@contextlib.contextmanager
def watching(preview: Preview, on_change: Callable[[set[str]], None]) -> Iterator[None]:
    """Watch the workspace while the block runs; call ``on_change`` with the changed paths.

    The block starts once the watchers are in place, so a change made after that is never
    missed. Every second the watched folders are worked out again (a new templates/
    folder, a new image folder); when they changed, the watchers are restarted and
    ``on_change`` is called, for what changed while they were."""
    supervisor = _Supervisor(preview, on_change)
    supervisor.thread.start()
    supervisor.ready.wait(60)
    try:
        yield
    finally:
        supervisor.stop.set()
        with preview.changed:
            preview.changed.notify_all()
        supervisor.thread.join(timeout=10)


class _Supervisor:
    """The thread behind ``watching``: runs one watcher for the workspace folder and one for
    the folders watched deep, and starts them again when those folders change."""

    def __init__(self, preview: Preview, on_change: Callable[[set[str]], None]) -> None:
        from watchfiles import watch  # here, not in a watcher thread: a missing package fails the command

        self.watch = watch
        self.preview = preview
        self.on_change = on_change
        self.stop = threading.Event()
        self.ready = threading.Event()  # the first watchers are in place
        self.thread = threading.Thread(target=self._supervise, name="storyteller-watch", daemon=True)

    def _supervise(self) -> None:
        while not self.stop.is_set():
            deep, shallow = watched(self.preview)
            restart = threading.Event()
            threads = self._start(deep, shallow, _Either(self.stop, restart))
            if self.ready.is_set():
                self.on_change(set())  # what changed while the watchers were restarted was not seen
            self.ready.set()
            while not self.stop.is_set() and watched(self.preview) == (deep, shallow):
                preview_wait(self.preview, 1.0)
            restart.set()
            for thread in threads:
                thread.join()

    def _start(self, deep: list[Path], shallow: list[Path], stop: _Either) -> list[threading.Thread]:
        """Start the watchers and wait until they are in place (30 s at most)."""
        accept = relevant(self.preview.root, deep)
        groups = [(shallow, False), *([(deep, False)] if deep else [])]  # deep: every folder, listed
        started = [threading.Event() for _ in groups]
        threads = [
            threading.Thread(target=self._run, args=(paths, recursive, stop, accept, flag), daemon=True)
            for (paths, recursive), flag in zip(groups, started, strict=True)
        ]
        for thread in threads:
            thread.start()
        for flag in started:
            flag.wait(30)
        return threads

    def _run(
        self,
        paths: list[Path],
        recursive: bool,
        stop: _Either,
        accept: Callable[[object, str], bool],
        started: threading.Event,
    ) -> None:
        for changes in self.watch(
            *paths,
            watch_filter=accept,
            stop_event=stop,
            recursive=recursive,
            raise_interrupt=False,
            ignore_permission_denied=True,
            rust_timeout=500,
            yield_on_timeout=True,  # the first (empty) batch says the watcher is in place
        ):
            started.set()
            if changes:
                self.on_change({name for _, name in changes})


def preview_wait(preview: Preview, seconds: float) -> None:
    with preview.changed:
        preview.changed.wait(seconds)


class _Either:
    """An event that is set when either of two is (watchfiles takes one stop event)."""

    def __init__(self, first: threading.Event, second: threading.Event) -> None:
        self.first, self.second = first, second

    def is_set(self) -> bool:
        return self.first.is_set() or self.second.is_set()


class Rebuilder:
    """Rebuilds in one thread, after a change; changes that arrive meanwhile make one more."""

    def __init__(self, preview: Preview, report: Callable[[State], None]) -> None:
        self.preview = preview
        self.report = report
        self.pending = threading.Event()
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._loop, name="storyteller-rebuild", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def changed(self, _paths: set[str]) -> None:
        self.pending.set()

    def _loop(self) -> None:
        while not self.stopping.is_set():
            if not self.pending.wait(0.5):
                continue
            self.pending.clear()
            self.report(self.preview.rebuild())

    def stop(self) -> None:
        self.stopping.set()
        self.thread.join(timeout=30)
