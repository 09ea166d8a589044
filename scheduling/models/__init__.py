from .clinic import ClinicClosure, Room
from .groups import CurriculumTopic, Enrolment, Group, WeekNote
from .sessions import Attendance, CalendarFeedToken, Session

__all__ = [
    "Attendance",
    "CalendarFeedToken",
    "ClinicClosure",
    "CurriculumTopic",
    "Enrolment",
    "Group",
    "Room",
    "Session",
    "WeekNote",
]
