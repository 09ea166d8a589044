"""CI runs what we think it runs: every app's tests are collected by a plain ``pytest``."""

import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def apps_with_tests() -> set[str]:
    return {path.parts[-3] for path in ROOT.glob("*/tests/test_*.py")}


def test_every_app_with_tests_is_collected():
    # The same command `make test` runs, asked only to list what it would run.
    listing = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:randomly"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert listing.returncode == 0, listing.stdout[-2000:] + listing.stderr[-2000:]
    collected = Counter(line.split("/", 1)[0] for line in listing.stdout.splitlines() if "::" in line)
    expected = apps_with_tests()
    assert {"accounts", "patients", "scheduling", "clinical", "notifications", "audit", "iop"} <= expected
    missing = {app: collected[app] for app in expected if collected[app] == 0}
    assert not missing, f"apps whose tests pytest does not collect: {sorted(missing)}"
