"""Reads for session notes: the chart's notes, drafts past the signing limit, sessions still needing a note."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from iop.keyset import KeysetPage, newest_first_page
from patients.selectors import patients_visible_to
from scheduling.constants import ATTENDED_STATUSES, SessionStatus
from scheduling.models import Attendance, Session

from ..constants import GROUP_NOTE_KINDS, NOTE_KIND_FOR_SESSION, SESSIONS_NEEDING_NOTES_DAYS
from ..models import CounselingNote, GroupNote, NoteAddendum, SessionNote

NOTE_SESSION_KINDS = frozenset(NOTE_KIND_FOR_SESSION) | GROUP_NOTE_KINDS
# Notes per page of the chart's Notes tab: a screenful or two, whatever the history's length.
CHART_NOTES_PAGE_SIZE = 25


def signing_deadline(session: Session) -> dt.datetime:
    """Notes are signed within the program's limit (default 24 h) after the session ends; later is a late entry."""
    return session.end + dt.timedelta(hours=session.program.note_signing_limit_hours)


@dataclass
class ChartNotesPage:
    """One page of the chart's Notes tab: the viewer's own drafts (first page only), then signed notes by keyset."""

    drafts: list[SessionNote]
    more_drafts: bool  # more drafts than a page holds: "My notes" lists them all
    signed: KeysetPage

    @property
    def is_first(self) -> bool:
        return self.signed.is_first

    @property
    def notes(self) -> list[SessionNote]:
        """The cards of this page in the order shown."""
        return [*self.drafts, *self.signed.rows]


def _chart_note_rows() -> QuerySet[SessionNote]:
    # Only what a note card shows: the signer, co-signer and session are on the note's own page.
    return (
        SessionNote.objects.valid()
        .select_related("author", "goal", "group_note", "group_section")
        .prefetch_related(
            Prefetch(
                "addenda",
                queryset=NoteAddendum.objects.select_related("author").order_by("signed_at", "pk"),
                to_attr="addendum_list",
            )
        )
    )


def _with_card_fields(notes: list[SessionNote]) -> list[SessionNote]:
    """The card's summary worked out once in Python, so the template only prints (no per-note loops)."""
    for note in notes:
        sections = note.format_sections
        note.summary_label, note.summary_text = sections[0] if sections else ("", "")
        note.addendum_count = len(note.addendum_list)
        note.latest_addendum = note.addendum_list[-1] if note.addendum_list else None
    return notes


def chart_notes_page(
    patient, user, *, before: tuple[dt.datetime, int] | None = None, page_size: int = CHART_NOTES_PAGE_SIZE
) -> ChartNotesPage:
    """The patient's notes for the chart, newest first: every signed note, and drafts only to their author.

    Three queries whatever the history's length (drafts, signed notes, their addenda); older
    signed notes come by the keyset cursor ``before`` (see iop.keyset). The viewer's drafts open
    the first page, as before paging: they are the notes still to finish.
    """
    rows = _chart_note_rows().filter(patient=patient)
    drafts: list[SessionNote] = []
    if before is None:
        drafts = list(rows.filter(signed_at__isnull=True, author=user).order_by("-started_at", "-pk")[: page_size + 1])
    signed = newest_first_page(
        rows.filter(signed_at__isnull=False), time_field="started_at", before=before, page_size=page_size
    )
    _with_card_fields(drafts[:page_size])
    _with_card_fields(signed.rows)
    return ChartNotesPage(drafts=drafts[:page_size], more_drafts=len(drafts) > page_size, signed=signed)


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
