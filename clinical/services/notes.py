"""Writes to session notes: drafts, signing (with the group-note rules), co-signatures, addenda, counseling notes."""

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audit.services import records_update_with_history
from scheduling.constants import ATTENDED_STATUSES
from scheduling.models import Attendance, Session

from ..constants import (
    ALL_FORMAT_FIELDS,
    FORMAT_FIELD_LABELS,
    FORMAT_FIELDS,
    GROUP_NOTE_KINDS,
    NOTE_KIND_FOR_SESSION,
    NoteKind,
)
from ..models import CounselingNote, Goal, GroupNote, GroupNoteSection, NoteAddendum, SessionNote
from ..selectors.notes import signing_deadline
from ..selectors.plans import current_plan_goals
from .common import check_cosigner, save_valid

WHITESPACE = re.compile(r"\s+")


def normalized_text(text: str) -> str:
    """Case and whitespace folded, so a copied section is caught however it was pasted."""
    return WHITESPACE.sub(" ", text or "").strip().casefold()


def _require_writer(session: Session, user) -> None:
    if user.pk not in (session.clinician_id, session.co_facilitator_id):
        raise ValidationError("Only the clinicians who ran the session write its note.")


def _require_author_draft(note, by) -> None:
    if note.is_signed:
        raise ValidationError("This note is signed and locked; add an addendum instead.")
    if by.pk != note.author_id:
        raise ValidationError("Only the note's author can change or sign a draft.")


def _check_times(started_at, ended_at) -> None:
    if started_at and ended_at and ended_at <= started_at:
        raise ValidationError({"ended_at": "The stop time must be after the start time."})


def _check_goal(goal: Goal | None, episode_id: int) -> None:
    if goal is not None and goal.pk not in {g.pk for g in current_plan_goals([episode_id]).get(episode_id, [])}:
        raise ValidationError({"goal": "Choose a goal from the patient's current treatment plan."})


def _sign(note, *, by, session: Session, now: dt.datetime) -> None:
    note.signed_at = now
    note.signed_by = by
    # A late entry: signed after the program's limit (default 24 h) from the session's end.
    note.is_late_entry = now > signing_deadline(session)
    # Staff in training need their supervisor's co-signature.
    note.cosign_required = bool(by.in_training)


# Individual and family notes ---------------------------------------------------------


@transaction.atomic
def session_note_create(*, session: Session, author, format: str) -> SessionNote:
    """A draft DAP/SOAP/BIRP note for an individual or family session the patient attended."""
    kind = NOTE_KIND_FOR_SESSION.get(session.kind)
    if kind is None:
        raise ValidationError("Individual and family sessions take this note; group sessions take a group note.")
    _require_writer(session, author)
    if session.is_cancelled:
        raise ValidationError("The session was cancelled; there is nothing to document.")
    attendance = Attendance.objects.valid().filter(session=session, patient_id=session.patient_id).first()
    if attendance is None:
        raise ValidationError("Record the patient's attendance at this session first.")
    if attendance.status not in ATTENDED_STATUSES:
        raise ValidationError("The patient did not attend this session, so it takes no session note.")
    existing = SessionNote.objects.valid().filter(session=session, patient_id=session.patient_id).first()
    if existing is not None:
        raise ValidationError("This session already has a note.")
    note = SessionNote(
        kind=kind,
        format=format,
        patient_id=session.patient_id,
        episode_id=session.episode_id,
        session=session,
        attendance=attendance,
        author=author,
        started_at=session.start,
        ended_at=session.end,
    )
    return save_valid(note)


@transaction.atomic
def session_note_update(*, note: SessionNote, by, **fields) -> SessionNote:
    note = SessionNote.objects.select_for_update().get(pk=note.pk)
    _require_author_draft(note, by)
    allowed = {"format", "goal", "started_at", "ended_at", *ALL_FORMAT_FIELDS}
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError(f"These fields are not part of a session note: {', '.join(sorted(unknown))}.")
    for name, value in fields.items():
        setattr(note, name, value.strip() if isinstance(value, str) else value)
    _check_times(note.started_at, note.ended_at)
    _check_goal(note.goal, note.episode_id)
    return save_valid(note)


@transaction.atomic
def session_note_sign(*, note: SessionNote, by, now: dt.datetime | None = None) -> SessionNote:
    note = SessionNote.objects.select_for_update().select_related("session__program").get(pk=note.pk)
    _require_author_draft(note, by)
    if note.kind == NoteKind.GROUP:
        raise ValidationError("A group note's copies are signed through the group note.")
    errors = {
        name: f"Write the {FORMAT_FIELD_LABELS[name].lower()} section."
        for name in FORMAT_FIELDS[note.format]
        if not getattr(note, name).strip()
    }
    if note.goal_id is None:
        errors["goal"] = "Link the note to a goal of the patient's treatment plan."
    if errors:
        raise ValidationError(errors)
    _sign(note, by=by, session=note.session, now=now or timezone.now())
    return save_valid(note)


