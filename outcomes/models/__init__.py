from .facts import AttendanceWeekFact, DrugTestFact, EpisodeFact, IntakeFact
from .measures import AdmissionProfile, OutcomeMeasures, SubstanceDays
from .reporting import ProgramReporting, TedsClient, TedsExport

__all__ = [
    "AdmissionProfile",
    "AttendanceWeekFact",
    "DrugTestFact",
    "EpisodeFact",
    "IntakeFact",
    "OutcomeMeasures",
    "ProgramReporting",
    "SubstanceDays",
    "TedsClient",
    "TedsExport",
]
