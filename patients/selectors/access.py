"""Who may see which patient: the one access rule for every list, page and export."""

from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.constants import Role
from audit.constants import DataCategory, Outcome
from audit.services import access_log_record

from ..constants import IntakeStatus
from ..models import (
    BreakGlassAccess,
    CareTeamMember,
    Episode,
    Intake,
    Patient,
)


def patients_visible_to(user, among=None) -> QuerySet[Patient]:
    """The patients a staff member may see: the one access rule for every list, page and export.

    ``among`` (patient ids, or a values() subquery of them) narrows the question to a few
    candidates, such as the patients booked on a week's sessions. The same rule is applied,
    but each of its subqueries is restricted to the candidates, so PostgreSQL probes a
    handful of rows instead of building the user's whole caseload (a program's staff can
    see tens of thousands of patients).
    """
    patients = Patient.objects.valid()
    # A list of ids travels as one array parameter (iop.db.AnyOf), however many there are;
    # a subquery stays a subquery.
    membership = "in" if isinstance(among, QuerySet) else "any_of"
    if among is not None:
        if membership == "any_of":
            among = sorted({int(pk) for pk in among})
        patients = patients.filter(**{f"pk__{membership}": among})
    if not (user and user.is_authenticated and user.is_active):
        return patients.none()
    if user.is_superuser or user.has_role(Role.ADMIN, Role.INTAKE):
        # Intake must find anyone to avoid duplicate charts; admins administer everything.
        return patients

    def candidates(queryset):
        return queryset if among is None else queryset.filter(**{f"patient_id__{membership}": among})

    # Each rule is an uncorrelated "pk IN (subquery)": PostgreSQL evaluates it once and
    # hashes it, where OR-ed correlated EXISTS forced a probe per patient (1 s at 50,000).
    in_my_programs = Q(pk__in=candidates(Episode.objects.valid().filter(program__staff=user)).values("patient_id"))
    # Break-the-glass: an unexpired emergency grant, given with a reason (patients.services.access).
    emergency = Q(
        pk__in=candidates(BreakGlassAccess.objects.filter(user=user, expires_at__gt=timezone.now())).values(
            "patient_id"
        )
    )
    if user.has_role(Role.DIRECTOR):
        awaiting_admission = Q(
            pk__in=candidates(Intake.objects.valid().filter(status=IntakeStatus.OPEN)).values("patient_id")
        )
        return patients.filter(in_my_programs | awaiting_admission | emergency)
    on_care_team = Q(pk__in=candidates(CareTeamMember.objects.filter(user=user)).values("patient_id"))
    return patients.filter(Q(primary_clinician=user) | on_care_team | in_my_programs | emergency)


def visible_patient_ids(user, ids) -> set[int]:
    """Which of these patient ids the user may see: the access rule asked about them alone."""
    ids = set(ids)
    if not ids:
        return set()
    # No ORDER BY: the patients' default name order is of no use to a set.
    return set(patients_visible_to(user, among=ids).order_by().values_list("pk", flat=True))


def patient_for_view(request, pk, *, category: DataCategory, action: str) -> Patient:
    """Return the patient if this user may see them, else 404 (and log the refusal)."""
    try:
        if not str(pk).isdigit():
            raise Http404
        # The rule asked about this one patient, not the user's whole caseload.
        patient = get_object_or_404(patients_visible_to(request.user, among=[int(pk)]), pk=pk)
    except Http404:
        exists = Patient.objects.filter(pk=pk).first() if str(pk).isdigit() else None
        access_log_record(request=request, category=category, action=action, patient=exists, outcome=Outcome.REFUSED)
        raise
    access_log_record(request=request, category=category, action=action, patient=patient)
    return patient
