"""The laptop demo's SQLite file holds a small clinic: parallel chart views and the outbox worker, no "locked"."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_on_sqlite(var_dir: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DEBUG": "1", "IOP_VAR_DIR": str(var_dir), "CELERY_TASK_ALWAYS_EAGER": "1"}
    for name in ("DATABASE_URL", "PYTEST_VERSION", "DJANGO_SETTINGS_MODULE"):
        env.pop(name, None)
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False)


@pytest.mark.slow
def test_six_people_and_the_worker_share_the_sqlite_demo_without_locking(tmp_path):
    migrated = run_on_sqlite(tmp_path, "manage.py", "migrate", "--noinput")
    assert migrated.returncode == 0, migrated.stderr[-3000:]
    run = run_on_sqlite(tmp_path, str(ROOT / "iop" / "tests" / "sqlite_parallel.py"))
    assert run.returncode == 0, run.stderr[-3000:]
    outcome = json.loads(run.stdout.strip().splitlines()[-1])
    assert outcome["errors"] == []
    assert outcome["looks"] == [200] * 90
    assert outcome["journal"] == "wal"
