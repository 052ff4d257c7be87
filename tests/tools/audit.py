"""`make audit`: pip-audit against requirements.lock, honest about what it could check.

pip-audit prints "No known vulnerabilities found" and exits 0 even when the vulnerability
service could not be reached and not one package was audited. This wrapper runs it with
JSON output and reports three outcomes:

- vulnerabilities found: each one, exit 1;
- every package audited, none vulnerable: exit 0;
- some packages could not be audited (no service, an unknown package): says how many and
  why, exit 0, or exit 1 when AUDIT_STRICT=1 (for machines that can reach the service).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

LOCK = Path(__file__).resolve().parents[2] / "requirements.lock"


def audit(lock: Path = LOCK) -> int:
    command = [
        sys.executable,
        "-m",
        "pip_audit",
        "--requirement",
        str(lock),
        "--require-hashes",
        "--disable-pip",  # audit the pinned versions as written; install nothing
        "--format",
        "json",
        "--progress-spinner",
        "off",
        "--timeout",
        "20",
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=900)
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        print(f"audit: pip-audit failed (exit {result.returncode}):\n{result.stderr.strip()}", file=sys.stderr)
        return 1
    packages = report["dependencies"]
    found = [(p["name"], p["version"], v) for p in packages for v in p.get("vulns", ())]
    skipped = [p for p in packages if "skip_reason" in p]
    for name, version, vuln in found:
        fixed = ", ".join(vuln.get("fix_versions", ())) or "no fixed release yet"
        print(f"audit: {name} {version}: {vuln['id']} (fixed in: {fixed})")
    audited = len(packages) - len(skipped)
    if found:
        print(f"audit: {len(found)} known vulnerabilities in the locked versions", file=sys.stderr)
        return 1
    if not skipped:
        print(f"audit: {audited} locked packages audited, no known vulnerabilities")
        return 0
    reasons = sorted({p["skip_reason"].split(":")[0] for p in skipped})
    clean = f" The other {audited} have no known vulnerabilities." if audited else ""
    print(
        f"audit: NOT AUDITED: {len(skipped)} of {len(packages)} locked packages could not be checked "
        f"({'; '.join(reasons)}): pip-audit's vulnerability service did not answer for them.{clean}",
        file=sys.stderr,
    )
    return 1 if os.environ.get("AUDIT_STRICT") == "1" else 0


if __name__ == "__main__":
    sys.exit(audit())
