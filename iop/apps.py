from django.apps import AppConfig


class IopConfig(AppConfig):
    name = "iop"
    verbose_name = "IOP"

    def ready(self):
        # Registers the ``any_of`` lookup (one array parameter for a list of ids) on every field.
        from . import db  # noqa: F401
