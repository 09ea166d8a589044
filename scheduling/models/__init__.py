from .groups import CurriculumTopic, Enrolment, Group, WeekNote
from .programs import ClinicClosure, Program, Room
from .sessions import Attendance, CalendarFeedToken, Session

__all__ = [
    "Attendance",
    "CalendarFeedToken",
    "ClinicClosure",
    "CurriculumTopic",
    "Enrolment",
    "Group",
    "Program",
    "Room",
    "Session",
    "WeekNote",
]
