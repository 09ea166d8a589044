"""A drug test from order to result, its result sets, and the patient's sobriety date.

Moved from patients (issue 15): every table keeps its name (``Meta.db_table``).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from iop.models import ClinicalRecord, MovedModelHistory

from ..constants import (
    COLLECTED_STATUSES,
    AnalyteOutcome,
    DrugTestStatus,
    ResultMethod,
    Specimen,
    SpecimenValidity,
    TestingMethod,
    TestReason,
)
from .configuration import Analyte, Panel
from .draws import RandomDraw


class DrugTest(ClinicalRecord):
    """A drug test from order to result: collection, specimen checks and the result sets."""

    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="drug_tests")
    episode = models.ForeignKey(
        "patients.Episode", null=True, blank=True, on_delete=models.PROTECT, related_name="drug_tests"
    )
    panel = models.ForeignKey(Panel, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=12, choices=TestReason.choices)
    specimen = models.CharField(max_length=12, choices=Specimen.choices, default=Specimen.URINE)
    method = models.CharField(
        "Testing", max_length=4, choices=TestingMethod.choices, default=TestingMethod.POINT_OF_CARE
    )
    observed = models.BooleanField("Observed collection", default=False)
    status = models.CharField(max_length=14, choices=DrugTestStatus.choices, default=DrugTestStatus.ORDERED)
    random_draw = models.ForeignKey(
        RandomDraw, null=True, blank=True, on_delete=models.PROTECT, related_name="orders", editable=False
    )
    ordered_at = models.DateTimeField(default=timezone.now)
    ordered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="Empty for orders made by the daily random draw.",
    )  # fmt: skip
    collected_at = models.DateTimeField(null=True, blank=True)
    collector = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    temperature_in_range = models.BooleanField(
        null=True, blank=True, help_text="Urine temperature 32–38 °C within 4 minutes of voiding."
    )
    # What the collector measured (testing/validity.py turns it into the validity; not picked by hand).
    temperature_c = models.DecimalField(
        "Temperature (°C)", max_digits=3, decimal_places=1, null=True, blank=True,
        help_text="Read within 4 minutes of voiding; 32–38 °C is in range.",
    )  # fmt: skip
    creatinine_mg_dl = models.DecimalField("Creatinine (mg/dL)", max_digits=6, decimal_places=2, null=True, blank=True)
    specific_gravity = models.DecimalField(max_digits=5, decimal_places=4, null=True, blank=True)
    ph = models.DecimalField("pH", max_digits=4, decimal_places=2, null=True, blank=True)
    nitrite_mcg_ml = models.DecimalField("Nitrite (mcg/mL)", max_digits=7, decimal_places=1, null=True, blank=True)
    oxidant_detected = models.BooleanField("Oxidizing adulterant detected", null=True, blank=True)
    validity = models.CharField(max_length=12, choices=SpecimenValidity.choices, blank=True)
    validity_reasons = models.CharField(max_length=300, blank=True, editable=False)
    sent_at = models.DateTimeField(null=True, blank=True)
    lab_name = models.CharField(max_length=120, blank=True)
    resulted_at = models.DateTimeField(null=True, blank=True)
    not_collected_reason = models.CharField(max_length=200, blank=True)
    # Interpretation against the medication list active on the collection date; written
    # by patients.drug_testing.drug_test_interpret, never by hand.
    findings = models.JSONField(default=list, blank=True, editable=False)
    flag_count = models.PositiveSmallIntegerField(default=0, editable=False)
    notes = models.TextField(blank=True)

    history = MovedModelHistory(moved_from="patients")

    class Meta:
        db_table = "patients_drugtest"
        ordering = ["-ordered_at"]
        indexes = [
            # Chart "Drug tests": a patient's tests in time order.
            models.Index(fields=["patient", "ordered_at"], name="patients_drugtest_timeline"),
            # Program "Pending results" (collected or sent, oldest first) and the collection list.
            models.Index(
                fields=["status", "collected_at"],
                name="patients_drugtest_pending",
                condition=models.Q(status__in=["ordered", "collected", "sent"]),
            ),
            # Random draw gap rule: each patient's latest collection.
            models.Index(fields=["patient", "collected_at"], name="patients_drugtest_last_collect"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=[DrugTestStatus.ORDERED, DrugTestStatus.NOT_COLLECTED])
                | models.Q(collected_at__isnull=False, collector__isnull=False) & ~models.Q(validity=""),
                name="%(app_label)s_%(class)s_collection_recorded",
                violation_error_message="A collected specimen has its collector, collection time and validity.",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=DrugTestStatus.SENT) | models.Q(sent_at__isnull=False),
                name="%(app_label)s_%(class)s_sent_dated",
                violation_error_message="A specimen sent to the lab has the date it was sent.",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=DrugTestStatus.RESULTED) | models.Q(resulted_at__isnull=False),
                name="%(app_label)s_%(class)s_result_dated",
                violation_error_message="A resulted test has the time of its result.",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=DrugTestStatus.NOT_COLLECTED) | ~models.Q(not_collected_reason=""),
                name="%(app_label)s_%(class)s_missed_has_reason",
                violation_error_message="Say why the specimen was not collected.",
            ),
            models.CheckConstraint(
                condition=models.Q(collected_at__isnull=True) | models.Q(collected_at__gte=models.F("ordered_at")),
                name="%(app_label)s_%(class)s_collected_after_order",
                violation_error_message="Collection cannot come before the order.",
            ),
            models.CheckConstraint(
                condition=(models.Q(temperature_c__isnull=True) | models.Q(temperature_c__gte=0, temperature_c__lte=50))
                & (
                    models.Q(specific_gravity__isnull=True)
                    | models.Q(specific_gravity__gte=0.99, specific_gravity__lte=1.1)
                )
                & (models.Q(ph__isnull=True) | models.Q(ph__gte=0, ph__lte=14))
                & (models.Q(creatinine_mg_dl__isnull=True) | models.Q(creatinine_mg_dl__gte=0))
                & (models.Q(nitrite_mcg_ml__isnull=True) | models.Q(nitrite_mcg_ml__gte=0)),
                name="%(app_label)s_%(class)s_checks_plausible",
                violation_error_message="A specimen check is outside what any specimen can show; check the number.",
            ),
        ]

    def __str__(self):
        when = self.collected_at or self.ordered_at
        return f"{self.get_specimen_display()} test {timezone.localtime(when):%Y-%m-%d} ({self.get_status_display()})"

    @property
    def is_collected(self) -> bool:
        return self.status in COLLECTED_STATUSES

    @property
    def draw_reason(self) -> str:
        """Why the random draw chose this patient ("random" or "gap"), for the collection list."""
        if self.random_draw is None:
            return ""
        return self.random_draw.drawn.get(str(self.patient_id), "")

    @property
    def flagged_findings(self) -> list[dict]:
        return [finding for finding in self.findings if finding.get("flagged")]


class DrugTestResultSet(ClinicalRecord):
    """One set of results for a specimen: presumptive (immunoassay) or definitive (LC-MS/MS) confirmation."""

    drug_test = models.ForeignKey(DrugTest, on_delete=models.PROTECT, related_name="result_sets")
    method = models.CharField(max_length=12, choices=ResultMethod.choices)
    resulted_at = models.DateTimeField(default=timezone.now)
    lab_name = models.CharField(max_length=120, blank=True)
    accession_number = models.CharField(max_length=60, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    history = MovedModelHistory(moved_from="patients")

    class Meta:
        db_table = "patients_drugtestresultset"
        ordering = ["resulted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["drug_test", "method"],
                condition=models.Q(entered_in_error_at__isnull=True),
                name="%(app_label)s_%(class)s_one_per_method",
                violation_error_message="This specimen already has a result of that kind.",
            ),
        ]

    def __str__(self):
        return f"{self.get_method_display()} result {timezone.localtime(self.resulted_at):%Y-%m-%d}"


class AnalyteResult(ClinicalRecord):
    result_set = models.ForeignKey(DrugTestResultSet, on_delete=models.PROTECT, related_name="analyte_results")
    analyte = models.ForeignKey(Analyte, on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(max_length=10, choices=AnalyteOutcome.choices)
    level = models.DecimalField(max_digits=10, decimal_places=3, null=True, blank=True)
    cutoff = models.DecimalField(max_digits=10, decimal_places=3, help_text="The cutoff in force when tested.")

    history = MovedModelHistory(moved_from="patients")

    class Meta:
        db_table = "patients_analyteresult"
        ordering = ["analyte__display_order", "analyte__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["result_set", "analyte"],
                name="%(app_label)s_%(class)s_once_per_set",
                violation_error_message="This analyte already has a result in this set.",
            ),
            models.CheckConstraint(
                condition=models.Q(level__isnull=True) | models.Q(level__gte=0),
                name="%(app_label)s_%(class)s_level_not_negative",
                violation_error_message="A level cannot be negative.",
            ),
        ]

    def __str__(self):
        return f"{self.analyte}: {self.get_outcome_display()}"


class SobrietyDate(ClinicalRecord):
    """The patient's sobriety date; every reset is kept in its history with the reason."""

    patient = models.OneToOneField("patients.Patient", on_delete=models.PROTECT, related_name="sobriety_date")
    sober_since = models.DateField()
    reason = models.CharField(max_length=200, help_text="Why it was set or reset (e.g. reported use on 3/2).")
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    history = MovedModelHistory(moved_from="patients")

    class Meta:
        db_table = "patients_sobrietydate"

    def __str__(self):
        return f"Sober since {self.sober_since:%Y-%m-%d}"

    def days_on(self, day) -> int:
        return (day - self.sober_since).days
