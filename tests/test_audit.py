"""Dependencies: the minimum versions that carry the known security fixes, and `make
audit`'s honesty about what pip-audit could check."""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
import tomllib
from typing import Any

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

from .helpers import REPO

_spec = importlib.util.spec_from_file_location("audit", REPO / "tests" / "tools" / "audit.py")
assert _spec is not None and _spec.loader is not None
audit = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(audit)

FLOORS = {"weasyprint": "70", "jinja2": "3.1.6", "pillow": "11.3"}


def test_the_minimum_versions_carry_the_security_fixes_and_the_lock_meets_them() -> None:
    declared = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"]
    requirements = {Requirement(line).name.lower(): Requirement(line) for line in declared}
    locked = dict(re.findall(r"^([a-z0-9_.-]+)==(\S+)", (REPO / "requirements.lock").read_text(), re.M))
    for name, floor in FLOORS.items():
        assert not requirements[name].specifier.contains(str(Version(floor)) + ".dev0"), f"{name} floor too low"
        assert requirements[name].specifier.contains(floor), name
        assert Version(locked[name]) >= Version(floor), f"{name} {locked[name]} is locked"


def _fake_pip_audit(monkeypatch: pytest.MonkeyPatch, dependencies: list[dict[str, Any]]) -> None:
    def run(command: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
        assert command[1:3] == ["-m", "pip_audit"] and "--require-hashes" in command
        return subprocess.CompletedProcess(command, 0, json.dumps({"dependencies": dependencies}), "")

    monkeypatch.setattr(audit.subprocess, "run", run)


def test_a_vulnerability_fails_the_audit(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    vuln = {"id": "CVE-2025-27516", "fix_versions": ["3.1.6"]}
    _fake_pip_audit(monkeypatch, [{"name": "jinja2", "version": "3.1.5", "vulns": [vuln]}])
    assert audit.audit() == 1
    assert capsys.readouterr().out == "audit: jinja2 3.1.5: CVE-2025-27516 (fixed in: 3.1.6)\n"


def test_packages_that_could_not_be_checked_are_never_called_clean(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    skipped = {"name": "altair", "skip_reason": "Dependency not found on PyPI and could not be audited: altair (6.3.0)"}
    _fake_pip_audit(monkeypatch, [skipped, {"name": "jinja2", "version": "3.1.6", "vulns": []}])
    assert audit.audit() == 0
    err = capsys.readouterr().err
    assert err.startswith("audit: NOT AUDITED: 1 of 2 locked packages could not be checked")
    assert "no known vulnerabilities" not in err.split(".")[0]
    monkeypatch.setenv("AUDIT_STRICT", "1")
    assert audit.audit() == 1


def test_all_audited_and_clean(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    _fake_pip_audit(monkeypatch, [{"name": "jinja2", "version": "3.1.6", "vulns": []}])
    assert audit.audit() == 0
    assert capsys.readouterr().out == "audit: 1 locked packages audited, no known vulnerabilities\n"


def test_pip_audit_is_installed_from_the_lock() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pip_audit", "--version"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0 and result.stdout.startswith("pip-audit ")
