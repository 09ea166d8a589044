from .checkins import AlumniCheckIn
from .discharge import AftercarePlan, Discharge

__all__ = ["AftercarePlan", "AlumniCheckIn", "Discharge"]
