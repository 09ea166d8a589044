"""A clinic's database made by the layout before the apps were split migrates in place, losing nothing.

Runs bin/migrate_in_place_check.py (also ``make migration-proof``) on the demo clinic and on
``seed_scale --size S`` in PostgreSQL, and on the demo in the SQLite file ``make run`` keeps,
each seeded by the older commit's own code.
"""

import importlib.util
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "bin" / "migrate_in_place_check.py"


def load_check():
    spec = importlib.util.spec_from_file_location("migrate_in_place_check", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_demo_and_sized_clinics_migrate_in_place_with_every_row_kept():
    check = load_check()
    reports = check.run(sorted(check.CASES))
    assert [report.case for report in reports] == ["demo", "demo-sqlite", "scale-S"]
    for report in reports:
        assert not report.problems, f"{report.case}: " + "; ".join(report.problems)
        # The seeds really seeded: patients, sessions and attendance were there to be compared.
        assert report.rows > 10_000, report
