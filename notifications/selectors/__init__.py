"""Reads of the outbox and the work list."""

from .messages import failed_messages, patient_recent_messages
from .work_list import end_of_today, tasks_user_may_act_on, team_tasks, work_list_tasks

__all__ = [
    "end_of_today",
    "failed_messages",
    "patient_recent_messages",
    "tasks_user_may_act_on",
    "team_tasks",
    "work_list_tasks",
]
