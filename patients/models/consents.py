import uuid
from functools import reduce
from operator import or_
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from audit.constants import DisclosureSection
from iop.models import ClinicalRecord, ClinicalRecordQuerySet

from ..constants import (
    CONSENT_DOCUMENT_EXTENSIONS,
    CONSENT_DOCUMENT_MAX_BYTES,
    ConsentKind,
    ConsentMethod,
)

# The column that records whether a Part 2 consent allows each section of a disclosure packet.
SECTION_FIELDS = {code: f"allows_{code}" for code in DisclosureSection.values}

# What a file's first bytes must be for its extension: a renamed executable is not a scan.
FILE_SIGNATURES = {
    "pdf": (b"%PDF-",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
}


def consent_document_path(instance, filename: str) -> str:
    """consents/<patient id>/<random>.<ext>: no name in the path, nothing to guess, the upload's name dropped."""
    return f"consents/{instance.patient_id}/{uuid.uuid4().hex}{PurePath(filename).suffix.lower()}"


def validate_consent_document(value) -> None:
    """A new upload is a PDF, JPEG or PNG by its contents, not only its name, and not too large."""
    if getattr(value, "_committed", False):
        return  # already in storage: checked when it was attached
    limit_mb = CONSENT_DOCUMENT_MAX_BYTES // (1024 * 1024)
    if value.size > CONSENT_DOCUMENT_MAX_BYTES:
        raise ValidationError(f"The signed copy is larger than {limit_mb} MB: scan it at a lower resolution.")
    extension = PurePath(value.name).suffix.lower().lstrip(".")
    value.seek(0)
    head = value.read(8)
    value.seek(0)
    if not head.startswith(FILE_SIGNATURES.get(extension, ())):
        raise ValidationError(
            "This file is not the PDF, JPEG or PNG its name says. Attach the scan of the signed paper."
        )


class ConsentQuerySet(ClinicalRecordQuerySet):
    def active(self, on=None):
        today = on or timezone.localdate()
        return self.filter(
            entered_in_error_at__isnull=True,
            revoked_at__isnull=True,
            granted_on__lte=today,
        ).filter(models.Q(expires_on__isnull=True) | models.Q(expires_on__gte=today))


PART2 = models.Q(kind=ConsentKind.PART2_DISCLOSURE)
UNCONFIRMED = models.Q(sections_confirmed_at__isnull=True)
ANY_SECTION = reduce(or_, (models.Q(**{field: True}) for field in SECTION_FIELDS.values()))
NO_SECTION = models.Q(**dict.fromkeys(SECTION_FIELDS.values(), False))
SIGNED_ON_SCREEN = (
    models.Q(method=ConsentMethod.ELECTRONIC) & ~models.Q(signature_name="") & models.Q(signed_at__isnull=False)
)


class Consent(ClinicalRecord):
    """A patient's consent: to treatment, telehealth, reminders, or a Part 2 disclosure.

    A Part 2 disclosure consent allows sections of the record by structure (one column per
    section a disclosure packet can carry); the patient's own words are kept beside them as
    text and decide nothing. A consent recorded before the sections existed allows none
    until a person confirms which ones the patient agreed to.
    """

    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="consents")
    kind = models.CharField(max_length=20, choices=ConsentKind.choices)
    method = models.CharField(max_length=12, choices=ConsentMethod.choices, default=ConsentMethod.SIGNED)
    witness = models.CharField(max_length=120, blank=True, help_text="Required for verbal consent.")
    granted_on = models.DateField(default=timezone.localdate)
    expires_on = models.DateField(null=True, blank=True)
    # 42 CFR §2.31(a): who may disclose, to whom, why, how much and what kind, until when, and the
    # right to revoke; signed by the patient (on paper and attached here, or on screen) and dated.
    disclosing_program = models.CharField(
        "Who may disclose",
        max_length=200,
        blank=True,
        help_text="Part 2 disclosures: the program the patient allows to disclose, as the consent names it.",
    )
    recipient = models.CharField(max_length=200, blank=True)
    purpose = models.CharField(max_length=200, blank=True)
    information_scope = models.TextField(
        "In the patient's words",
        blank=True,
        help_text="What the patient said may be disclosed, kept as written. Only the sections ticked decide.",
    )
    allows_demographics = models.BooleanField(DisclosureSection.DEMOGRAPHICS.label, default=False, editable=False)
    allows_episodes = models.BooleanField(DisclosureSection.EPISODES.label, default=False, editable=False)
    allows_diagnoses = models.BooleanField(DisclosureSection.DIAGNOSES.label, default=False, editable=False)
    allows_substance_use = models.BooleanField(DisclosureSection.SUBSTANCE_USE.label, default=False, editable=False)
    allows_assessments = models.BooleanField(DisclosureSection.ASSESSMENTS.label, default=False, editable=False)
    allows_insurance = models.BooleanField(DisclosureSection.INSURANCE.label, default=False, editable=False)
    sections_confirmed_at = models.DateTimeField(null=True, blank=True, editable=False)
    sections_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, editable=False, on_delete=models.PROTECT, related_name="+"
    )
    revocation_right_stated = models.BooleanField(
        "The consent states the right to revoke it",
        default=False,
        help_text="Part 2 disclosures: the patient was told, in the consent they signed, how to revoke it.",
    )
    document = models.FileField(
        "Signed copy",
        upload_to=consent_document_path,
        max_length=200,
        blank=True,
        validators=[FileExtensionValidator(CONSENT_DOCUMENT_EXTENSIONS), validate_consent_document],
        help_text="Signed on paper: the scan of the signed consent (PDF, JPEG or PNG).",
    )
    signature_name = models.CharField("Signed on screen as", max_length=200, blank=True, editable=False)
    signed_at = models.DateTimeField("Signed on screen at", null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revocation_reason = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    objects = ConsentQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["kind", "-granted_on"]
        indexes = [
            # "Does this patient consent to X today?" (reminders, telehealth, disclosures).
            models.Index(fields=["patient", "kind"], name="patients_consent_kind"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~PART2
                | (~models.Q(recipient="") & ~models.Q(purpose="") & models.Q(expires_on__isnull=False)),
                name="%(app_label)s_%(class)s_part2_complete",
                violation_error_message=(
                    "A 42 CFR Part 2 disclosure consent names the recipient, the purpose and when it expires."
                ),
            ),
            # Sections are allowed only by a Part 2 consent, and only once a named person recorded
            # which ones the patient agreed to; until then (consents from before issue 12) none.
            models.CheckConstraint(
                condition=(UNCONFIRMED & models.Q(sections_confirmed_by__isnull=True) & NO_SECTION)
                | (PART2 & ~UNCONFIRMED & models.Q(sections_confirmed_by__isnull=False) & ANY_SECTION),
                name="%(app_label)s_%(class)s_sections_confirmed",
                violation_error_message=(
                    "Only a 42 CFR Part 2 consent allows sections of the record: at least one, "
                    "recorded by a named person."
                ),
            ),
            models.CheckConstraint(
                condition=~PART2
                | UNCONFIRMED
                | (~models.Q(method=ConsentMethod.VERBAL) & (~models.Q(document="") | SIGNED_ON_SCREEN)),
                name="%(app_label)s_%(class)s_part2_written",
                violation_error_message=(
                    "A 42 CFR Part 2 disclosure consent is written: attach the signed paper, "
                    "or have the patient sign on screen. Verbal consent is not enough."
                ),
            ),
            models.CheckConstraint(
                condition=~PART2 | UNCONFIRMED | ~models.Q(disclosing_program=""),
                name="%(app_label)s_%(class)s_part2_names_discloser",
                violation_error_message="A 42 CFR Part 2 disclosure consent names the program that may disclose.",
            ),
            models.CheckConstraint(
                condition=~PART2 | UNCONFIRMED | models.Q(revocation_right_stated=True),
                name="%(app_label)s_%(class)s_part2_states_revocation",
                violation_error_message="A 42 CFR Part 2 disclosure consent states the patient's right to revoke it.",
            ),
            models.CheckConstraint(
                condition=(models.Q(signature_name="") & models.Q(signed_at__isnull=True)) | SIGNED_ON_SCREEN,
                name="%(app_label)s_%(class)s_screen_signature_complete",
                violation_error_message="A signature on screen has the typed name and the time it was signed.",
            ),
            models.CheckConstraint(
                condition=~models.Q(method=ConsentMethod.VERBAL) | ~models.Q(witness=""),
                name="%(app_label)s_%(class)s_verbal_witnessed",
                violation_error_message="A verbal consent needs the name of the witness.",
            ),
            models.CheckConstraint(
                condition=models.Q(expires_on__isnull=True) | models.Q(expires_on__gte=models.F("granted_on")),
                name="%(app_label)s_%(class)s_dates_ordered",
                violation_error_message="A consent cannot expire before it is granted.",
            ),
            models.CheckConstraint(
                condition=models.Q(revoked_at__isnull=True) | ~models.Q(revocation_reason=""),
                name="%(app_label)s_%(class)s_revocation_explained",
                violation_error_message="Record how the patient revoked the consent.",
            ),
        ]

    def __str__(self):
        return self.get_kind_display()

    def clean(self):
        super().clean()
        if self._state.adding and self.kind == ConsentKind.PART2_DISCLOSURE and self.method == ConsentMethod.VERBAL:
            raise ValidationError(
                {
                    "method": "A 42 CFR Part 2 disclosure consent must be written (§2.31): signed on paper "
                    "and attached, or signed on screen. Verbal consent is not accepted."
                }
            )

    def is_active_on(self, day) -> bool:
        return (
            self.entered_in_error_at is None
            and self.revoked_at is None
            and self.granted_on <= day
            and (self.expires_on is None or self.expires_on >= day)
        )

    @property
    def is_active(self) -> bool:
        return self.is_active_on(timezone.localdate())

    @property
    def is_part2(self) -> bool:
        return self.kind == ConsentKind.PART2_DISCLOSURE

    @property
    def allowed_sections(self) -> list[str]:
        """The packet sections this consent allows, in packet order; none until confirmed."""
        return [code for code, field in SECTION_FIELDS.items() if getattr(self, field)]

    @property
    def allowed_section_labels(self) -> list[str]:
        return [DisclosureSection(code).label for code in self.allowed_sections]

    @property
    def needs_section_confirmation(self) -> bool:
        """A Part 2 consent recorded before sections were structured: it allows nothing until a person confirms."""
        return self.is_part2 and self.sections_confirmed_at is None

    @property
    def signed_on_screen(self) -> bool:
        return bool(self.signature_name)
