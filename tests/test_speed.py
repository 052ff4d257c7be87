"""What makes a small report's PDF fast (issue 18), kept true: WeasyPrint imported without
ctypes' library search, and charts converted on a thread beside the PDF's layout, each the
same SVG as converted on its own. Nothing here is timed: speed belongs in `make bench`."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from storyteller.report import charts
from storyteller.report.charts import Drawing, Palette, before_after_chart, category_chart, category_row
from storyteller.workers import Stream

from .helpers import until

# In a fresh process: the programs started and the native libraries loaded by the import.
IMPORT = """
import json, subprocess, sys
started = []
real = subprocess.Popen.__init__
def counted(self, args, *rest, **options):
    started.append(str(args))
    real(self, args, *rest, **options)
subprocess.Popen.__init__ = counted
if sys.argv[1] == "storyteller":
    from storyteller.pdf.whole import import_weasyprint
    import_weasyprint()
else:
    import weasyprint
import weasyprint.text.ffi as ffi
libraries = sorted({line.split()[-1] for line in open("/proc/self/maps") if ".so" in line and "/lib" in line
                    and any(n in line for n in ("gobject", "pango", "harfbuzz", "fontconfig"))})
print(json.dumps({"started": started, "libraries": libraries, "subset": ffi.harfbuzz_subset is not None}))
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the library search is skipped on Linux only")
def test_weasyprint_is_imported_without_the_library_search_and_loads_the_same_libraries() -> None:
    found = {}
    for way in ("storyteller", "weasyprint"):
        done = subprocess.run([sys.executable, "-c", IMPORT, way], capture_output=True, text=True, check=True)
        found[way] = json.loads(done.stdout.splitlines()[-1])
    assert found["storyteller"]["started"] == []  # no ldconfig, gcc or ld
    assert found["weasyprint"]["started"]  # WeasyPrint's own import searches: what this avoids
    assert found["storyteller"]["libraries"] == found["weasyprint"]["libraries"]
    assert len(found["storyteller"]["libraries"]) >= 5  # gobject, pango, pangoft2, harfbuzz, fontconfig
    assert found["storyteller"]["subset"] == found["weasyprint"]["subset"]


