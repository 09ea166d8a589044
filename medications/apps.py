from django.apps import AppConfig


class MedicationsConfig(AppConfig):
    """The medication list: MOUD, AUD and psychiatric medications, ours or an outside prescriber's."""

    name = "medications"
