"""Session notes: individual/family notes, group notes with per-patient sections, addenda, counseling notes."""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from iop.models import ClinicalRecord, TimeStampedModel
from scheduling.constants import AttendanceStatus

from ..constants import FORMAT_FIELD_LABELS, FORMAT_FIELDS, NoteFormat, NoteKind


class SignatureFields(models.Model):
    """Draft → signed (locked); a late flag; and a supervisor's co-signature for staff in training."""

    signed_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Signed more than the program's limit after the session ended (a late entry).
    is_late_entry = models.BooleanField(default=False)
    cosign_required = models.BooleanField(default=False)
    cosigned_at = models.DateTimeField(null=True, blank=True)
    cosigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        abstract = True

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None

    @property
    def awaits_cosign(self) -> bool:
        return self.is_signed and self.cosign_required and self.cosigned_at is None


def signature_constraints() -> list:
    return [
        models.CheckConstraint(
            condition=models.Q(signed_at__isnull=True, signed_by__isnull=True)
            | models.Q(signed_at__isnull=False, signed_by__isnull=False),
            name="%(app_label)s_%(class)s_signature_complete",
            violation_error_message="A signature needs both the signer and the time.",
        ),
        models.CheckConstraint(
            condition=models.Q(cosigned_at__isnull=True) | models.Q(signed_at__isnull=False),
            name="%(app_label)s_%(class)s_cosign_after_sign",
            violation_error_message="The author signs before the supervisor co-signs.",
        ),
    ]


class FormatFields(models.Model):
    """The sections of DAP, SOAP and BIRP notes; a note fills those of its format."""

    data = models.TextField(blank=True)
    subjective = models.TextField(blank=True)
    objective = models.TextField(blank=True)
    assessment = models.TextField(blank=True)
    behavior = models.TextField(blank=True)
    intervention = models.TextField(blank=True)
    response = models.TextField(blank=True)
    plan = models.TextField(blank=True)

    class Meta:
        abstract = True


