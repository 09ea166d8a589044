"""Session notes: the chart's Notes tab, writing and signing notes, group notes, addenda, co-signatures, My notes."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from audit.constants import DataCategory
from audit.services import access_log_record
from iop.forms import add_service_errors
from iop.htmx import render_page_or_partial
from iop.params import keyset_param
from patients.selectors import patient_for_view
from scheduling.selectors import sessions_visible_to

from .. import selectors, services
from ..constants import GROUP_NOTE_KINDS, NOTE_KIND_FOR_SESSION
from ..forms import AddendumForm, GroupNoteSharedForm, GroupSectionForm, NoteFormatForm, SessionNoteForm
from ..models import GroupNote, SessionNote
from ..services.common import check_cosigner
from .common import chart_context


def _may_cosign(user, note) -> bool:
    if not note.awaits_cosign:
        return False
    try:
        check_cosigner(signer=note.signed_by, by=user)
    except ValidationError:
        return False
    return True


@permission_required("clinical.view_sessionnote", raise_exception=True)
def chart_notes(request, pk):
    """Signed notes of the patient, and the viewer's own drafts, newest first; older notes a page at a time."""
    patient = patient_for_view(request, pk, category=DataCategory.NOTES, action="chart notes")
    before = keyset_param(request.GET, "before")
    page = selectors.chart_notes_page(patient, request.user, before=before)
    # One reverse() for the page: a note's address differs only in its id at the end.
    note_url_prefix = reverse("clinical:note_detail", args=[0]).removesuffix("0/")
    for note in (*page.drafts, *page.signed.rows):
        note.detail_url = f"{note_url_prefix}{note.pk}/"
    # "Older notes" loaded in place by htmx gets the next cards and link alone; without htmx, the whole tab.
    return render_page_or_partial(
        request,
        "clinical/notes/chart_notes.html",
        "clinical/partials/chart_notes_page.html",
        chart_context(patient, "notes", page=page),
    )


def _note_for_view(request, note_pk, *, action: str) -> SessionNote:
    note = get_object_or_404(
        SessionNote.objects.valid().select_related(
            "author", "signed_by", "cosigned_by", "goal__problem", "session__program", "group_note", "group_section"
        ),
        pk=note_pk,
    )
    patient = patient_for_view(request, note.patient_id, category=DataCategory.NOTES, action=action)
    if not selectors.note_visible_to(note, request.user):
        raise Http404
    note.patient = patient
    return note


@permission_required("clinical.view_sessionnote", raise_exception=True)
def note_detail(request, note_pk):
    note = _note_for_view(request, note_pk, action="read note")
    return _note_detail_page(request, note, addendum_form=AddendumForm() if note.is_signed else None)


def _note_detail_page(request, note, *, addendum_form, status=200):
    context = chart_context(
        note.patient,
        "notes",
        note=note,
        addenda=note.addenda.select_related("author"),
        addendum_form=addendum_form,
        can_cosign=_may_cosign(request.user, note),
    )
    return render(request, "clinical/notes/note_detail.html", context, status=status)


