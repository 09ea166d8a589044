from django.apps import AppConfig


class TestingConfig(AppConfig):
    """Drug testing (orders, specimens, results read against the medication list, random draws)
    and each program's monitoring policy: random-testing rate and repeat-instrument cadence."""

    name = "testing"
    verbose_name = "Drug testing and monitoring"

    def ready(self):
        from notifications.services import register_daily_producer

        from .services.work_list import drug_test_pending_tasks, instrument_due_tasks

        register_daily_producer("drug_tests_pending", lambda today, now: drug_test_pending_tasks(now=now))
        register_daily_producer("instruments_due", lambda today, now: instrument_due_tasks(today=today))