class GroupNote(SignatureFields, ClinicalRecord):
    """The facilitator's note of one group session: the shared part, written once."""

    session = models.ForeignKey("scheduling.Session", on_delete=models.PROTECT, related_name="group_notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="group_notes")
    topic = models.CharField(max_length=200)
    interventions = models.TextField(blank=True, help_text="What the facilitator did: modality, techniques, material.")
    group_dynamics = models.TextField(blank=True)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField()

    history = HistoricalRecords()

    class Meta:
        ordering = ["-started_at"]
        indexes = [
            # unsigned_notes_overdue and "My notes": an author's drafts.
            models.Index(fields=["author", "signed_at"], name="clinical_groupnote_author"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["session"],
                condition=models.Q(entered_in_error_at__isnull=True),
                name="%(app_label)s_%(class)s_one_per_session",
                violation_error_message="This group session already has a note.",
            ),
            models.CheckConstraint(
                condition=models.Q(ended_at__gt=models.F("started_at")),
                name="%(app_label)s_%(class)s_times_ordered",
                violation_error_message="The stop time must be after the start time.",
            ),
            *signature_constraints(),
        ]

    def __str__(self):
        return f"Group note: {self.topic}"


class GroupNoteSection(TimeStampedModel):
    """One present patient's part of a group note, prefilled with their attendance."""

    group_note = models.ForeignKey(GroupNote, on_delete=models.PROTECT, related_name="sections")
    attendance = models.ForeignKey("scheduling.Attendance", on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="+")
    episode = models.ForeignKey("patients.Episode", on_delete=models.PROTECT, related_name="+")
    attendance_status = models.CharField(max_length=12, choices=AttendanceStatus.choices)
    minutes_attended = models.PositiveSmallIntegerField()
    participation = models.TextField(blank=True)
    goal = models.ForeignKey("clinical.Goal", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    progress = models.TextField(blank=True, help_text="Progress toward the chosen plan goal.")
    plan = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["patient__legal_last_name", "patient__legal_first_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["group_note", "patient"],
                name="%(app_label)s_%(class)s_one_per_patient",
                violation_error_message="This patient already has a section in the group note.",
            ),
        ]

    def __str__(self):
        return f"Section for patient {self.patient_id}"


class SessionNote(SignatureFields, FormatFields, ClinicalRecord):
    """A note in one patient's chart: an individual or family note, or the patient's filed copy of a group note."""

    kind = models.CharField(max_length=12, choices=NoteKind.choices)
    format = models.CharField(max_length=4, choices=NoteFormat.choices, blank=True)
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="session_notes")
    episode = models.ForeignKey("patients.Episode", on_delete=models.PROTECT, related_name="session_notes")
    session = models.ForeignKey("scheduling.Session", on_delete=models.PROTECT, related_name="session_notes")
    attendance = models.ForeignKey(
        "scheduling.Attendance", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="session_notes")
    goal = models.ForeignKey(
        "clinical.Goal",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The plan goal this session worked on.",
    )
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField()
    group_note = models.ForeignKey(GroupNote, null=True, blank=True, on_delete=models.PROTECT, related_name="filed")
    group_section = models.OneToOneField(
        GroupNoteSection, null=True, blank=True, on_delete=models.PROTECT, related_name="filed_note"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["-started_at"]
        indexes = [
            # The chart's Notes tab: a patient's notes, newest first.
            models.Index(fields=["patient", "-started_at"], name="clinical_note_patient"),
            # unsigned_notes_overdue and "My notes": an author's drafts.
            models.Index(fields=["author", "signed_at"], name="clinical_note_author"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ended_at__gt=models.F("started_at")),
                name="%(app_label)s_%(class)s_times_ordered",
                violation_error_message="The stop time must be after the start time.",
            ),
            models.CheckConstraint(
                condition=models.Q(kind=NoteKind.GROUP, group_note__isnull=False, group_section__isnull=False)
                | (~models.Q(kind=NoteKind.GROUP) & models.Q(group_note__isnull=True) & ~models.Q(format="")),
                name="%(app_label)s_%(class)s_group_copy_linked",
                violation_error_message="A group copy references its group note; other notes have a format.",
            ),
            models.UniqueConstraint(
                fields=["session", "patient"],
                condition=models.Q(entered_in_error_at__isnull=True),
                name="%(app_label)s_%(class)s_one_per_patient_session",
                violation_error_message="This patient already has a note for this session.",
            ),
            *signature_constraints(),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} note {self.started_at:%Y-%m-%d}"

    @property
    def format_field_names(self) -> tuple[str, ...]:
        return FORMAT_FIELDS.get(self.format, ())

    @property
    def format_sections(self) -> list[tuple[str, str]]:
        return [(FORMAT_FIELD_LABELS[name], getattr(self, name)) for name in self.format_field_names]


class NoteAddendum(TimeStampedModel):
    """A signed, dated addition to a signed note: the only change a signed note accepts."""

    note = models.ForeignKey(SessionNote, on_delete=models.PROTECT, related_name="addenda")
    text = models.TextField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField()

    history = HistoricalRecords()

    class Meta:
        ordering = ["signed_at", "pk"]
        verbose_name_plural = "note addenda"
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(text=""),
                name="%(app_label)s_%(class)s_text_given",
                violation_error_message="Write the addendum.",
            ),
        ]

    def __str__(self):
        return f"Addendum {self.signed_at:%Y-%m-%d %H:%M}"


class CounselingNote(ClinicalRecord):
    """SUD counseling notes (42 CFR §2.11, 2024 rule): the counselor's own notes, kept apart from the record.

    Visible only to their author (clinical.selectors.counseling_notes_visible_to). No
    history table: simple-history would keep a second copy of the content that the admin's
    history pages could show.
    """

    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    session = models.ForeignKey("scheduling.Session", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    written_at = models.DateTimeField()
    content = models.TextField()

    # Only the author reads the content: the admin never filters, searches or sorts by it (iop.admin_site).
    sensitive_fields = ("content",)

    class Meta:
        ordering = ["-written_at"]
        indexes = [
            # counseling_notes_visible_to: an author's notes about one patient.
            models.Index(fields=["author", "patient", "-written_at"], name="clinical_counsel_author"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(content=""),
                name="%(app_label)s_%(class)s_content_given",
                violation_error_message="Write the note.",
            ),
        ]

    def __str__(self):
        return f"Counseling note {self.written_at:%Y-%m-%d}"
