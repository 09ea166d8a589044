"""The roster: one screen marks everyone at a session; each row saves on its own (htmx) or all at once."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from audit.constants import DataCategory
from audit.services import access_log_record
from iop.params import BadParameter, choice_param, id_list_param, int_param
from patients.selectors import patients_visible_to, visible_patient_ids

from .. import selectors, services
from ..constants import ABSENT_STATUSES, AttendanceStatus
from ..models import Attendance
from .common import require_perm, session_for_view


def _roster_rows(session, user) -> list[dict]:
    """Every patient on the roster this user may see, with their attendance or the prefilled default."""
    episodes = list(
        selectors.roster_episodes(session)
        .filter(patient__in=patients_visible_to(user))
        .select_related("patient")
        .order_by("patient__legal_last_name", "patient__legal_first_name")
    )
    recorded = {row.patient_id: row for row in Attendance.objects.valid().filter(session=session)}
    rows = []
    for episode in episodes:
        record = recorded.get(episode.patient_id)
        rows.append(
            {
                "patient": episode.patient,
                "record": record,
                "status": record.status if record else AttendanceStatus.PRESENT,
                "minutes": record.minutes_attended if record else session.countable_minutes,
                "error": "",
                "saved": False,
            }
        )
    return rows


def _keep_typed(row: dict, data) -> None:
    """Show what the user typed in a row that was not saved, exactly as typed (even "-30" or "abc")."""
    pk = row["patient"].pk
    row["status"] = data.get(f"status-{pk}", row["status"])
    row["minutes"] = data.get(f"minutes-{pk}", row["minutes"])


def _session_or_404(request, pk, action):
    require_perm(request, "scheduling.view_attendance")
    return session_for_view(request, pk, action=action)


def roster(request, pk):
    session = _session_or_404(request, pk, "roster")
    rows = _roster_rows(session, request.user)
    if session.group_id is None and not rows:
        raise Http404  # a booked session of a patient this user may not see
    access_log_record(
        request=request,
        category=DataCategory.SCHEDULE,
        action="roster",
        patient=rows[0]["patient"] if len(rows) == 1 else None,
        detail=f"session {session.pk}: {len(rows)} patients",
    )
    return _roster_page(request, session, rows)


def _roster_page(request, session, rows, *, refused_rows=(), refusal="", status=200):
    context = {
        "session": session,
        "rows": rows,
        "statuses": AttendanceStatus.choices,
        "absent_statuses": list(ABSENT_STATUSES),
        "has_started": timezone.now() >= session.start,
        "can_record": request.user.has_perm("scheduling.add_attendance")
        and selectors.session_editable_by(request.user, session),
        "refused_rows": refused_rows,
        "refusal": refusal,
        "saved_count": sum(1 for row in rows if row["saved"]),
    }
    return render(request, "scheduling/roster.html", context, status=status)


def _entry_from_post(data, patient_id: int) -> services.AttendanceEntry:
    # An unknown status or unreadable minutes go on to the service, which refuses them next to the
    # row with the choices and the bounds named (a 400 page would lose the rest of the roster).
    status = choice_param(data, f"status-{patient_id}", AttendanceStatus.values)
    try:
        minutes = int_param(data, f"minutes-{patient_id}", default=None, minimum=0, maximum=24 * 60)
    except BadParameter:
        minutes = -1
    return services.AttendanceEntry(patient_id=patient_id, status=status, minutes=minutes)


def _require_recorder(request, session):
    require_perm(request, "scheduling.add_attendance")
    if not selectors.session_editable_by(request.user, session):
        raise Http404


@require_POST
def roster_row(request, pk, patient_pk):
    """Save one row (htmx) and send back the row; a refused row comes back as typed, with why (422)."""
    session = _session_or_404(request, pk, "attendance row")
    _require_recorder(request, session)
    if not patients_visible_to(request.user, among=[patient_pk]).exists():
        raise Http404
    error = ""
    try:
        services.attendance_record_many(
            session=session, entries=[_entry_from_post(request.POST, patient_pk)], by=request.user
        )
    except ValidationError as refused:
        error = " ".join(refused.messages)
    row = next((r for r in _roster_rows(session, request.user) if r["patient"].pk == patient_pk), None)
    if row is None:
        raise Http404
    access_log_record(request=request, category=DataCategory.SCHEDULE, action="attendance row", patient=row["patient"])
    if error:
        _keep_typed(row, request.POST)
    row["error"], row["saved"] = error, not error
    context = {
        "session": session,
        "row": row,
        "statuses": AttendanceStatus.choices,
        "can_record": True,
        "has_started": True,
    }
    return render(request, "scheduling/partials/roster_row.html", context, status=422 if error else 200)


@require_POST
def roster_save_all(request, pk):
    """Write every row the rules accept in one service call; refused rows come back as typed, each with why.

    A fixed number of queries for any group size. When the session refuses the whole roster
    (cancelled, not started) nothing is saved and every row keeps what was typed.
    """
    session = _session_or_404(request, pk, "attendance save all")
    _require_recorder(request, session)
    patient_ids = id_list_param(request.POST, "patient")
    visible = visible_patient_ids(request.user, patient_ids)
    entries = [_entry_from_post(request.POST, patient_id) for patient_id in patient_ids if patient_id in visible]
    refusal, refused = "", {}
    try:
        outcome = services.attendance.attendance_record_each(session=session, entries=entries, by=request.user)
    except ValidationError as error:
        refusal = " ".join(error.messages)
    else:
        refused = outcome.refused
    access_log_record(
        request=request,
        category=DataCategory.SCHEDULE,
        action="attendance save all",
        detail=f"session {session.pk}: {len(entries)} patients",
    )
    if not refusal and not refused:
        messages.success(request, f"Attendance saved ({len(entries)} patients, {len(outcome.saved)} changed).")
        return redirect("scheduling:roster", pk=session.pk)
    sent = {entry.patient_id for entry in entries}
    rows = _roster_rows(session, request.user)
    for row in rows:
        pk = row["patient"].pk
        if pk not in sent:
            continue
        if refusal or pk in refused:
            _keep_typed(row, request.POST)
            row["error"] = " ".join(refused.get(pk, []))
        else:
            row["saved"] = True
    refused_rows = [row for row in rows if row["error"]]
    return _roster_page(request, session, rows, refused_rows=refused_rows, refusal=refusal, status=422)
