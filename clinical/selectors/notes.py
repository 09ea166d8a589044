"""Reads for session notes: the chart's notes, drafts past the signing limit, sessions still needing a note."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import Left
from django.utils import timezone
from django.utils.dates import MONTHS_3

from iop.keyset import KeysetPage, newest_first_page
from patients.selectors import patients_visible_to
from scheduling.constants import ATTENDED_STATUSES, AttendanceStatus, SessionStatus
from scheduling.models import Attendance, Session

from ..constants import (
    FORMAT_FIELD_LABELS,
    FORMAT_FIELDS,
    GROUP_NOTE_KINDS,
    NOTE_KIND_FOR_SESSION,
    SESSIONS_NEEDING_NOTES_DAYS,
    NoteKind,
)
from ..models import CounselingNote, GroupNote, NoteAddendum, SessionNote

NOTE_SESSION_KINDS = frozenset(NOTE_KIND_FOR_SESSION) | GROUP_NOTE_KINDS
# Notes per page of the chart's Notes tab: a screenful or two, whatever the history's length.
CHART_NOTES_PAGE_SIZE = 25


def signing_deadline(session: Session) -> dt.datetime:
    """Notes are signed within the program's limit (default 24 h) after the session ends; later is a late entry."""
    return session.end + dt.timedelta(hours=session.program.note_signing_limit_hours)


@dataclass(slots=True)
class NoteCard:
    """What the chart's Notes tab shows of one note, read as plain values: no model instances per card."""

    pk: int
    kind_label: str
    format: str
    when: str  # "Jan 5, 2026 10:00–10:50", clinic time
    author_name: str
    is_signed: bool
    is_late_entry: bool
    awaits_cosign: bool
    # The first section of the note's format, or for a group copy the patient's participation.
    summary_label: str
    summary_text: str
    group_topic: str
    attendance_label: str
    minutes_attended: int | None
    goal_statement: str
    addendum_count: int = 0
    latest_addendum_when: str = ""
    latest_addendum_by: str = ""
    detail_url: str = ""  # set by the view, which knows the addresses


@dataclass
class ChartNotesPage:
    """One page of the chart's Notes tab: the viewer's own drafts (first page only), then signed notes by keyset."""

    drafts: list[NoteCard]
    more_drafts: bool  # more drafts than a page holds: "My notes" lists them all
    signed: KeysetPage  # of NoteCard

    @property
    def is_first(self) -> bool:
        return self.signed.is_first

    @property
    def notes(self) -> list[NoteCard]:
        """The cards of this page in the order shown."""
        return [*self.drafts, *self.signed.rows]


# The card shows the start of a text: the database sends one character more than is shown, so
# the card knows to add the ellipsis, and never sends whole notes.
CARD_TEXT_CHARS = 200
CARD_GOAL_CHARS = 120
# The section a card shows for each format: its first one.
SUMMARY_FIELD = {note_format: fields[0] for note_format, fields in FORMAT_FIELDS.items()}


def _card_values(rows: QuerySet[SessionNote]) -> QuerySet:
    return rows.values(
        "id",
        "kind",
        "format",
        "started_at",
        "ended_at",
        "signed_at",
        "is_late_entry",
        "cosign_required",
        "cosigned_at",
        "group_note_id",
        "group_section__attendance_status",
        "group_section__minutes_attended",
        author_first_name=F("author__first_name"),
        author_last_name=F("author__last_name"),
        group_topic=F("group_note__topic"),
        participation=Left("group_section__participation", CARD_TEXT_CHARS + 1),
        goal_statement=Left("goal__statement", CARD_GOAL_CHARS + 1),
        **{f"summary_{name}": Left(name, CARD_TEXT_CHARS + 1) for name in set(SUMMARY_FIELD.values())},
    )


def _card_time(moment: dt.datetime, *, with_day: bool = True) -> str:
    """The card's "Jan 5, 2026 10:00" in clinic time: Django's date filter's output, without its per-call cost."""
    local = timezone.localtime(moment)
    if not with_day:
        return f"{local:%H:%M}"
    return f"{MONTHS_3[local.month].title()} {local.day}, {local.year} {local:%H:%M}"