@transaction.atomic
def note_cosign(*, note: SessionNote | GroupNote, by, now: dt.datetime | None = None):
    """A supervisor co-signs a trainee's signed note (a group note's filed copies with it)."""
    note = type(note).objects.select_for_update(of=("self",)).select_related("signed_by").get(pk=note.pk)
    if not note.awaits_cosign:
        raise ValidationError("This note does not await a co-signature.")
    check_cosigner(signer=note.signed_by, by=by)
    note.cosigned_at = now or timezone.now()
    note.cosigned_by = by
    save_valid(note)
    if isinstance(note, GroupNote):
        records_update_with_history(records=note.filed.all(), by=by, cosigned_at=note.cosigned_at, cosigned_by=by)
    return note


@transaction.atomic
def note_addendum_add(*, note: SessionNote, author, text: str, now: dt.datetime | None = None) -> NoteAddendum:
    """After signing, a note changes only by addenda, each signed and dated as it is written."""
    if not note.is_signed:
        raise ValidationError("A draft is edited directly; addenda are for signed notes.")
    if note.is_entered_in_error:
        raise ValidationError("This note was entered in error.")
    return save_valid(NoteAddendum(note=note, author=author, text=text.strip(), signed_at=now or timezone.now()))


# Group notes ---------------------------------------------------------------------------


def _sync_sections(group_note: GroupNote) -> None:
    """One section per present patient (present, late, left early); absent patients get none."""
    attended = {
        row.patient_id: row
        for row in Attendance.objects.valid().filter(session_id=group_note.session_id, status__in=ATTENDED_STATUSES)
    }
    sections = {section.patient_id: section for section in group_note.sections.all()}
    for patient_id, section in sections.items():
        if patient_id not in attended:
            # Attendance corrected to absent after the draft began: the draft section goes.
            section.delete()
    for patient_id, attendance in attended.items():
        section = sections.get(patient_id)
        if section is None:
            GroupNoteSection.objects.create(
                group_note=group_note,
                attendance=attendance,
                patient_id=patient_id,
                episode_id=attendance.episode_id,
                attendance_status=attendance.status,
                minutes_attended=attendance.minutes_attended,
            )
        elif (section.attendance_id, section.attendance_status, section.minutes_attended) != (
            attendance.pk,
            attendance.status,
            attendance.minutes_attended,
        ):
            section.attendance = attendance
            section.attendance_status = attendance.status
            section.minutes_attended = attendance.minutes_attended
            section.save(update_fields=["attendance", "attendance_status", "minutes_attended", "updated_at"])


def group_note_start_refusal(*, session: Session, author, now: dt.datetime | None = None) -> str:
    """Why ``author`` may not start this session's group note now ("" when they may).

    The same rules the start applies, asked before the button is offered.
    """
    if session.kind not in GROUP_NOTE_KINDS:
        return "Group notes are written for group therapy and psychoeducation sessions."
    if author.pk not in (session.clinician_id, session.co_facilitator_id):
        return "Only the clinicians who ran the session write its note."
    if session.is_cancelled:
        return "The session was cancelled; there is nothing to document."
    if session.start > (now or timezone.now()):
        return "The session has not started yet."
    if not Attendance.objects.valid().filter(session=session).exists():
        return "Take attendance first: the note has a section for each present patient."
    if GroupNote.objects.valid().filter(session=session).exists():
        return "This group session already has a note."
    return ""


@transaction.atomic
def group_note_start(*, session: Session, author, now: dt.datetime | None = None) -> GroupNote:
    """The facilitator's draft, topic prefilled from the curriculum, one section per present patient."""
    refusal = group_note_start_refusal(session=session, author=author, now=now)
    if refusal:
        raise ValidationError(refusal)
    topic = session.topic.title if session.topic_id else (session.group.name if session.group_id else "")
    group_note = save_valid(
        GroupNote(session=session, author=author, topic=topic, started_at=session.start, ended_at=session.end)
    )
    _sync_sections(group_note)
    return group_note


