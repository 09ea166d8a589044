from django.apps import AppConfig


class TestingConfig(AppConfig):
    """Drug testing (orders, specimens, results read against the medication list, random draws)
    and each program's monitoring policy: random-testing rate and repeat-instrument cadence."""

    name = "testing"
    verbose_name = "Drug testing and monitoring"