def _shortened(text: str | None, length: int) -> str:
    """What the template's truncatechars does, without its per-call cost: at most ``length`` characters."""
    text = text or ""
    return text if len(text) <= length else f"{text[: length - 1]}…"


def _card(row: dict) -> NoteCard:
    is_group_copy = row["group_note_id"] is not None
    summary_field = SUMMARY_FIELD.get(row["format"])
    if is_group_copy:
        summary_label, summary_text = "Participation", row["participation"]
    elif summary_field:
        summary_label, summary_text = FORMAT_FIELD_LABELS[summary_field], row[f"summary_{summary_field}"]
    else:
        summary_label = summary_text = ""
    status = row["group_section__attendance_status"]
    return NoteCard(
        pk=row["id"],
        kind_label=NoteKind(row["kind"]).label,
        format=row["format"],
        when=f"{_card_time(row['started_at'])}–{_card_time(row['ended_at'], with_day=False)}",
        author_name=f"{row['author_first_name']} {row['author_last_name']}".strip(),
        is_signed=row["signed_at"] is not None,
        is_late_entry=row["is_late_entry"],
        awaits_cosign=row["signed_at"] is not None and row["cosign_required"] and row["cosigned_at"] is None,
        summary_label=summary_label,
        summary_text=_shortened(summary_text, CARD_TEXT_CHARS),
        group_topic=row["group_topic"] or "",
        attendance_label=AttendanceStatus(status).label if status else "",
        minutes_attended=row["group_section__minutes_attended"],
        goal_statement=_shortened(row["goal_statement"], CARD_GOAL_CHARS),
    )


def _add_addenda(cards: list[NoteCard]) -> None:
    """Each card's addendum count and latest addendum, in one query for the page."""
    if not cards:
        return
    by_pk = {card.pk: card for card in cards}
    addenda = (
        NoteAddendum.objects.filter(note_id__in=by_pk)
        .order_by("note_id", "signed_at", "pk")
        .values_list("note_id", "signed_at", "author__first_name", "author__last_name")
    )
    for note_id, signed_at, first_name, last_name in addenda:
        card = by_pk[note_id]
        card.addendum_count += 1
        card.latest_addendum_when = _card_time(signed_at)
        card.latest_addendum_by = f"{first_name} {last_name}".strip()


def chart_notes_page(
    patient, user, *, before: tuple[dt.datetime, int] | None = None, page_size: int = CHART_NOTES_PAGE_SIZE
) -> ChartNotesPage:
    """The patient's notes for the chart, newest first: every signed note, and drafts only to their author.

    Three queries whatever the history's length (drafts, signed notes, their addenda); older
    signed notes come by the keyset cursor ``before`` (see iop.keyset). The viewer's drafts open
    the first page, as before paging: they are the notes still to finish.
    """
    rows = SessionNote.objects.valid().filter(patient=patient)
    draft_rows = []
    if before is None:
        draft_rows = list(
            _card_values(rows.filter(signed_at__isnull=True, author=user)).order_by("-started_at", "-id")[
                : page_size + 1
            ]
        )
    signed = newest_first_page(
        _card_values(rows.filter(signed_at__isnull=False)), time_field="started_at", before=before, page_size=page_size
    )
    drafts = [_card(row) for row in draft_rows[:page_size]]
    signed.rows = [_card(row) for row in signed.rows]
    _add_addenda([*drafts, *signed.rows])
    return ChartNotesPage(drafts=drafts, more_drafts=len(draft_rows) > page_size, signed=signed)


def note_visible_to(note: SessionNote, user) -> bool:
    """Beyond seeing the patient: a draft is its author's alone."""
    return note.is_signed or note.author_id == user.pk


def counseling_notes_visible_to(user) -> QuerySet[CounselingNote]:
    """SUD counseling notes (42 CFR §2.11): only the author's own, for admins, supervisors and everyone else alike."""
    if not (user and user.is_authenticated and user.is_active):
        return CounselingNote.objects.none()
    return CounselingNote.objects.valid().filter(author=user)


