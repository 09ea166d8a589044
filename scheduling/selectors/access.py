"""Which programs and sessions a user may see and edit (patients come from patients.selectors)."""

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q, QuerySet

from accounts.constants import Role
from patients.selectors import patients_visible_to
from programs.models import Program

from ..models import Session


def sees_everything(user) -> bool:
    return bool(user.is_superuser or user.has_role(Role.ADMIN))


def programs_visible_to(user) -> QuerySet[Program]:
    """Admins see every program; everyone else the programs they staff."""
    programs = Program.objects.filter(is_active=True)
    if sees_everything(user):
        return programs
    return programs.filter(staff=user)


def sessions_visible_to(user) -> QuerySet[Session]:
    """Sessions of the user's programs, the sessions they run, and the booked sessions of their patients."""
    sessions = Session.objects.all()
    if not (user and user.is_authenticated and user.is_active):
        return sessions.none()
    if sees_everything(user):
        return sessions
    staff_of_program = Exists(
        get_user_model().programs.through.objects.filter(program_id=OuterRef("program_id"), user_id=user.pk)
    )
    my_patient = Exists(patients_visible_to(user).filter(pk=OuterRef("patient_id")))
    return sessions.filter(staff_of_program | Q(clinician=user) | Q(co_facilitator=user) | my_patient)


def session_editor(user, program_ids: set[int] | None = None):
    """The test "may this user move, cancel and take attendance of this session?", worked out once.

    Staff of the session's program, or the clinicians running it, with the change permission.
    Returns a predicate on anything with ``program_id``, ``clinician_id`` and ``co_facilitator_id``
    (a Session, or a feed's plain row), so a week of 800 sessions asks the user's roles once.
    """
    if not user.has_perm("scheduling.change_session"):
        return lambda session: False
    if sees_everything(user):
        return lambda session: True
    known_programs = program_ids

    def editable(session) -> bool:
        nonlocal known_programs
        if user.pk in (session.clinician_id, session.co_facilitator_id):
            return True
        if known_programs is None:  # asked only when running the session is not enough
            known_programs = set(user.programs.values_list("pk", flat=True))
        return session.program_id in known_programs

    return editable


def session_editable_by(user, session: Session) -> bool:
    return session_editor(user)(session)
