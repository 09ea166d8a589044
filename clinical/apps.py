from django.apps import AppConfig


class ClinicalConfig(AppConfig):
    name = "clinical"
    verbose_name = "Treatment plans and session notes"

    def ready(self):
        from notifications.services import register_daily_producer
        from patients.follow_up import Finding
        from patients.services import register_finding_handler

        from .services.plans import plan_reopen_after_return_to_use
        from .services.work_list import initial_plan_tasks, plan_review_tasks, unsigned_note_tasks

        register_daily_producer("plan_reviews", lambda today, now: plan_review_tasks(today=today))
        register_daily_producer("unsigned_notes", lambda today, now: unsigned_note_tasks(now=now))
        register_daily_producer("initial_plans", lambda today, now: initial_plan_tasks(today=today))
        register_finding_handler(Finding.RETURN_TO_USE, plan_reopen_after_return_to_use)