@dataclass(frozen=True)
class DraftNote:
    """An unsigned individual/family note or group note, with its signing deadline."""

    note: SessionNote | GroupNote
    session: Session
    author: object
    title: str
    deadline: dt.datetime

    @property
    def is_group(self) -> bool:
        return isinstance(self.note, GroupNote)

    @property
    def is_overdue(self) -> bool:
        return self.deadline < timezone.now()

    @property
    def hours_overdue(self) -> int:
        return max(0, int((timezone.now() - self.deadline).total_seconds() // 3600))


def _drafts(author_filter: Q, viewer) -> list[DraftNote]:
    # A note's title names its patient: only notes about patients the viewer may see are listed
    # (a supervisee also works in programs the supervisor does not).
    individual = (
        SessionNote.objects.valid()
        .filter(author_filter, signed_at__isnull=True, patient__in=patients_visible_to(viewer))
        .select_related("session__program", "patient", "author")
    )
    group = (
        GroupNote.objects.valid()
        .filter(author_filter, signed_at__isnull=True)
        .select_related("session__program", "session__group", "author")
    )
    rows = [
        DraftNote(
            note,
            note.session,
            note.author,
            f"{note.get_kind_display()} · {note.patient.display_name}",
            signing_deadline(note.session),
        )
        for note in individual
    ]
    rows += [
        DraftNote(note, note.session, note.author, f"Group · {note.session.title}", signing_deadline(note.session))
        for note in group
    ]
    return sorted(rows, key=lambda row: row.deadline)


def draft_notes(user) -> list[DraftNote]:
    """The user's own unsigned notes, overdue or not."""
    return _drafts(Q(author=user), user)


def unsigned_notes_overdue(user, *, now: dt.datetime | None = None) -> list[DraftNote]:
    """Unsigned notes past the program's limit (default 24 h after the session): the user's own and their supervisees'.

    Drafts are few per author, so the per-program deadline is applied in Python; that keeps
    the arithmetic the same on PostgreSQL and on a laptop's SQLite.
    """
    now = now or timezone.now()
    return [row for row in _drafts(Q(author=user) | Q(author__supervisor=user), user) if row.deadline < now]


def notes_awaiting_cosign(supervisor) -> dict[str, list]:
    """Signed notes of the supervisor's trainees that still need the co-signature, about patients they may see."""
    waiting = Q(author__supervisor=supervisor, cosign_required=True, cosigned_at__isnull=True, signed_at__isnull=False)
    return {
        "notes": list(
            SessionNote.objects.valid()
            .filter(waiting, group_note__isnull=True, patient__in=patients_visible_to(supervisor))
            .select_related("patient", "author", "session")
            .order_by("signed_at")
        ),
        "group_notes": list(
            GroupNote.objects.valid().filter(waiting).select_related("author", "session__group").order_by("signed_at")
        ),
    }


def sessions_needing_notes(user, *, now: dt.datetime | None = None) -> QuerySet[Session]:
    """The user's recent sessions that someone attended and that have no signed note yet (last 14 days).

    A booked session names its patient: one whose patient the user may no longer see is left out.
    """
    now = now or timezone.now()
    attended = Attendance.objects.valid().filter(session=OuterRef("pk"), status__in=ATTENDED_STATUSES)
    signed_patient_note = SessionNote.objects.valid().filter(
        session=OuterRef("pk"), signed_at__isnull=False, group_note__isnull=True
    )
    signed_group_note = GroupNote.objects.valid().filter(session=OuterRef("pk"), signed_at__isnull=False)
    return (
        Session.objects.filter(Q(clinician=user) | Q(co_facilitator=user))
        .filter(Q(patient__isnull=True) | Q(patient__in=patients_visible_to(user)))
        .filter(
            kind__in=NOTE_SESSION_KINDS,
            status=SessionStatus.SCHEDULED,
            start__lte=now,
            start__gte=now - dt.timedelta(days=SESSIONS_NEEDING_NOTES_DAYS),
        )
        .filter(Exists(attended))
        .exclude(Exists(signed_patient_note) | Exists(signed_group_note))
        .select_related("patient", "group", "program", "topic")
        .order_by("start")
    )
