from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Max
from simple_history.admin import SimpleHistoryAdmin

from iop.admin import adopt_saved

from . import services
from .constants import GENERATE_AHEAD_WEEKS
from .models import (
    Attendance,
    CalendarFeedToken,
    ClinicClosure,
    CurriculumTopic,
    Enrolment,
    Group,
    Room,
    Session,
    WeekNote,
)


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin):
    list_display = ("name", "location", "capacity", "is_virtual", "is_active")
    list_filter = ("is_virtual", "is_active", "location")
    search_fields = ("name", "location")


class CurriculumTopicInline(admin.TabularInline):
    model = CurriculumTopic
    extra = 1
    ordering = ("position",)


class EnrolmentInline(admin.TabularInline):
    model = Enrolment
    extra = 0
    fields = ("episode", "status", "starts_on", "ends_on", "enrolled_by")
    raw_id_fields = ("episode", "enrolled_by")
    show_change_link = True


@admin.action(description="Generate occurrences for the next N weeks")
def generate_occurrences(modeladmin, request, queryset):
    try:
        weeks = int(request.POST.get("weeks") or GENERATE_AHEAD_WEEKS)
    except ValueError:
        weeks = GENERATE_AHEAD_WEEKS
    weeks = max(1, min(weeks, 52))
    created = 0
    for group in queryset.select_related("room"):
        created += services.group_generate_occurrences(group=group, weeks=weeks)
    modeladmin.message_user(request, f"{created} occurrences created for the next {weeks} weeks.", messages.SUCCESS)


@admin.register(Group)
class GroupAdmin(SimpleHistoryAdmin):
    list_display = ("name", "program", "kind", "facilitator", "room", "capacity", "rrule", "start_time", "is_active")
    list_filter = ("program", "kind", "is_active", "room")
    search_fields = ("name", "facilitator__last_name", "rrule")
    list_select_related = ("program", "facilitator", "room")
    inlines = [CurriculumTopicInline, EnrolmentInline]
    actions = [generate_occurrences]
    action_form = type(
        "GenerateActionForm",
        (admin.helpers.ActionForm,),
        {"weeks": forms.IntegerField(min_value=1, max_value=52, initial=GENERATE_AHEAD_WEEKS, required=False)},
    )

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # A new or edited series gets its occurrences at once, not at the next periodic run.
        try:
            services.group_generate_occurrences(group=form.instance)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)


