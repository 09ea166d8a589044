from django.apps import AppConfig


class AftercareConfig(AppConfig):
    """The end of an episode and what follows: discharge, the aftercare plan, alumni check-ins."""

    name = "aftercare"
