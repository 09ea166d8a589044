import secrets
from datetime import date

import jellyfish
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from simple_history.models import HistoricalRecords

from accounts.constants import Role
from iop.models import ClinicalRecord, TimeStampedModel
from iop.phones import validate_phone

from ..constants import (
    ASSESSED_ALERT_KINDS,
    AlertAction,
    AlertKind,
    AlertSeverity,
    CareTeamRole,
    ContactChannel,
    PatientStatus,
    Relationship,
    RiskLevel,
    SexAtBirth,
)
from ..text import digits, fold


def generate_mrn() -> str:
    """Eight random digits with a Luhn check digit: unguessable, and typos are caught."""
    body = f"{secrets.randbelow(10**8):08d}"
    return body + luhn_check_digit(body)


NAME_KEY_LENGTH = 20


def name_key(name: str) -> str:
    """A phonetic key (Metaphone) of a name, so "Orla" and "Orlagh" or "Catherine" and "Katherine" share one.

    Only letters count ("O'Brien" is "OBrien"); a name with none (another script) has no key and is
    matched by birth date, phone and email alone.
    """
    letters = "".join(char for char in fold(name) if char.isalpha())
    return jellyfish.metaphone(letters)[:NAME_KEY_LENGTH].upper() if letters else ""


def luhn_check_digit(number: str) -> str:
    total = 0
    for index, char in enumerate(reversed(number)):
        value = int(char)
        if index % 2 == 0:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return str((10 - total % 10) % 10)


class Patient(ClinicalRecord):
    mrn = models.CharField("MRN", max_length=12, unique=True, editable=False)
    legal_first_name = models.CharField(max_length=80)
    legal_last_name = models.CharField(max_length=80)
    preferred_name = models.CharField(max_length=80, blank=True)
    pronouns = models.CharField(max_length=40, blank=True)
    date_of_birth = models.DateField()
    sex_at_birth = models.CharField(max_length=10, choices=SexAtBirth.choices, default=SexAtBirth.UNKNOWN)
    gender_identity = models.CharField(max_length=60, blank=True)
    phone = models.CharField(max_length=20, blank=True, validators=[validate_phone], help_text="Mobile preferred.")
    email = models.EmailField(blank=True)
    preferred_contact_channel = models.CharField(
        max_length=10, choices=ContactChannel.choices, default=ContactChannel.PHONE
    )
    language = models.CharField(max_length=40, default="English")
    needs_interpreter = models.BooleanField(default=False)
    address_line1 = models.CharField("Address", max_length=120, blank=True)
    address_line2 = models.CharField("Address line 2", max_length=120, blank=True)
    city = models.CharField(max_length=80, blank=True)
    state = models.CharField(max_length=40, blank=True)
    postal_code = models.CharField(max_length=12, blank=True)
    emergency_contact_name = models.CharField(max_length=120, blank=True)
    emergency_contact_phone = models.CharField(max_length=20, blank=True, validators=[validate_phone])
    emergency_contact_relationship = models.CharField(max_length=20, choices=Relationship.choices, blank=True)
    status = models.CharField(max_length=20, choices=PatientStatus.choices, default=PatientStatus.REFERRAL)
    primary_clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="primary_patients"
    )
    sms_opted_out_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Folded copies for accent- and case-insensitive search (see patients/text.py).
    search_name = models.CharField(max_length=260, editable=False, blank=True)
    phone_digits = models.CharField(max_length=20, editable=False, blank=True)
    # Phonetic keys of the legal names for the near-duplicate check (see name_key).
    first_name_key = models.CharField(max_length=NAME_KEY_LENGTH, editable=False, blank=True)
    last_name_key = models.CharField(max_length=NAME_KEY_LENGTH, editable=False, blank=True)
    # A second chart of the same person, merged: its records now belong to this chart (services/merge.py).
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, editable=False, on_delete=models.PROTECT, related_name="merged_charts"
    )

    history = HistoricalRecords(excluded_fields=["search_name", "phone_digits", "first_name_key", "last_name_key"])

    class Meta:
        ordering = ["legal_last_name", "legal_first_name"]
        permissions = [("merge_patient", "Can merge two charts of one person")]
        indexes = [
            # Registry search by name and the duplicate check (name + date of birth).
            models.Index(fields=["search_name"], name="patients_patient_search_name"),
            models.Index(fields=["date_of_birth"], name="patients_patient_dob"),
            # Registry search by phone and the duplicate check by phone.
            models.Index(fields=["phone_digits"], name="patients_patient_phone_digits"),
            # Registry default ordering.
            models.Index(fields=["legal_last_name", "legal_first_name", "id"], name="patients_patient_name_order"),
            # Near-duplicate check: a similar-sounding last (or first) name born on one of a few nearby dates.
            models.Index(fields=["last_name_key", "date_of_birth"], name="patients_patient_last_key_dob"),
            models.Index(fields=["first_name_key", "date_of_birth"], name="patients_patient_first_key_dob"),
            # Near-duplicate check: the same email address, whatever its case.
            models.Index(Lower("email"), name="patients_patient_email_lower"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(date_of_birth__gte=date(1900, 1, 1)),
                name="%(app_label)s_%(class)s_dob_plausible",
                violation_error_message="Date of birth must be after 1900.",
            ),
            # A merged chart names the chart it went into, is out of every list (entered in error) and
            # is not its own survivor; no other chart carries the merged status.
            models.CheckConstraint(
                condition=(
                    models.Q(merged_into__isnull=True) & ~models.Q(status=PatientStatus.MERGED)
                    | models.Q(merged_into__isnull=False, status=PatientStatus.MERGED)
                    & models.Q(entered_in_error_at__isnull=False)
                    & ~models.Q(merged_into=models.F("pk"))
                ),
                name="%(app_label)s_%(class)s_merged_into_another",
                violation_error_message="A merged chart names another chart it was merged into, and only it.",
            ),
        ]

    def __str__(self):
        return f"{self.display_name} ({self.mrn})"

    def ensure_mrn(self) -> None:
        """Give a new patient an MRN no other chart has."""
        if self.mrn:
            return
        candidate = generate_mrn()
        while Patient.objects.filter(mrn=candidate).exists():
            candidate = generate_mrn()
        self.mrn = candidate

    def save(self, *args, **kwargs):
        self.ensure_mrn()
        self.search_name = fold(f"{self.legal_last_name} {self.legal_first_name} {self.preferred_name}")
        self.phone_digits = digits(self.phone)
        self.first_name_key = name_key(self.legal_first_name)
        self.last_name_key = name_key(self.legal_last_name)
        super().save(*args, **kwargs)

    @property
    def display_name(self) -> str:
        first = self.preferred_name or self.legal_first_name
        return f"{first} {self.legal_last_name}"

    @property
    def legal_name(self) -> str:
        return f"{self.legal_first_name} {self.legal_last_name}"

    def age_on(self, day: date) -> int:
        born = self.date_of_birth
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))

    @property
    def age(self) -> int:
        return self.age_on(date.today())


