from django.apps import AppConfig


class ClinicalConfig(AppConfig):
    name = "clinical"
    verbose_name = "Treatment plans and session notes"

    def ready(self):
        from notifications.services import register_daily_producer

        from .services.work_list import plan_review_tasks, unsigned_note_tasks

        register_daily_producer("plan_reviews", lambda today, now: plan_review_tasks(today=today))
        register_daily_producer("unsigned_notes", lambda today, now: unsigned_note_tasks(now=now))
