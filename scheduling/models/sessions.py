from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from iop.models import ClinicalRecord, TimeStampedModel

from ..constants import MAX_SESSION_MINUTES, AttendanceStatus, SessionKind, SessionStatus


class Session(TimeStampedModel):
    """One meeting: an occurrence of a recurring group, or an individual/family session booked for a patient.

    ``start``/``end`` are UTC; ``day`` and ``week_start`` are the clinic-local date and
    its ISO Monday, kept so rosters, ledgers and dashboards group by day in SQL.
    """

    program = models.ForeignKey("programs.Program", on_delete=models.PROTECT, related_name="sessions")
    kind = models.CharField(max_length=20, choices=SessionKind.choices)
    group = models.ForeignKey(
        "scheduling.Group", null=True, blank=True, on_delete=models.PROTECT, related_name="sessions"
    )
    # The series' own start for this occurrence: with ``group`` it is the key that keeps
    # regeneration from duplicating or resurrecting a moved or cancelled occurrence.
    original_start = models.DateTimeField(null=True, blank=True, editable=False)
    topic = models.ForeignKey(
        "scheduling.CurriculumTopic", null=True, blank=True, on_delete=models.SET_NULL, related_name="sessions"
    )
    patient = models.ForeignKey(
        "patients.Patient", null=True, blank=True, on_delete=models.PROTECT, related_name="booked_sessions"
    )
    episode = models.ForeignKey(
        "patients.Episode", null=True, blank=True, on_delete=models.PROTECT, related_name="booked_sessions"
    )
    family_contacts = models.ManyToManyField("patients.Contact", blank=True, related_name="family_sessions")
    clinician = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="led_sessions")
    co_facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="co_led_sessions"
    )
    room = models.ForeignKey("scheduling.Room", on_delete=models.PROTECT, related_name="sessions")
    join_url = models.URLField(blank=True)
    start = models.DateTimeField()
    end = models.DateTimeField()
    duration_minutes = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    # Breaks and meals inside the session are not service time (HCPCS H0015 / S9480 count service
    # time): the weekly hours, the 3-hour billable day and the attendance cap use countable minutes.
    break_minutes = models.PositiveSmallIntegerField(
        default=0,
        db_default=0,
        help_text="Breaks and meals inside the session; they do not count toward hours or the billable day.",
    )
    day = models.DateField(editable=False)
    week_start = models.DateField(editable=False)
    status = models.CharField(max_length=12, choices=SessionStatus.choices, default=SessionStatus.SCHEDULED)
    is_moved = models.BooleanField(default=False, editable=False)
    cancel_reason = models.CharField(max_length=200, blank=True)
    notes = models.CharField(max_length=200, blank=True)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords(excluded_fields=["family_contacts"])

    class Meta:
        ordering = ["start"]
        indexes = [
            # Program calendar and compliance dashboard: a program's sessions in a date range.
            models.Index(fields=["program", "start"], name="scheduling_session_program"),
            # Clinician calendar, iCal feed and clinician double-booking check.
            models.Index(fields=["clinician", "start"], name="scheduling_session_clinician"),
            # Room calendar and room double-booking check.
            models.Index(fields=["room", "start"], name="scheduling_session_room"),
            # Patient calendar, ledger and patient double-booking check (individual/family).
            models.Index(fields=["patient", "start"], name="scheduling_session_patient"),
            # Rosters and planned hours: a group's occurrences by local day.
            models.Index(fields=["group", "day"], name="scheduling_session_group_day"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")),
                name="%(app_label)s_%(class)s_ends_after_start",
                violation_error_message="A session must end after it starts.",
            ),
            models.CheckConstraint(
                condition=models.Q(duration_minutes__lte=MAX_SESSION_MINUTES),
                name="%(app_label)s_%(class)s_at_most_12_hours",
                violation_error_message="A session lasts at most 12 hours.",
            ),
            models.CheckConstraint(
                condition=models.Q(break_minutes__lt=models.F("duration_minutes")),
                name="%(app_label)s_%(class)s_break_inside",
                violation_error_message="Breaks must be shorter than the session.",
            ),
            models.UniqueConstraint(
                fields=["group", "original_start"],
                condition=models.Q(group__isnull=False),
                name="%(app_label)s_%(class)s_one_per_occurrence",
                violation_error_message="This occurrence of the group already exists.",
            ),
            models.CheckConstraint(
                condition=models.Q(group__isnull=True) | models.Q(original_start__isnull=False, patient__isnull=True),
                name="%(app_label)s_%(class)s_occurrence_keyed",
                violation_error_message="A group occurrence has its series start and no single patient.",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind__in=["individual", "family", "medication"])
                | models.Q(patient__isnull=False, episode__isnull=False),
                name="%(app_label)s_%(class)s_booked_for_patient",
                violation_error_message="Individual, family and medication sessions are booked for a patient.",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=SessionStatus.CANCELLED) | ~models.Q(cancel_reason=""),
                name="%(app_label)s_%(class)s_cancel_explained",
                violation_error_message="Say why the session is cancelled.",
            ),
        ]

    def __str__(self):
        return f"{self.title} {self.day:%Y-%m-%d}"

    @property
    def title(self) -> str:
        return self.group.name if self.group_id else self.get_kind_display()

    @property
    def is_cancelled(self) -> bool:
        return self.status == SessionStatus.CANCELLED

    @property
    def countable_minutes(self) -> int:
        """Service time: the session's length less its breaks (the most a patient can attend)."""
        return self.duration_minutes - (self.break_minutes or 0)


class Attendance(ClinicalRecord):
    """Whether a patient came to a session and for how many minutes: the source of the hours ledger."""

    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="attendance")
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="attendance")
    episode = models.ForeignKey("patients.Episode", on_delete=models.PROTECT, related_name="attendance")
    status = models.CharField(max_length=12, choices=AttendanceStatus.choices)
    minutes_attended = models.PositiveSmallIntegerField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    history = HistoricalRecords()

    class Meta:
        ordering = ["session__start"]
        verbose_name_plural = "attendance"
        indexes = [
            # Hours ledger and compliance dashboard: a patient's attendance.
            models.Index(fields=["patient", "session"], name="scheduling_attendance_patient"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "patient"],
                condition=models.Q(entered_in_error_at__isnull=True),
                name="%(app_label)s_%(class)s_one_per_patient",
                violation_error_message="Attendance for this patient at this session is already recorded.",
            ),
            models.CheckConstraint(
                condition=~models.Q(status__in=["excused", "unexcused"]) | models.Q(minutes_attended=0),
                name="%(app_label)s_%(class)s_absent_no_minutes",
                violation_error_message="An absence has 0 minutes attended.",
            ),
        ]

    def __str__(self):
        return f"{self.get_status_display()} {self.minutes_attended} min"


class CalendarFeedToken(TimeStampedModel):
    """A clinician's private iCalendar feed: only the token's SHA-256 is stored, so a leak of the table leaks no URL."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed_tokens")
    token_hash = models.CharField(max_length=64, unique=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    # Never shown, filtered or sorted in the admin (iop.admin_site).
    sensitive_fields = ("token_hash",)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(revoked_at__isnull=True),
                name="%(app_label)s_%(class)s_one_live_per_user",
                violation_error_message="This person already has a live calendar feed; revoke it first.",
            ),
        ]

    def __str__(self):
        return f"Feed of {self.user} ({'revoked' if self.revoked_at else 'live'})"
