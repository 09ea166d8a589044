from django.apps import AppConfig


class ProgramsConfig(AppConfig):
    """The program tracks that staff, episodes of care and sessions all belong to."""

    name = "programs"