@transaction.atomic
def group_note_update(
    *,
    group_note: GroupNote,
    by,
    topic: str,
    interventions: str,
    group_dynamics: str,
    started_at: dt.datetime,
    ended_at: dt.datetime,
    sections: dict[int, dict] | None = None,
) -> GroupNote:
    """Save the shared part and any sections (``{section_pk: {participation, progress, goal, plan}}``)."""
    group_note = GroupNote.objects.select_for_update().get(pk=group_note.pk)
    _require_author_draft(group_note, by)
    _check_times(started_at, ended_at)
    group_note.topic = topic.strip()
    group_note.interventions = interventions.strip()
    group_note.group_dynamics = group_dynamics.strip()
    group_note.started_at = started_at
    group_note.ended_at = ended_at
    save_valid(group_note)
    if sections:
        rows = {section.pk: section for section in group_note.sections.all()}
        goals = current_plan_goals([row.episode_id for row in rows.values()])
        for pk, values in sections.items():
            section = rows.get(pk)
            if section is None:
                raise ValidationError("That section is not part of this group note.")
            goal = values.get("goal")
            if goal is not None and goal.pk not in {g.pk for g in goals.get(section.episode_id, [])}:
                raise ValidationError(
                    {f"section-{pk}-goal": "Choose a goal from this patient's current treatment plan."}
                )
            section.participation = (values.get("participation") or "").strip()
            section.progress = (values.get("progress") or "").strip()
            section.plan = (values.get("plan") or "").strip()
            section.goal = goal
            section.save()
    return group_note


def group_note_problems(group_note: GroupNote) -> list[str]:
    """Why the group note cannot be signed yet, naming the patients (empty when it can be)."""
    problems = []
    missing_shared = [
        label
        for label, value in (
            ("topic", group_note.topic),
            ("interventions", group_note.interventions),
            ("group dynamics", group_note.group_dynamics),
        )
        if not value.strip()
    ]
    if missing_shared:
        problems.append(f"Write the shared part: {', '.join(missing_shared)}.")
    sections = list(group_note.sections.select_related("patient"))
    if not sections:
        problems.append("No patient attended this session; a group note needs at least one present patient.")
    empty = [s for s in sections if not (s.participation.strip() and s.progress.strip() and s.plan.strip())]
    if empty:
        problems.append(f"Sections are empty for {_names(empty)}.")
    # Participation and progress are the patient's own: the same words for two patients
    # mean a copied section (a payer audit finding, "cloned notes").
    copied = set()
    for field in ("participation", "progress"):
        seen: dict[str, GroupNoteSection] = {}
        for section in sections:
            text = normalized_text(getattr(section, field))
            if not text:
                continue
            if text in seen:
                copied.update({seen[text].pk, section.pk})
            else:
                seen[text] = section
    if copied:
        problems.append(f"Sections are copied word for word between {_names([s for s in sections if s.pk in copied])}.")
    unlinked = [s for s in sections if s.goal_id is None]
    if unlinked:
        problems.append(f"No plan goal is linked for {_names(unlinked)}.")
    return problems


def _names(sections: list[GroupNoteSection]) -> str:
    return ", ".join(section.patient.display_name for section in sections)


@transaction.atomic
def group_note_sign(*, group_note: GroupNote, by, now: dt.datetime | None = None) -> GroupNote:
    """Sign once for the group: each present patient's chart gets its own filed note."""
    group_note = GroupNote.objects.select_for_update().select_related("session__program").get(pk=group_note.pk)
    _require_author_draft(group_note, by)
    _sync_sections(group_note)
    problems = group_note_problems(group_note)
    if problems:
        raise ValidationError("Not signed. " + " ".join(problems))
    _sign(group_note, by=by, session=group_note.session, now=now or timezone.now())
    save_valid(group_note)
    for section in group_note.sections.all():
        save_valid(
            SessionNote(
                kind=NoteKind.GROUP,
                patient_id=section.patient_id,
                episode_id=section.episode_id,
                session_id=group_note.session_id,
                attendance_id=section.attendance_id,
                author_id=group_note.author_id,
                goal_id=section.goal_id,
                started_at=group_note.started_at,
                ended_at=group_note.ended_at,
                group_note=group_note,
                group_section=section,
                signed_at=group_note.signed_at,
                signed_by=by,
                is_late_entry=group_note.is_late_entry,
                cosign_required=group_note.cosign_required,
            )
        )
    return group_note


# SUD counseling notes ------------------------------------------------------------------


@transaction.atomic
def counseling_note_create(*, patient, author, content: str, session: Session | None = None) -> CounselingNote:
    """A counseling note kept apart from the record (42 CFR §2.11): only its author will ever read it."""
    return save_valid(
        CounselingNote(
            patient=patient, author=author, content=content.strip(), session=session, written_at=timezone.now()
        )
    )


@transaction.atomic
def counseling_note_update(*, note: CounselingNote, by, content: str) -> CounselingNote:
    if by.pk != note.author_id:
        raise ValidationError("Only the author of a counseling note can change it.")
    note.content = content.strip()
    return save_valid(note)
