"""Calendars (clinician, room, patient, program), their JSON feed, moving a session, the printable day list."""

import datetime as dt
from dataclasses import dataclass, fields

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from audit.constants import DataCategory
from audit.services import access_log_record
from iop.params import BadParameter, date_param, datetime_param, id_param
from patients.selectors import patient_for_view, patients_visible_to

from .. import selectors, services
from ..constants import SessionKind, SessionStatus
from ..forms import CancelForm
from ..models import CurriculumTopic, Group, Room, Session
from .common import require_perm, session_for_view

SCOPES = ("clinician", "room", "patient", "program")
MAX_RANGE = dt.timedelta(days=62)


def _scope_object(request, scope: str, pk: int, *, action: str):
    """The thing a calendar is about, checked through the access rules (patients through patient_for_view)."""
    if scope == "patient":
        patient = patient_for_view(request, pk, category=DataCategory.SCHEDULE, action=action)
        return patient, selectors.sessions_of_patient(patient), patient.display_name
    if scope == "program":
        program = get_object_or_404(selectors.programs_visible_to(request.user), pk=pk)
        return program, Session.objects.filter(program=program), program.name
    if scope == "room":
        room = get_object_or_404(Room, pk=pk)
        return room, Session.objects.filter(room=room), str(room)
    if scope == "clinician":
        person = get_object_or_404(get_user_model(), pk=pk, is_active=True)
        return person, Session.objects.filter(Q(clinician=person) | Q(co_facilitator=person)), str(person)
    raise Http404


def calendar_home(request):
    """Start at one's own calendar."""
    require_perm(request, "scheduling.view_session")
    return redirect("scheduling:calendar", scope="clinician", pk=request.user.pk)


def calendar(request, scope, pk):
    require_perm(request, "scheduling.view_session")
    if scope not in SCOPES:
        raise Http404
    _, _, label = _scope_object(request, scope, pk, action=f"{scope} calendar")
    config = {
        "eventsUrl": reverse("scheduling:calendar_events", args=[scope, pk]),
        "moveUrl": reverse("scheduling:session_move", args=[0]),
        "initialView": "timeGridWeek",
        # Shown in the clinic's zone whatever the browser's, so a session reads as it is held.
        "timeZone": settings.TIME_ZONE,
    }
    context = {
        "scope": scope,
        "label": label,
        "config": config,
        "programs": selectors.programs_visible_to(request.user),
        "rooms": Room.objects.filter(is_active=True),
        "scope_pk": pk,
    }
    return render(request, "scheduling/calendar.html", context)


@dataclass(frozen=True)
class EventRow:
    """One session as the feed reads it: plain columns, not a model instance (a busy week is 800 rows)."""

    pk: int
    kind: str
    status: str
    start: dt.datetime
    end: dt.datetime
    program_id: int
    group_id: int | None
    topic_id: int | None
    patient_id: int | None
    room_id: int
    clinician_id: int
    co_facilitator_id: int | None


EVENT_COLUMNS = [field.name for field in fields(EventRow)]
KIND_LABELS = dict(SessionKind.choices)
STATUS_LABELS = dict(SessionStatus.choices)


def _event(row: EventRow, names: "EventNames", editable: bool, roster_url: str) -> dict:
    cancelled = row.status == SessionStatus.CANCELLED
    title = names.groups[row.group_id] if row.group_id else KIND_LABELS[row.kind]
    if row.topic_id:
        title = f"{title}: {names.topics[row.topic_id]}"
    if row.patient_id in names.patients:
        title = f"{title} · {names.patients[row.patient_id]}"
    return {
        "id": row.pk,
        "title": title,
        "start": row.start.isoformat(),
        "end": row.end.isoformat(),
        "editable": editable and not cancelled,
        "classNames": [f"session-{row.kind}"] + (["session-cancelled"] if cancelled else []),
        "url": roster_url.format(row.pk),
        "extendedProps": {
            "room": names.rooms[row.room_id],
            "clinician": names.clinicians[row.clinician_id],
            "status": STATUS_LABELS[row.status],
        },
    }


@dataclass
class EventNames:
    """The names a week's events show, each looked up once by id (one small query per kind)."""

    groups: dict[int, str]
    topics: dict[int, str]
    rooms: dict[int, str]
    clinicians: dict[int, str]
    patients: dict[int, str]

    @classmethod
    def for_rows(cls, rows: list[EventRow], user) -> "EventNames":
        def ids(attribute: str) -> set[int]:
            return {value for row in rows if (value := getattr(row, attribute))}

        booked = ids("patient_id")
        return cls(
            groups=dict(Group.objects.filter(pk__in=ids("group_id")).values_list("pk", "name")),
            topics=dict(CurriculumTopic.objects.filter(pk__in=ids("topic_id")).values_list("pk", "title")),
            rooms={
                room.pk: str(room) for room in Room.objects.filter(pk__in=ids("room_id")).only("name", "is_virtual")
            },
            clinicians={
                person.pk: person.get_full_name()
                for person in get_user_model()
                .objects.filter(pk__in=ids("clinician_id"))
                .only("first_name", "last_name")
            },
            # Names only of patients this user may see, asked about this week's few, not the caseload.
            patients={
                patient.pk: patient.display_name
                for patient in patients_visible_to(user, among=booked).only(
                    "preferred_name", "legal_first_name", "legal_last_name"
                )
            },
        )