class SessionAdminForm(forms.ModelForm):
    class Meta:
        model = Session
        fields = (
            "program",
            "kind",
            "group",
            "topic",
            "patient",
            "episode",
            "family_contacts",
            "clinician",
            "co_facilitator",
            "room",
            "join_url",
            "start",
            "end",
            "break_minutes",
            "status",
            "cancel_reason",
            "notes",
            "booked_by",
        )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        breaks = cleaned.get("break_minutes") or 0
        if start is None or end is None or end <= start:
            return cleaned
        length = int((end - start).total_seconds() // 60)
        if breaks >= length:
            self.add_error("break_minutes", f"Breaks must be shorter than the session ({length} minutes).")
        elif self.instance.pk:
            # Recorded attendance never exceeds the countable length, so the length cannot shrink under it.
            most = (
                Attendance.objects.valid().filter(session=self.instance).aggregate(most=Max("minutes_attended"))["most"]
            )
            if most is not None and most > length - breaks:
                self.add_error(
                    "break_minutes",
                    f"A patient is recorded for {most} minutes; the session must keep at least that much "
                    f"service time ({length - breaks} minutes now). Correct the attendance first.",
                )
        return cleaned


@admin.register(Session)
class SessionAdmin(SimpleHistoryAdmin):
    form = SessionAdminForm
    list_display = ("start", "title", "kind", "program", "room", "clinician", "status", "is_moved")
    list_filter = ("status", "kind", "program", "room", "is_moved")
    search_fields = ("group__name", "clinician__last_name", "patient__mrn")
    date_hierarchy = "start"
    list_select_related = ("group", "program", "room", "clinician")
    raw_id_fields = ("patient", "episode", "group", "topic", "booked_by")
    readonly_fields = ("original_start", "duration_minutes", "day", "week_start", "is_moved")

    def save_model(self, request, obj, form, change):
        services.session_times_set(obj, obj.start, obj.end)
        super().save_model(request, obj, form, change)


@admin.register(Enrolment)
class EnrolmentAdmin(SimpleHistoryAdmin):
    list_display = ("episode", "group", "status", "starts_on", "ends_on")
    list_filter = ("status", "group__program", "group")
    search_fields = ("episode__patient__mrn", "group__name")
    raw_id_fields = ("episode", "enrolled_by")
    list_select_related = ("episode__patient", "episode__program", "group")


class AttendanceAdminForm(forms.ModelForm):
    """The roster's rules in the admin: the patient on the roster, minutes up to the countable length."""

    class Meta:
        model = Attendance
        fields = ("session", "patient", "status", "minutes_attended")
        help_texts = {"minutes_attended": "From 0 to the session's length less its breaks; 0 for an absence."}

    def clean(self):
        cleaned = super().clean()
        session = cleaned.get("session") if "session" in self.fields else self.instance.session
        patient = cleaned.get("patient") if "patient" in self.fields else self.instance.patient
        status, minutes = cleaned.get("status"), cleaned.get("minutes_attended")
        if self.instance.pk and self.instance.is_entered_in_error:
            raise ValidationError("This record was entered in error; record the attendance again instead.")
        if session is None or patient is None or not status or minutes is None:
            return cleaned
        try:
            cleaned["minutes_attended"] = services.attendance_check(
                session=session, patient_id=patient.pk, status=status, minutes=minutes
            )
        except ValidationError as error:
            if not hasattr(error, "error_dict"):
                raise
            for field, messages in error.message_dict.items():
                self.add_error(field if field in self.fields else None, messages)
        return cleaned


@admin.register(Attendance)
class AttendanceAdmin(SimpleHistoryAdmin):
    """Attendance goes through the roster's service: minutes capped at the countable length, units recounted."""

    form = AttendanceAdminForm
    list_display = ("session", "patient", "status", "minutes_attended", "recorded_by", "recorded_at")
    list_filter = ("status", "session__program")
    search_fields = ("patient__mrn",)
    raw_id_fields = ("session", "patient")
    list_select_related = ("session__group", "patient", "recorded_by")

    def get_readonly_fields(self, request, obj=None):
        recorded = ("episode", "recorded_by", "recorded_at")
        return (*recorded, "session", "patient") if obj is not None else recorded

    def has_delete_permission(self, request, obj=None):
        return False  # clinical records are marked entered in error, never deleted

    def save_model(self, request, obj, form, change):
        saved = services.attendance_record(
            session=obj.session,
            patient_id=obj.patient_id,
            status=form.cleaned_data["status"],
            minutes=form.cleaned_data["minutes_attended"],
            by=request.user,
        )
        adopt_saved(obj, saved)


@admin.register(WeekNote)
class WeekNoteAdmin(SimpleHistoryAdmin):
    list_display = ("episode", "week_start", "reason", "recorded_by")
    search_fields = ("episode__patient__mrn", "reason")
    raw_id_fields = ("episode", "recorded_by")
    date_hierarchy = "week_start"


@admin.register(ClinicClosure)
class ClinicClosureAdmin(admin.ModelAdmin):
    list_display = ("date", "reason")
    search_fields = ("reason",)
    date_hierarchy = "date"

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
        else:
            # Through the service, so the day's occurrences are cancelled with it.
            obj.pk = services.clinic_closure_add(date=obj.date, reason=obj.reason, by=request.user).pk


@admin.register(CalendarFeedToken)
class CalendarFeedTokenAdmin(admin.ModelAdmin):
    list_display = ("user", "created_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("user__username",)
    # The token's hash is a sensitive field (CalendarFeedToken.sensitive_fields): never shown here.
    fields = ("user", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("user", "created_at", "last_used_at")
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Revoke the selected feeds")
    def revoke(self, request, queryset):
        from django.utils import timezone

        count = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        self.message_user(request, f"{count} feeds revoked.")
