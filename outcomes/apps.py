from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    """Program outcomes, the National Outcome Measures, and state reporting (TEDS)."""

    name = "outcomes"
    verbose_name = "Outcomes and state reporting"

    def ready(self):
        from iop.hooks import register_change_handler, register_follow_on

        from .services.facts import CHANGE_HANDLERS
        from .services.measures import FOLLOW_ONS

        for model_label, handler in CHANGE_HANDLERS.items():
            register_change_handler(model_label, handler)
        for step, handler in FOLLOW_ONS.items():
            register_follow_on(step, handler)