def calendar_events(request, scope, pk):
    """FullCalendar's JSON feed for ``?start=&end=`` (ISO 8601): a fixed number of queries for any range."""
    require_perm(request, "scheduling.view_session")
    if scope not in SCOPES:
        raise Http404
    start, end = datetime_param(request.GET, "start"), datetime_param(request.GET, "end")
    if start is None or end is None or end <= start or end - start > MAX_RANGE:
        return HttpResponseBadRequest("Give start and end as ISO 8601 dates, at most 62 days apart.")
    subject, sessions, _ = _scope_object(request, scope, pk, action=f"{scope} calendar events")
    user = request.user
    # The scope's sessions in the range, narrowed by the visibility rule in the same WHERE. Names
    # come from separate lookups: joined in, they made PostgreSQL misjudge the row count and
    # nest-loop 800 sessions against every group (90 ms).
    visible = selectors.sessions_overlapping(sessions, start, end) & selectors.sessions_visible_to(user)
    rows = [EventRow(*values) for values in visible.order_by("start").values_list(*EVENT_COLUMNS)]
    names = EventNames.for_rows(rows, user)
    editable = selectors.session_editor(user)
    now = timezone.now()
    roster_url = reverse("scheduling:roster", args=[0]).replace("/0/", "/{}/")  # one reverse() for hundreds
    events = [_event(row, names, row.start > now and editable(row), roster_url) for row in rows]
    access_log_record(
        request=request,
        category=DataCategory.SCHEDULE,
        action=f"{scope} calendar events",
        patient=subject if scope == "patient" else None,
        detail=f"{len(events)} sessions",
    )
    return JsonResponse(events, safe=False)


@require_POST
def session_move(request, pk):
    """Drag-and-drop target: the same service and conflict rules as any other move."""
    require_perm(request, "scheduling.change_session")
    session = session_for_view(request, pk, action="move session")
    if not selectors.session_editable_by(request.user, session):
        return JsonResponse({"error": "You may not move this session."}, status=403)
    try:
        start, end = datetime_param(request.POST, "start"), datetime_param(request.POST, "end")
    except BadParameter as error:
        return JsonResponse({"error": error.message}, status=400)
    if start is None:
        return JsonResponse({"error": "Give the new start as an ISO 8601 date-time."}, status=400)
    try:
        services.session_move(session=session, start=start, end=end, by=request.user)
    except ValidationError as error:
        return JsonResponse({"error": " ".join(error.messages)}, status=400)
    return JsonResponse({"ok": True})


@require_POST
def session_cancel(request, pk):
    require_perm(request, "scheduling.change_session")
    session = session_for_view(request, pk, action="cancel session")
    if not selectors.session_editable_by(request.user, session):
        raise Http404
    form = CancelForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say why the session is cancelled.")
    else:
        try:
            services.session_cancel(session=session, reason=form.cleaned_data["reason"], by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "Session cancelled; the rest of the series is unchanged.")
    return redirect("scheduling:roster", pk=session.pk)


def day_list(request):
    """A printable list of one day's sessions for a program or a room, with each roster."""
    require_perm(request, "scheduling.view_session")
    day = date_param(request.GET, "date", default=timezone.localdate())
    room_id, program_id = id_param(request.GET, "room"), id_param(request.GET, "program")
    program = room = None
    sessions = selectors.sessions_visible_to(request.user).filter(day=day)
    if room_id is not None:
        room = get_object_or_404(Room, pk=room_id)
        sessions = sessions.filter(room=room)
    else:
        programs = selectors.programs_visible_to(request.user)
        program = get_object_or_404(programs, pk=program_id) if program_id is not None else programs.first()
        if program is None:
            raise Http404
        sessions = sessions.filter(program=program)
    sessions = list(
        sessions.select_related("group", "room", "clinician", "co_facilitator", "topic", "patient").order_by("start")
    )
    rosters = selectors.rosters_for_day(sessions, request.user)
    access_log_record(
        request=request,
        category=DataCategory.SCHEDULE,
        action="day list",
        detail=f"{day:%Y-%m-%d} {'room ' + str(room.pk) if room else 'program ' + str(program.pk)}",
    )
    context = {
        "day": day,
        "program": program,
        "room": room,
        "rows": [(session, rosters.get(session.pk, [])) for session in sessions],
        "programs": selectors.programs_visible_to(request.user),
        "rooms": Room.objects.filter(is_active=True),
        "previous_day": day - dt.timedelta(days=1),
        "next_day": day + dt.timedelta(days=1),
        "scheduled": SessionStatus.SCHEDULED,
    }
    return render(request, "scheduling/day_list.html", context)


def program_redirect(request):
    program = selectors.programs_visible_to(request.user).first()
    if program is None:
        raise Http404
    return redirect("scheduling:calendar", scope="program", pk=program.pk)
