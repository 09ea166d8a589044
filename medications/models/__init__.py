from .medications import Medication

__all__ = ["Medication"]
