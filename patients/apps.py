from django.apps import AppConfig


class PatientsConfig(AppConfig):
    name = "patients"
    verbose_name = "Patients and charts"

    def ready(self):
        from notifications.services import register_daily_producer

        from .services.work_list import authorization_tasks

        register_daily_producer("authorizations", lambda today, now: authorization_tasks(today=today))
