from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Synthetic clinics: the demo `make run` loads and the sized clinics `make bench` times.

    The one app that knows every other one, so the seeds never make a lower app depend on a higher.
    """

    name = "demo"
    verbose_name = "Demo data"
