"""The chart in the Django admin: every model, nothing deletable, errors marked with a reason."""

from . import coverage, episodes, intake, registry

__all__ = ["coverage", "episodes", "intake", "registry"]
