"""SUD counseling notes: kept apart from the chart and shown to their author only (42 CFR §2.11)."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render

from audit.constants import DataCategory
from iop.forms import add_service_errors
from patients.selectors import patient_for_view

from .. import selectors, services
from ..forms import CounselingNoteForm


@permission_required("clinical.add_counselingnote", raise_exception=True)
def counseling_notes(request, pk):
    """The viewer's own counseling notes about this patient, and a form for a new one."""
    patient = patient_for_view(request, pk, category=DataCategory.NOTES, action="counseling notes")
    notes = selectors.counseling_notes_visible_to(request.user).filter(patient=patient)
    form = CounselingNoteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.counseling_note_create(patient=patient, author=request.user, content=form.cleaned_data["content"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Counseling note saved. Only you can read it.")
            return redirect("clinical:counseling_notes", pk=patient.pk)
    return render(request, "clinical/counseling/list.html", {"patient": patient, "notes": notes, "form": form})


@permission_required("clinical.change_counselingnote", raise_exception=True)
def counseling_note_edit(request, pk, note_pk):
    patient = patient_for_view(request, pk, category=DataCategory.NOTES, action="edit counseling note")
    # Another user's note is a 404, exactly like a note that does not exist.
    note = get_object_or_404(selectors.counseling_notes_visible_to(request.user), pk=note_pk, patient=patient)
    form = CounselingNoteForm(request.POST or None, initial={"content": note.content})
    if request.method == "POST" and form.is_valid():
        try:
            services.counseling_note_update(note=note, by=request.user, content=form.cleaned_data["content"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Counseling note saved.")
            return redirect("clinical:counseling_notes", pk=patient.pk)
    return render(request, "clinical/counseling/edit.html", {"patient": patient, "note": note, "form": form})