@permission_required("clinical.change_sessionnote", raise_exception=True)
def note_edit(request, note_pk):
    """The author's draft in its format's fields; "Sign" saves and signs in one go."""
    note = _note_for_view(request, note_pk, action="edit note")
    if note.is_signed or note.author_id != request.user.pk or note.group_note_id:
        return redirect("clinical:note_detail", note_pk=note.pk)
    goals = selectors.current_plan_goals([note.episode_id])[note.episode_id]
    initial = {name: getattr(note, name) for name in ("started_at", "ended_at", "goal", *note.format_field_names)}
    form = SessionNoteForm(request.POST or None, note_format=note.format, goals=goals, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            note = services.session_note_update(note=note, by=request.user, **form.cleaned_data)
            if "sign" in request.POST:
                services.session_note_sign(note=note, by=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
            if "sign" in request.POST:
                form.add_error(None, "Saved as a draft, not signed.")
        else:
            if "sign" in request.POST:
                messages.success(request, "Note signed and locked. Later changes are addenda.")
                return redirect("clinical:note_detail", note_pk=note.pk)
            messages.success(request, "Draft saved.")
            return redirect("clinical:note_edit", note_pk=note.pk)
    context = chart_context(note.patient, "notes", note=note, form=form, has_goals=bool(goals))
    return render(request, "clinical/notes/note_form.html", context)


@require_POST
@permission_required("clinical.add_noteaddendum", raise_exception=True)
def note_addendum(request, note_pk):
    note = _note_for_view(request, note_pk, action="add addendum")
    form = AddendumForm(request.POST)
    if form.is_valid():
        try:
            services.note_addendum_add(note=note, author=request.user, text=form.cleaned_data["text"])
        except ValidationError as error:
            if not note.is_signed:  # the page shows no addendum form on a draft
                messages.error(request, " ".join(error.messages))
                return redirect("clinical:note_detail", note_pk=note.pk)
            add_service_errors(form, error)
        else:
            messages.success(request, "Addendum signed and added.")
            return redirect("clinical:note_detail", note_pk=note.pk)
    # Back on the note with the addendum as written and why it was refused: a redirect would lose it.
    return _note_detail_page(request, note, addendum_form=form, status=422)


@require_POST
@permission_required("clinical.change_sessionnote", raise_exception=True)
def note_cosign(request, note_pk):
    note = _note_for_view(request, note_pk, action="co-sign note")
    target = note.group_note if note.group_note_id else note
    try:
        services.note_cosign(note=target, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Note co-signed.")
    return redirect("clinical:note_detail", note_pk=note.pk)


@permission_required("clinical.add_sessionnote", raise_exception=True)
def session_note_start(request, session_pk):
    """ "Write note" from a session: an individual/family note in a chosen format, or the group note."""
    session = get_object_or_404(
        sessions_visible_to(request.user).select_related("program", "group", "topic", "patient"), pk=session_pk
    )
    if session.kind in GROUP_NOTE_KINDS:
        existing = GroupNote.objects.valid().filter(session=session).first()
        if existing:
            return redirect("clinical:group_note", group_note_pk=existing.pk)
        if request.method == "POST":
            try:
                group_note = services.group_note_start(session=session, author=request.user)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
                return redirect("clinical:sessions_needing_notes")
            return redirect("clinical:group_note", group_note_pk=group_note.pk)
        refusal = services.group_note_start_refusal(session=session, author=request.user)
        return render(request, "clinical/notes/start.html", {"session": session, "form": None, "refusal": refusal})
    if session.kind not in NOTE_KIND_FOR_SESSION:
        raise Http404
    patient = patient_for_view(request, session.patient_id, category=DataCategory.NOTES, action="start note")
    existing = SessionNote.objects.valid().filter(session=session, patient=patient).first()
    if existing:
        return redirect("clinical:note_edit", note_pk=existing.pk)
    form = NoteFormatForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            note = services.session_note_create(
                session=session, author=request.user, format=form.cleaned_data["format"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("clinical:note_edit", note_pk=note.pk)
    return render(request, "clinical/notes/start.html", {"session": session, "form": form, "patient": patient})


def _group_note_for_view(request, group_note_pk, *, action: str) -> GroupNote:
    """The author (or the supervisor who co-signs) sees the whole group note; each patient in it is logged."""
    group_note = get_object_or_404(
        GroupNote.objects.valid().select_related(
            "author", "signed_by", "session__program", "session__group", "session__topic"
        ),
        pk=group_note_pk,
        session__in=sessions_visible_to(request.user),
    )
    if request.user.pk != group_note.author_id and request.user.pk != group_note.author.supervisor_id:
        raise Http404
    sections = list(group_note.sections.select_related("patient", "goal__problem", "attendance"))
    for section in sections:
        access_log_record(request=request, category=DataCategory.NOTES, action=action, patient=section.patient)
    group_note.section_list = sections
    return group_note


def _section_forms(group_note, data=None):
    goals = selectors.current_plan_goals([section.episode_id for section in group_note.section_list])
    return [
        GroupSectionForm(
            data,
            section=section,
            goals=goals[section.episode_id],
            initial={
                "participation": section.participation,
                "progress": section.progress,
                "plan": section.plan,
                "goal": section.goal_id and str(section.goal_id),
            },
        )
        for section in group_note.section_list
    ]


@permission_required("clinical.change_groupnote", raise_exception=True)
def group_note(request, group_note_pk):
    """The facilitator writes the shared part once and a section per present patient; "Sign" files them all."""
    group_note = _group_note_for_view(request, group_note_pk, action="group note")
    editable = not group_note.is_signed and request.user.pk == group_note.author_id
    shared_form = section_forms = None
    if editable:
        data = request.POST if request.method == "POST" else None
        shared_form = GroupNoteSharedForm(
            data,
            initial={
                name: getattr(group_note, name)
                for name in ("topic", "interventions", "group_dynamics", "started_at", "ended_at")
            },
        )
        section_forms = _section_forms(group_note, data)
        if data is not None and shared_form.is_valid() and all(form.is_valid() for form in section_forms):
            try:
                services.group_note_update(
                    group_note=group_note,
                    by=request.user,
                    sections={form.section.pk: form.cleaned_data for form in section_forms},
                    **shared_form.cleaned_data,
                )
                if "sign" in request.POST:
                    services.group_note_sign(group_note=group_note, by=request.user)
            except ValidationError as error:
                add_service_errors(shared_form, error)
                if "sign" in request.POST:
                    shared_form.add_error(None, "Saved as a draft, not signed.")
            else:
                if "sign" in request.POST:
                    messages.success(request, "Group note signed: a note is filed in each attendee's chart.")
                else:
                    messages.success(request, "Draft saved.")
                return redirect("clinical:group_note", group_note_pk=group_note.pk)
    context = {
        "group_note": group_note,
        "session": group_note.session,
        "sections": group_note.section_list,
        "shared_form": shared_form,
        "section_forms": section_forms,
        "can_cosign": _may_cosign(request.user, group_note),
    }
    return render(request, "clinical/notes/group_note.html", context)


@require_POST
@permission_required("clinical.change_groupnote", raise_exception=True)
def group_note_cosign(request, group_note_pk):
    group_note = _group_note_for_view(request, group_note_pk, action="co-sign group note")
    try:
        services.note_cosign(note=group_note, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Group note co-signed.")
    return redirect("clinical:group_note", group_note_pk=group_note.pk)


@permission_required("clinical.view_sessionnote", raise_exception=True)
def my_notes(request):
    """The author's drafts, overdue notes of the author and their team, and trainees' notes awaiting co-signature."""
    user = request.user
    drafts = selectors.draft_notes(user)
    overdue = selectors.unsigned_notes_overdue(user)
    team_overdue = [row for row in overdue if row.author.pk != user.pk]
    awaiting = selectors.notes_awaiting_cosign(user)
    if drafts or overdue or awaiting["notes"] or awaiting["group_notes"]:
        access_log_record(request=request, category=DataCategory.NOTES, action="my notes")
    context = {
        "drafts": drafts,
        "team_overdue": team_overdue,
        "awaiting_notes": awaiting["notes"],
        "awaiting_group_notes": awaiting["group_notes"],
    }
    return render(request, "clinical/notes/my_notes.html", context)


@permission_required("clinical.add_sessionnote", raise_exception=True)
def sessions_needing_notes(request):
    """The clinician's recent held sessions without a signed note, each with its "Write note" link."""
    sessions = list(selectors.sessions_needing_notes(request.user))
    if sessions:
        access_log_record(request=request, category=DataCategory.SCHEDULE, action="sessions needing notes")
    return render(request, "clinical/notes/sessions.html", {"sessions": sessions})
