import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from iop.models import TimeStampedModel

from ..constants import EnrolmentStatus, SessionKind, WorkshopTopic
from ..recurrence import describe_rule, normalize_rule_text, validate_rule


class Group(TimeStampedModel):
    """A recurring group: "Relapse prevention, Mon/Wed/Thu 18:00–21:00", with its room and facilitators."""

    name = models.CharField(max_length=120)
    program = models.ForeignKey("programs.Program", on_delete=models.PROTECT, related_name="groups")
    kind = models.CharField(max_length=20, choices=SessionKind.choices, default=SessionKind.GROUP_THERAPY)
    workshop_topic = models.CharField(max_length=30, choices=WorkshopTopic.choices, blank=True)
    description = models.TextField(blank=True)
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="facilitated_groups"
    )
    co_facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="co_facilitated_groups"
    )
    room = models.ForeignKey("scheduling.Room", on_delete=models.PROTECT, related_name="groups")
    capacity = models.PositiveSmallIntegerField(default=12, validators=[MinValueValidator(1), MaxValueValidator(40)])
    rrule = models.CharField(
        "Recurrence rule",
        max_length=200,
        validators=[validate_rule],
        help_text="RFC 5545 RRULE, e.g. FREQ=WEEKLY;BYDAY=MO,WE,TH",
    )
    starts_on = models.DateField(help_text="First day of the series (clinic local).")
    start_time = models.TimeField(help_text="Clinic local wall-clock time; kept across daylight-saving changes.")
    duration_minutes = models.PositiveSmallIntegerField(
        default=180, validators=[MinValueValidator(15), MaxValueValidator(8 * 60)]
    )
    break_minutes = models.PositiveSmallIntegerField(
        default=0,
        db_default=0,
        help_text="Breaks and meals in each meeting (e.g. 15); not counted toward hours or the 3-hour billable day.",
    )
    ends_on = models.DateField(null=True, blank=True, help_text="Last day of the series; blank runs on.")
    is_active = models.BooleanField(default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["program__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "name"],
                name="%(app_label)s_%(class)s_unique_name",
                violation_error_message="This program already has a group with that name.",
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=["group", "psychoeducation", "adjunct", "peer_support"]),
                name="%(app_label)s_%(class)s_group_kind",
                violation_error_message=(
                    "Individual, family and medication sessions are booked per patient, not as groups."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True) | models.Q(ends_on__gte=models.F("starts_on")),
                name="%(app_label)s_%(class)s_dates_ordered",
                violation_error_message="The series cannot end before it starts.",
            ),
            models.CheckConstraint(
                condition=models.Q(co_facilitator__isnull=True) | ~models.Q(co_facilitator=models.F("facilitator")),
                name="%(app_label)s_%(class)s_two_facilitators",
                violation_error_message="The co-facilitator must be someone other than the facilitator.",
            ),
            models.CheckConstraint(
                condition=models.Q(break_minutes__lt=models.F("duration_minutes")),
                name="%(app_label)s_%(class)s_break_inside",
                violation_error_message="Breaks must be shorter than the meeting.",
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.rrule = normalize_rule_text(self.rrule)
        super().save(*args, **kwargs)

    @property
    def end_time(self) -> dt.time:
        start = dt.datetime.combine(dt.date(2000, 1, 1), self.start_time)
        return (start + dt.timedelta(minutes=self.duration_minutes)).time()

    @property
    def schedule_text(self) -> str:
        return f"{describe_rule(self.rrule)} · {self.start_time:%H:%M}–{self.end_time:%H:%M}"


class CurriculumTopic(TimeStampedModel):
    """One topic of a group's curriculum; occurrences take the topics in order, then start over."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="topics")
    position = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=160)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["group", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "position"],
                name="%(app_label)s_%(class)s_unique_position",
                violation_error_message="Each topic of a curriculum needs its own position.",
            ),
        ]

    def __str__(self):
        return f"{self.position}. {self.title}"


class Enrolment(TimeStampedModel):
    """A patient's episode enrolled in (or waiting for) a group from a date until a date or discharge."""

    episode = models.ForeignKey("patients.Episode", on_delete=models.PROTECT, related_name="enrolments")
    group = models.ForeignKey(Group, on_delete=models.PROTECT, related_name="enrolments")
    status = models.CharField(max_length=12, choices=EnrolmentStatus.choices, default=EnrolmentStatus.ENROLLED)
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True, help_text="Blank: until discharge.")
    enrolled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    history = HistoricalRecords()

    class Meta:
        ordering = ["starts_on"]
        indexes = [
            # Rosters and planned hours: who is enrolled in this group on a given day.
            models.Index(fields=["group", "status", "starts_on"], name="scheduling_enrol_group_day"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True) | models.Q(ends_on__gte=models.F("starts_on")),
                name="%(app_label)s_%(class)s_dates_ordered",
                violation_error_message="An enrolment cannot end before it starts.",
            ),
            models.UniqueConstraint(
                fields=["episode", "group"],
                condition=models.Q(ends_on__isnull=True),
                name="%(app_label)s_%(class)s_one_open_per_group",
                violation_error_message="This patient is already enrolled in (or waiting for) this group.",
            ),
        ]

    def __str__(self):
        return f"{self.group} from {self.starts_on:%Y-%m-%d}"


class WeekNote(TimeStampedModel):
    """The documented reason a patient's week sits outside the program's hours band (e.g. a step-down week)."""

    episode = models.ForeignKey("patients.Episode", on_delete=models.PROTECT, related_name="week_notes")
    week_start = models.DateField(help_text="Monday of the ISO week.")
    reason = models.TextField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    history = HistoricalRecords()

    class Meta:
        ordering = ["week_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["episode", "week_start"],
                name="%(app_label)s_%(class)s_one_per_week",
                violation_error_message="This week already has a documented reason.",
            ),
            models.CheckConstraint(
                condition=~models.Q(reason=""),
                name="%(app_label)s_%(class)s_reason_given",
                violation_error_message="Write why this week is outside the band.",
            ),
        ]

    def __str__(self):
        return f"Week of {self.week_start:%Y-%m-%d}"
