"""Reproducible builds: with SOURCE_DATE_EPOCH, two builds in different processes, folders,
time zones, languages and hash seeds write byte-identical HTML and PDF; without it, the
report carries today's date."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from babel.dates import format_date
from pypdf import PdfReader

from .helpers import EPOCH, build_in_subprocess, copy_example

NAME = "northwind-logistics-2026-Q3"

pytestmark = pytest.mark.slow  # whole builds (HTML and PDF) in subprocesses


def _build(cwd: Path, epoch: str | None = EPOCH, **env: str) -> None:
    build_in_subprocess(cwd, "--quarter", "2026-Q3", epoch=epoch, **env)


def _reports(ws: Path) -> tuple[bytes, bytes]:
    folder = ws / "output" / "2026-Q3"
    return (folder / f"{NAME}.html").read_bytes(), (folder / f"{NAME}.pdf").read_bytes()


def test_two_builds_in_different_places_and_settings_are_byte_identical(tmp_path: Path) -> None:
    first = copy_example(tmp_path / "one" / "ws")
    second = copy_example(tmp_path / "two" / "a much longer folder name" / "ws")
    _build(first, TZ="UTC", LANG="C.UTF-8", PYTHONHASHSEED="1")
    settings = {"TZ": "Pacific/Chatham", "LANG": "de_DE.UTF-8", "PYTHONHASHSEED": "2"}
    _build(second / "stories" / "2026-Q3", **settings)  # found upward from a story folder; cold caches
    assert _reports(first) == _reports(second)
    _build(second, **{**settings, "PYTHONHASHSEED": "3", "LC_ALL": "C"})  # warm chart and font caches
    assert _reports(first) == _reports(second)


def test_without_source_date_epoch_the_report_is_dated_today(tmp_path: Path) -> None:
    ws = copy_example(tmp_path / "ws")
    before = dt.datetime.now(dt.UTC).date()
    _build(ws, None, TZ="Pacific/Kiritimati")  # UTC+14: the build's clock is UTC, not the machine's zone
    after = dt.datetime.now(dt.UTC).date()
    html, _pdf = _reports(ws)
    days = {before, after}
    assert any(f"Prepared {format_date(day, 'long', locale='en_US')}" in html.decode() for day in days)
    created = PdfReader(ws / "output" / "2026-Q3" / f"{NAME}.pdf").metadata["/CreationDate"]
    assert created[2:10] in {day.strftime("%Y%m%d") for day in days}
