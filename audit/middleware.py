"""Looks through the admin and refusals (403) go to the access log, as the chart's looks do.

An admin page shows patient data when its model is the patient, reaches the patient through
its foreign keys (an analyte result → its result set → its drug test → the patient), or lists
such records inline (a group's enrolments). Its list pages write one row per page, its change
and history pages one row naming the patient when there is one.

Every 403 writes one log line naming the user, the method and the route pattern, never the
path's values or the query string (no MRN, no name, no search term), and an access-log row
when the refused page belongs to patient data (no patient on it: the user never got that far).
"""

import logging
from collections import deque
from functools import cache

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.db.models import Subquery

from patients.models import Patient

from .constants import DataCategory, Outcome
from .services import access_log_record

logger = logging.getLogger("audit.refusals")

# The admin views that show records: (URL name suffix, action written in the log).
ADMIN_LOOKS = {
    "changelist": "admin list",
    "change": "admin record",
    "history": "admin history",
    "simple_history": "admin history version",
}
# How far a model may be from the patient, in foreign keys (an objective → goal → problem → plan → patient).
PATIENT_PATH_MAX_HOPS = 4
# Admin pages of patient data with no foreign key to the patient (their rows name patients by id).
PATIENT_DATA_WITHOUT_A_KEY = {"testing.randomdraw"}

# Which DataCategory an admin page belongs to: by model, else by app.
ADMIN_MODEL_CATEGORIES = {
    "patients.patient": DataCategory.DEMOGRAPHICS,
    "patients.contact": DataCategory.CONTACTS,
    "patients.consent": DataCategory.CONSENTS,
    "patients.insurancepolicy": DataCategory.INSURANCE,
    "patients.authorization": DataCategory.INSURANCE,
    "patients.intake": DataCategory.INTAKE,
    "patients.instrumentresponse": DataCategory.ASSESSMENTS,
    "patients.asamassessment": DataCategory.ASSESSMENTS,
    "patients.diagnosis": DataCategory.DIAGNOSES,
    "patients.substanceuse": DataCategory.DIAGNOSES,
    "patients.episode": DataCategory.EPISODES,
    "patients.levelofcarechange": DataCategory.EPISODES,
    "patients.careteammember": DataCategory.EPISODES,
    "clinical.treatmentplan": DataCategory.TREATMENT_PLAN,
    "clinical.problem": DataCategory.TREATMENT_PLAN,
    "clinical.goal": DataCategory.TREATMENT_PLAN,
    "clinical.objective": DataCategory.TREATMENT_PLAN,
    "clinical.intervention": DataCategory.TREATMENT_PLAN,
    "clinical.planreview": DataCategory.TREATMENT_PLAN,
    "audit.accesslog": DataCategory.AUDIT_REPORT,
    "audit.disclosure": DataCategory.DISCLOSURE,
}
# Also the category of a refused page of the app, by its URL namespace.
APP_CATEGORIES = {
    "patients": DataCategory.DEMOGRAPHICS,
    "audit": DataCategory.AUDIT_REPORT,
    "notifications": DataCategory.REGISTRY,
    "scheduling": DataCategory.SCHEDULE,
    "testing": DataCategory.DRUG_TESTS,
    "medications": DataCategory.MEDICATIONS,
    "clinical": DataCategory.NOTES,
    "aftercare": DataCategory.EPISODES,
}


@cache
def patient_path(model) -> str | None:
    """The shortest chain of foreign keys from this model to the patient ("" for the patient), or None."""
    if model is Patient:
        return ""
    queue = deque([(model, [])])
    seen = {model}
    while queue:
        current, path = queue.popleft()
        if len(path) >= PATIENT_PATH_MAX_HOPS:
            continue
        for field in current._meta.get_fields():
            if not (field.many_to_one or field.one_to_one) or not field.concrete or field.related_model is None:
                continue
            if field.related_model is Patient:
                return "__".join([*path, field.name])
            if field.related_model not in seen:
                seen.add(field.related_model)
                queue.append((field.related_model, [*path, field.name]))
    return None


def shows_patient_data(model_admin) -> bool:
    """Whether this admin's pages show patient data: its own rows or the rows of its inlines."""
    models = [model_admin.model, *(inline.model for inline in model_admin.inlines)]
    return any(
        patient_path(model) is not None or model._meta.label_lower in PATIENT_DATA_WITHOUT_A_KEY for model in models
    )


def category_of(model) -> DataCategory:
    label = model._meta.label_lower
    return ADMIN_MODEL_CATEGORIES.get(label) or APP_CATEGORIES.get(model._meta.app_label, DataCategory.REGISTRY)


def admin_look_of(match):
    """(ModelAdmin, view suffix) when this URL is a registered model's list, change or history page."""
    if match is None or match.namespaces != ["admin"] or not match.url_name:
        return None
    for model, model_admin in admin.site._registry.items():
        prefix = f"{model._meta.app_label}_{model._meta.model_name}_"
        suffix = match.url_name.removeprefix(prefix)
        if suffix != match.url_name and suffix in ADMIN_LOOKS:
            return model_admin, suffix
    return None


def patient_of(model, object_id) -> Patient | None:
    path = patient_path(model)
    if path is None or object_id is None:
        return None
    try:
        if path == "":
            return Patient.objects.filter(pk=unquote(object_id)).first()
        owner = model._default_manager.filter(pk=unquote(object_id)).values(path)[:1]
        return Patient.objects.filter(pk=Subquery(owner)).first()
    except (ValueError, ValidationError):
        return None


class AccessLogMiddleware:
    """Writes the access-log rows of admin pages that show patient data, and logs every 403."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        if response.status_code == 403:
            self.refused(request, match)
        elif response.status_code == 200 and request.user.is_authenticated:
            self.admin_look(request, match)
        return response

    def admin_look(self, request, match) -> None:
        look = admin_look_of(match)
        if look is None or not shows_patient_data(look[0]):
            return
        model_admin, suffix = look
        model = model_admin.model
        object_id = match.kwargs.get("object_id") or (match.args[0] if match.args else None)
        if suffix == "changelist":
            page = request.GET.get("p", "")
            detail = f"{model._meta.label_lower} page {page if page.isdigit() else 1}"[:200]
            patient = None
        else:
            patient = patient_of(model, object_id)
            # The record's id, not the patient's: the row names the patient by its own column.
            detail = model._meta.label_lower if model is Patient else f"{model._meta.label_lower} {object_id}"[:200]
        access_log_record(
            request=request, category=category_of(model), action=ADMIN_LOOKS[suffix], patient=patient, detail=detail
        )

    def refused(self, request, match) -> None:
        user = request.user if request.user.is_authenticated else None
        route = match.route if match is not None else "-"
        view_name = match.view_name if match is not None else "-"
        logger.warning(
            "refused (403): user=%s %s %s (%s)", user.pk if user else "anonymous", request.method, route, view_name
        )
        if user is None:
            return
        look = admin_look_of(match)
        if look is not None:
            if not shows_patient_data(look[0]):
                return
            category = category_of(look[0].model)
        elif match is not None and match.namespaces and match.namespaces[0] in APP_CATEGORIES:
            category = APP_CATEGORIES[match.namespaces[0]]
        else:
            return
        access_log_record(
            request=request,
            category=category,
            action=f"refused: {view_name}"[:60],
            outcome=Outcome.REFUSED,
            detail=route,
        )
