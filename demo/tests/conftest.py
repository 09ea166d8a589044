# The clinical notes seed is tested on the clinical tests' clinic (program, supervisor, counselor).
from clinical.tests.conftest import counselor, program, supervisor  # noqa: F401