def test_a_failed_import_without_the_search_is_done_again_with_it() -> None:
    """A system where only the search finds the libraries: the first import fails, and the
    second, searching, succeeds (here the sonames are made to fail by a refusing dlopen)."""
    code = """
import cffi, ctypes.util, sys
real_dlopen, searched = cffi.FFI.dlopen, []
def dlopen(self, name, *rest):
    if ctypes.util.find_library.__name__ == "<lambda>":  # storyteller's search-free import
        raise OSError(f"refused: {name}")
    searched.append(name)
    return real_dlopen(self, name, *rest)
cffi.FFI.dlopen = dlopen
from storyteller.pdf.whole import import_weasyprint
HTML = import_weasyprint()
print(HTML.__module__, len(searched) > 0, ctypes.util.find_library.__name__)
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["weasyprint", "True", "find_library"]
    assert "WeasyPrint could not import" not in done.stdout  # its complaint was not shown


def _charts(count: int) -> list[charts.Chart]:
    palette = Palette.from_brand("#1f4e79")
    rows = [category_row("Tooling", 120.0, 30.0, str), category_row("Process", 80.0, 0.0, str)]
    made = [category_chart(rows, palette)]
    for index in range(count - 1):
        rows = [(f"Metric {index}", 10.0 + index, 4.0, f"{10 + index} min", "4 min", False)]
        made.append(before_after_chart(f"Story {index}", rows, palette))
    return made


@pytest.fixture
def threaded(monkeypatch: pytest.MonkeyPatch) -> None:
    """As when another thread runs (a PDF's worker pool): no fork, the Drawing's thread."""
    monkeypatch.setattr(charts, "can_fork", lambda: False)


STREAMED = """
import json, sys
from pathlib import Path
from tests.test_speed import _charts
from storyteller.report.charts import Drawing
made = _charts(6)
with Drawing(made, Path(sys.argv[1]), beside=True) as drawing:
    way = "stream" if drawing.stream is not None else "other"
    first = drawing.svg(made[-1].key)  # out of order
    svgs = {chart.key: drawing.svg(chart.key) for chart in made}
    stopped = drawing.stream is None
print(json.dumps({"way": way, "first": first, "svgs": svgs, "stopped": stopped, "loaded": "vl_convert" in sys.modules}))
"""


def test_charts_converted_by_a_forked_copy_are_those_converted_here(tmp_path: Path) -> None:
    """In a fresh process, as a build is: the copy converts, and vl-convert never loads here."""
    done = subprocess.run(
        [sys.executable, "-c", STREAMED, str(tmp_path / "cache")],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    found = json.loads(done.stdout.splitlines()[-1])
    made = _charts(6)
    assert found["way"] == "stream" and found["stopped"] and not found["loaded"]
    assert found["svgs"] == {chart.key: charts.draw(chart)[1] for chart in made}
    assert found["first"] == found["svgs"][made[-1].key]
    assert len(list((tmp_path / "cache").iterdir())) == len(made)  # every one kept in the cache


def test_no_fork_once_vl_convert_runs_here(tmp_path: Path) -> None:
    """A fork hangs in vl-convert's runtime: once it runs in this process, the thread converts."""
    charts.draw(_charts(1)[0])
    with Drawing(_charts(3), tmp_path / "cache", beside=True) as drawing:
        assert drawing.stream is None and drawing.thread is not None


@pytest.mark.usefixtures("threaded")
def test_charts_converted_beside_are_those_converted_here(tmp_path: Path) -> None:
    made = _charts(6)
    with Drawing(made, tmp_path / "beside", beside=True) as drawing:
        assert drawing.thread is not None and drawing.pool is None
        last = made[-1].key
        asked_first = drawing.svg(last)  # out of order: converted at once, or taken from the thread
        beside = {chart.key: drawing.svg(chart.key) for chart in made}
        assert drawing.thread is None  # stopped once every chart is in
    assert beside[last] == asked_first
    assert beside == {chart.key: charts.draw(chart)[1] for chart in made}
    cached = sorted(p.name for p in (tmp_path / "beside").iterdir())
    assert len(cached) == len(made)  # every one kept in the cache
    with Drawing(made, tmp_path / "beside", beside=True) as again:
        assert again.thread is None and again.missing == ()  # all from the cache


@pytest.mark.usefixtures("threaded")
def test_the_thread_converts_while_the_caller_works_and_stops_with_the_drawing(tmp_path: Path) -> None:
    made = _charts(4)
    with Drawing(made, tmp_path / "cache", beside=True) as drawing:
        thread = next(t for t in threading.enumerate() if t.name.startswith("storyteller-charts"))
        for future in list(drawing.pending.values()):
            future.result(timeout=120)  # converted without being asked for
        assert all(future.done() for future in drawing.pending.values())
    assert not thread.is_alive()
    assert not any(t.name.startswith("storyteller-charts") for t in threading.enumerate())


@pytest.mark.usefixtures("threaded")
def test_an_error_leaves_the_drawing_without_a_thread(tmp_path: Path) -> None:
    made = _charts(8)
    with pytest.raises(RuntimeError, match="stop"), Drawing(made, tmp_path / "cache", beside=True) as drawing:
        raise RuntimeError("stop")
    assert drawing.thread is None
    # Not waited for on an error (a signal may have struck inside the executor's locking): the
    # thread ends once the chart it was converting is done, the others cancelled.
    gone = until(lambda: not any(t.name.startswith("storyteller-charts") for t in threading.enumerate()))
    assert gone, "the charts thread still runs 60 s after the error"


@pytest.mark.usefixtures("threaded")
def test_the_thread_converts_the_charts_preferred_first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """As a PDF laid out in parts hands its parts out (largest first), not as the report lists
    its charts: the first part waits for its own charts only."""
    made = _charts(8)
    order: list[str] = []
    real = charts.draw

    def recorded(chart: charts.Chart) -> tuple[str, str]:
        order.append(chart.key)
        return real(chart)

    monkeypatch.setattr(charts, "draw", recorded)
    wanted = [chart.key for chart in reversed(made)]
    with Drawing(made, tmp_path / "cache", beside=True) as drawing:
        drawing.prefer(wanted[:5])
        svgs = {key: drawing.svg(key) for key in wanted}
    first = [key for key in wanted[:5] if key != order[0]]  # the thread may have begun one before
    assert [key for key in order if key != order[0]][: len(first)] == first
    assert sorted(order) == sorted(wanted)  # each converted once
    assert svgs == {chart.key: real(chart)[1] for chart in made}


def _square(n: int) -> int:
    if n == 3:
        raise ValueError("three")
    return n * n


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_a_stream_sends_each_result_and_a_failure_leaves_the_rest_to_the_caller() -> None:
    with Stream(_square, [0, 1, 2, 3, 4]) as stream:
        pid = stream.pid
        assert [stream.get(i) for i in (2, 0, 1)] == [4, 0, 1]  # in any order asked
        assert stream.get(3) is None and stream.get(4) is None  # failed at 3: the caller does 3 and 4
    assert stream.pid is None and pid is not None and not _alive(pid)


def test_leaving_a_stream_early_kills_its_copy() -> None:

    def slow(n: int) -> int:
        if n:
            threading.Event().wait()  # the copy is busy for good when the stream is left
        return n

    stream = Stream(slow, [0, 1])
    pid = stream.pid
    assert pid is not None and stream.get(0) == 0
    closing = threading.Thread(target=stream.close)
    closing.start()
    try:
        assert until(lambda: not closing.is_alive()), "close() waited for the copy instead of killing it"
    finally:
        if closing.is_alive():
            os.kill(pid, signal.SIGKILL)
    assert not _alive(pid)


def test_a_stream_copy_ignores_ctrl_c_like_every_worker() -> None:
    def handler(n: int) -> str:
        return str(signal.getsignal(signal.SIGINT)) + "|" + str(signal.getsignal(signal.SIGTERM))

    with Stream(handler, [0]) as stream:
        assert stream.get(0) == f"{signal.SIG_IGN}|{signal.SIG_DFL}"
    assert os.getpid()  # this process was not touched


def test_a_chart_is_asked_for_when_the_layout_reaches_it_and_drawn_the_same(tmp_path: Path) -> None:
    """WeasyPrint loads images while it builds its boxes, before the first page is laid out;
    a chart handed over late (whole._LateChart) is asked for only once the layout has begun,
    in the order of the pages, so a small report's layout runs while its charts convert. The
    PDF is byte for byte the one made with every SVG fetched at once."""
    import logging

    from storyteller.pdf.whole import write_pdf

    made = _charts(3)
    svgs = {f"file://{tmp_path}/{chart.key}.svg": charts.draw(chart)[1] for chart in made}
    pages = "".join(
        f'<section style="break-before: page"><h1>Page {number}</h1><img src="{url}" alt="A chart"></section>'
        for number, url in enumerate(svgs, start=1)
    )
    html = f'<html lang="en"><head><title>Charts</title></head><body>{pages}</body></html>'
    events: list[str] = []

    class Steps(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            events.append(record.getMessage())

    def late(url: str) -> bytes | None:
        events.append(url)
        return svgs[url].encode("utf-8") if url in svgs else None

    progress = logging.getLogger("weasyprint.progress")
    handler, level = Steps(), progress.level
    progress.addHandler(handler)
    progress.setLevel(logging.INFO)
    try:
        lazily, _ = write_pdf(html, [tmp_path], tmp_path, late=late, charts=list(svgs))
    finally:
        progress.removeHandler(handler)
        progress.setLevel(level)
    asked = [event for event in events if event in svgs]
    assert asked == list(svgs)  # each once, in the order of the pages
    for number, url in enumerate(svgs, start=1):
        assert events.index(f"Step 5 - Creating layout - Page {number}") < events.index(url)
    for url, svg in svgs.items():
        Path(url.removeprefix("file://")).write_text(svg, encoding="utf-8")
    at_once, _ = write_pdf(html, [tmp_path], tmp_path)
    assert lazily == at_once
