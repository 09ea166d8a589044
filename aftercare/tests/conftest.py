# The chart's clinic: a program with its counselor, director, intake worker and admin.
from patients.tests.conftest import admin_user, counselor, director, intake_worker, other_counselor, program  # noqa: F401