class CareTeamMember(TimeStampedModel):
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="care_team")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="care_team_memberships")
    role = models.CharField(max_length=20, choices=CareTeamRole.choices, default=CareTeamRole.COUNSELOR)

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "user"],
                name="%(app_label)s_%(class)s_once_per_patient",
                violation_error_message="This staff member is already on the care team.",
            ),
        ]
        indexes = [
            # patients_visible_to(user): the patients on a clinician's care teams.
            models.Index(fields=["user", "patient"], name="patients_careteam_user"),
        ]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()}"


class Contact(ClinicalRecord):
    """Family member or other person in the patient's life."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="contacts")
    name = models.CharField(max_length=120)
    relationship = models.CharField(max_length=20, choices=Relationship.choices)
    phone = models.CharField(max_length=20, blank=True, validators=[validate_phone])
    email = models.EmailField(blank=True)
    takes_part_in_family_sessions = models.BooleanField(default=False)
    patient_consents_to_contact = models.BooleanField(
        default=False, help_text="The patient allows staff to contact this person."
    )
    is_emergency_contact = models.BooleanField(default=False)
    notes = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.get_relationship_display()})"


class PatientAlert(ClinicalRecord):
    """A flag on the chart header, e.g. the safety alert raised by PHQ-9 item 9.

    Alerts raised by a finding (patients/follow_up.py) carry the finding's key, so recording
    the same finding twice (a re-read drug test, a second save) raises one alert, not two.
    """

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="alerts")
    kind = models.CharField(max_length=20, choices=AlertKind.choices)
    severity = models.PositiveSmallIntegerField(choices=AlertSeverity.choices, default=AlertSeverity.HIGH)
    message = models.CharField(max_length=240)
    finding_key = models.CharField(max_length=120, blank=True, editable=False)
    raised_at = models.DateTimeField()
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    source_instrument = models.ForeignKey(
        "patients.InstrumentResponse", null=True, blank=True, on_delete=models.PROTECT, related_name="alerts"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolution = models.TextField(blank=True)
    resolution_risk_level = models.CharField(
        "Risk level after assessment", max_length=10, choices=RiskLevel.choices, blank=True
    )
    resolution_action = models.CharField("Action taken", max_length=20, choices=AlertAction.choices, blank=True)
    # Discharge with a safety alert still open needs a supervisor to acknowledge it by name.
    discharge_acknowledged_at = models.DateTimeField(null=True, blank=True, editable=False)
    discharge_acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, editable=False, on_delete=models.PROTECT, related_name="+"
    )
    discharge_acknowledgement = models.TextField(blank=True, editable=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["severity", "-raised_at"]
        permissions = [("acknowledge_patientalert", "Can acknowledge an open safety alert for discharge")]
        indexes = [
            # Chart header: a patient's open alerts.
            models.Index(fields=["patient", "resolved_at"], name="patients_alert_open"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(resolved_at__isnull=True) | ~models.Q(resolution=""),
                name="%(app_label)s_%(class)s_resolution_explained",
                violation_error_message="Say how the alert was resolved.",
            ),
            models.CheckConstraint(
                condition=models.Q(resolved_at__isnull=True)
                | ~models.Q(kind__in=sorted(ASSESSED_ALERT_KINDS))  # sorted: a set's order varies
                | (~models.Q(resolution_risk_level="") & ~models.Q(resolution_action="")),
                name="%(app_label)s_%(class)s_assessed_resolution",
                violation_error_message="Record the risk level after assessment and the action taken.",
            ),
            models.CheckConstraint(
                condition=models.Q(discharge_acknowledged_at__isnull=True)
                | models.Q(discharge_acknowledged_by__isnull=False) & ~models.Q(discharge_acknowledgement=""),
                name="%(app_label)s_%(class)s_acknowledgement_signed",
                violation_error_message="A discharge acknowledgement names the supervisor and says why.",
            ),
            models.UniqueConstraint(
                fields=["finding_key"],
                condition=~models.Q(finding_key="") & models.Q(entered_in_error_at__isnull=True),
                name="%(app_label)s_%(class)s_once_per_finding",
                violation_error_message="This finding has already raised an alert.",
            ),
        ]

    def mark_entered_in_error(self, *, by, reason: str) -> None:
        """A safety, withdrawal or overdose alert is taken back only by a supervisor (or director)."""
        if self.kind in ASSESSED_ALERT_KINDS and not by.has_role(Role.SUPERVISOR, Role.DIRECTOR):
            raise ValidationError("Only a supervisor or director can mark a safety alert entered in error.")
        super().mark_entered_in_error(by=by, reason=reason)

    @property
    def needs_assessment(self) -> bool:
        return self.kind in ASSESSED_ALERT_KINDS

    def __str__(self):
        return f"{self.get_kind_display()}: {self.message}"


class DuplicateOverride(TimeStampedModel):
    """A chart registered although the near-duplicate check listed possible matches: who, why, and which.

    The reason is what an admin reviews (Admin → Registered despite matches); a chart found later to be
    one of those matches is merged (services/merge.py), and this record stays with it.
    """

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="duplicate_overrides")
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    # [{"patient_id": 12, "mrn": "123456782", "reasons": ["same phone"]}, ...]: the matches as they were shown.
    candidates = models.JSONField(default=list)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(reason=""),
                name="%(app_label)s_%(class)s_reason_given",
                violation_error_message="Say why this is a different person.",
            ),
        ]

    def __str__(self):
        return f"Registered despite {len(self.candidates)} possible match(es): MRN {self.patient.mrn}"


class PatientMerge(TimeStampedModel):
    """Two charts of one person made one: which records moved from the merged chart to the survivor.

    ``moved`` and ``kept`` map a model ("scheduling.attendance") to the ids of its rows, so the move
    can be reviewed, and undone by hand, row by row; records with history also have a history row.
    """

    merged = models.OneToOneField(Patient, on_delete=models.PROTECT, related_name="merge_record")
    survivor = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="merges_received")
    merged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    moved = models.JSONField(default=dict)
    kept = models.JSONField(default=dict)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(merged=models.F("survivor")),
                name="%(app_label)s_%(class)s_two_charts",
                violation_error_message="A chart cannot be merged into itself.",
            ),
            models.CheckConstraint(
                condition=~models.Q(reason=""),
                name="%(app_label)s_%(class)s_reason_given",
                violation_error_message="Say why these two charts are one person.",
            ),
        ]
        indexes = [
            # A survivor's admin page: the charts merged into it.
            models.Index(fields=["survivor"], name="patients_merge_survivor"),
        ]

    def __str__(self):
        return f"MRN {self.merged.mrn} merged into MRN {self.survivor.mrn}"
