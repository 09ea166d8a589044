from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from iop.models import ClinicalRecord, ClinicalRecordQuerySet

from ..constants import ConsentKind, ConsentMethod


class ConsentQuerySet(ClinicalRecordQuerySet):
    def active(self, on=None):
        today = on or timezone.localdate()
        return self.filter(
            entered_in_error_at__isnull=True,
            revoked_at__isnull=True,
            granted_on__lte=today,
        ).filter(models.Q(expires_on__isnull=True) | models.Q(expires_on__gte=today))


class Consent(ClinicalRecord):
    """A patient's consent: to treatment, telehealth, reminders, or a Part 2 disclosure."""

    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="consents")
    kind = models.CharField(max_length=20, choices=ConsentKind.choices)
    method = models.CharField(max_length=12, choices=ConsentMethod.choices, default=ConsentMethod.SIGNED)
    witness = models.CharField(max_length=120, blank=True, help_text="Required for verbal consent.")
    granted_on = models.DateField(default=timezone.localdate)
    expires_on = models.DateField(null=True, blank=True)
    # 42 CFR §2.31: a disclosure consent names the recipient, the purpose and what may be disclosed.
    recipient = models.CharField(max_length=200, blank=True)
    purpose = models.CharField(max_length=200, blank=True)
    information_scope = models.TextField("What may be disclosed", blank=True)
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
                condition=~models.Q(kind=ConsentKind.PART2_DISCLOSURE)
                | (
                    ~models.Q(recipient="")
                    & ~models.Q(purpose="")
                    & ~models.Q(information_scope="")
                    & models.Q(expires_on__isnull=False)
                ),
                name="%(app_label)s_%(class)s_part2_complete",
                violation_error_message=(
                    "A 42 CFR Part 2 disclosure consent names the recipient, the purpose, "
                    "what may be disclosed and when it expires."
                ),
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
