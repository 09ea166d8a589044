from django.urls import path

from .views import counseling, notes, plans

app_name = "clinical"

urlpatterns = [
    # Treatment plans (a chart tab).
    path("patients/<int:pk>/plan/", plans.chart_plan, name="chart_plan"),
    path("patients/<int:pk>/plan/start/", plans.plan_start, name="plan_start"),
    path("patients/<int:pk>/plan/<int:plan_pk>/", plans.plan_version, name="plan_version"),
    path("patients/<int:pk>/plan/<int:plan_pk>/add/<slug:kind>/", plans.plan_item_add, name="plan_item_add"),
    path(
        "patients/<int:pk>/plan/<int:plan_pk>/remove/<slug:kind>/<int:item_pk>/",
        plans.plan_item_remove,
        name="plan_item_remove",
    ),
    path("patients/<int:pk>/plan/<int:plan_pk>/sign/", plans.plan_sign, name="plan_sign"),
    path("patients/<int:pk>/plan/<int:plan_pk>/agreement/", plans.plan_agreement, name="plan_agreement"),
    path("patients/<int:pk>/plan/<int:plan_pk>/cosign/", plans.plan_cosign, name="plan_cosign"),
    path("patients/<int:pk>/plan/<int:plan_pk>/revise/", plans.plan_revise, name="plan_revise"),
    path("patients/<int:pk>/plan/<int:plan_pk>/review/", plans.plan_review, name="plan_review"),
    # Session notes.
    path("patients/<int:pk>/notes/", notes.chart_notes, name="chart_notes"),
    path("notes/<int:note_pk>/", notes.note_detail, name="note_detail"),
    path("notes/<int:note_pk>/edit/", notes.note_edit, name="note_edit"),
    path("notes/<int:note_pk>/addendum/", notes.note_addendum, name="note_addendum"),
    path("notes/<int:note_pk>/cosign/", notes.note_cosign, name="note_cosign"),
    path("sessions/<int:session_pk>/note/", notes.session_note_start, name="session_note_start"),
    path("group-notes/<int:group_note_pk>/", notes.group_note, name="group_note"),
    path("group-notes/<int:group_note_pk>/cosign/", notes.group_note_cosign, name="group_note_cosign"),
    path("my-notes/", notes.my_notes, name="my_notes"),
    path("my-sessions/", notes.sessions_needing_notes, name="sessions_needing_notes"),
    # SUD counseling notes: the author's alone.
    path("patients/<int:pk>/counseling-notes/", counseling.counseling_notes, name="counseling_notes"),
    path(
        "patients/<int:pk>/counseling-notes/<int:note_pk>/",
        counseling.counseling_note_edit,
        name="counseling_note_edit",
    ),
]
