"""What the outcomes need captured: the National Outcome Measures at each point, and what TEDS asks once."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from iop.models import ClinicalRecord
from patients.constants import Route, Substance

from ..constants import (
    ARRESTS_MAX,
    DAYS_IN_30,
    PRIOR_EPISODES_MAX,
    SELF_HELP_TIMES_MAX,
    Education,
    Employment,
    Ethnicity,
    HealthInsurance,
    LivingArrangement,
    MaritalStatus,
    MeasurePoint,
    NotInLaborForce,
    PrimaryPayer,
    Race,
)


class OutcomeMeasures(ClinicalRecord):
    """The National Outcome Measures asked at admission, at discharge or at a 30/90/180-day check-in.

    Each answer is about the past 30 days (SAMHSA NOMs; TEDS EMPLOY, DETNLF, LIVARAG, ARRESTS,
    FREQ1–3 and FREQ_ATND_SELF_HELP at admission and discharge).
    """

    episode = models.ForeignKey("patients.Episode", on_delete=models.PROTECT, related_name="outcome_measures")
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="outcome_measures")
    point = models.CharField(max_length=16, choices=MeasurePoint.choices)
    checkin = models.ForeignKey(
        "aftercare.AlumniCheckIn", null=True, blank=True, on_delete=models.PROTECT, related_name="outcome_measures"
    )
    asked_on = models.DateField(default=timezone.localdate)
    employment = models.CharField("Work", max_length=20, choices=Employment.choices)
    not_in_labor_force = models.CharField(
        "Why not looking for work", max_length=20, choices=NotInLaborForce.choices, blank=True
    )
    in_school = models.BooleanField("In school or job training", default=False)
    living_arrangement = models.CharField("Where they live", max_length=12, choices=LivingArrangement.choices)
    arrests = models.PositiveSmallIntegerField("Arrests in the past 30 days")
    self_help_times = models.PositiveSmallIntegerField(
        "Self-help or peer-support meetings attended in the past 30 days (AA, NA, SMART Recovery, others)"
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    history = HistoricalRecords()

    class Meta:
        ordering = ["episode", "asked_on"]
        verbose_name = "outcome measures"
        verbose_name_plural = "outcome measures"
        constraints = [
            models.UniqueConstraint(
                fields=["episode", "point"],
                condition=models.Q(entered_in_error_at__isnull=True),
                name="%(app_label)s_%(class)s_once_per_point",
                violation_error_message="The measures at this point are already recorded; edit them instead.",
            ),
            models.CheckConstraint(
                condition=models.Q(employment=Employment.NOT_IN_LABOR_FORCE, not_in_labor_force__gt="")
                | ~models.Q(employment=Employment.NOT_IN_LABOR_FORCE) & models.Q(not_in_labor_force=""),
                name="%(app_label)s_%(class)s_labor_force_detail",
                violation_error_message="Say why someone not looking for work is not, and only then.",
            ),
            models.CheckConstraint(
                condition=models.Q(arrests__lte=ARRESTS_MAX, self_help_times__lte=SELF_HELP_TIMES_MAX),
                name="%(app_label)s_%(class)s_counts_plausible",
                violation_error_message="Arrests run from 0 to 30, meetings from 0 to 200 in 30 days.",
            ),
            models.CheckConstraint(
                condition=models.Q(checkin__isnull=True, point__in=[MeasurePoint.ADMISSION, MeasurePoint.DISCHARGE])
                | models.Q(
                    checkin__isnull=False,
                    point__in=[MeasurePoint.FOLLOW_UP_30, MeasurePoint.FOLLOW_UP_90, MeasurePoint.FOLLOW_UP_180],
                ),
                name="%(app_label)s_%(class)s_follow_up_has_checkin",
                violation_error_message="Measures at a check-in belong to that check-in; admission and discharge "
                "ones to none.",
            ),
        ]

    def __str__(self):
        return f"{self.get_point_display()} measures ({self.asked_on:%Y-%m-%d})"

    @property
    def working_or_in_school(self) -> bool:
        """NOM employment/education: employed (full or part time) or in school or job training."""
        return (
            self.employment in (Employment.FULL_TIME, Employment.PART_TIME)
            or self.in_school
            or (self.not_in_labor_force == NotInLaborForce.STUDENT)
        )


class SubstanceDays(ClinicalRecord):
    """One substance at a measures point: days of use in the past 30 (NOM abstinence; TEDS FREQ1–3).

    At admission it also carries what TEDS asks of the primary, secondary and tertiary substances:
    the rank, the usual route (ROUTE1–3) and the age at first use (FRSTUSE1–3).
    """

    measures = models.ForeignKey(OutcomeMeasures, on_delete=models.PROTECT, related_name="substance_days")
    substance = models.CharField(max_length=20, choices=Substance.choices)
    days = models.PositiveSmallIntegerField("Days used in the past 30")
    rank = models.PositiveSmallIntegerField(
        "TEDS rank", null=True, blank=True, help_text="1 primary, 2 secondary, 3 tertiary (at admission)."
    )
    route = models.CharField("Usual route", max_length=12, choices=Route.choices, blank=True)
    first_use_age = models.PositiveSmallIntegerField("Age at first use", null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["measures", "rank", "substance"]
        verbose_name_plural = "substance days"
        constraints = [
            models.UniqueConstraint(
                fields=["measures", "substance"],
                condition=models.Q(entered_in_error_at__isnull=True),
                name="%(app_label)s_%(class)s_once_per_substance",
                violation_error_message="This substance already has its days of use.",
            ),
            models.UniqueConstraint(
                fields=["measures", "rank"],
                condition=models.Q(entered_in_error_at__isnull=True, rank__isnull=False),
                name="%(app_label)s_%(class)s_one_per_rank",
                violation_error_message="Only one substance is primary, one secondary and one tertiary.",
            ),
            models.CheckConstraint(
                condition=models.Q(days__lte=DAYS_IN_30),
                name="%(app_label)s_%(class)s_days_in_30",
                violation_error_message="Days of use in the past 30 run from 0 to 30.",
            ),
            models.CheckConstraint(
                condition=models.Q(rank__isnull=True) | models.Q(rank__gte=1, rank__lte=3),
                name="%(app_label)s_%(class)s_rank_1_to_3",
                violation_error_message="The rank is 1 (primary), 2 (secondary) or 3 (tertiary).",
            ),
            models.CheckConstraint(
                condition=models.Q(first_use_age__isnull=True) | models.Q(first_use_age__gte=1, first_use_age__lte=110),
                name="%(app_label)s_%(class)s_age_plausible",
                violation_error_message="Age at first use must be between 1 and 110.",
            ),
        ]

    def __str__(self):
        return f"{self.get_substance_display()}: {self.days} of 30 days"


class AdmissionProfile(ClinicalRecord):
    """What TEDS asks once per admission besides the outcome measures (its Minimum Data Set)."""

    episode = models.OneToOneField("patients.Episode", on_delete=models.PROTECT, related_name="admission_profile")
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="admission_profiles")
    race = models.CharField(max_length=20, choices=Race.choices)
    ethnicity = models.CharField("Hispanic or Latino origin", max_length=24, choices=Ethnicity.choices)
    marital_status = models.CharField(max_length=20, choices=MaritalStatus.choices)
    education = models.CharField("Highest school finished", max_length=20, choices=Education.choices)
    veteran = models.BooleanField("Served in the US armed forces")
    pregnant = models.BooleanField("Pregnant at admission", null=True, blank=True, help_text="Asked of women only.")
    prior_episodes = models.PositiveSmallIntegerField(
        "Earlier substance use treatment episodes, anywhere", help_text="5 means five or more."
    )
    medication_planned = models.BooleanField(
        "Medication for opioid use disorder planned (methadone, buprenorphine, naltrexone)"
    )
    co_occurring = models.BooleanField("A mental health problem besides substance use")
    health_insurance = models.CharField(max_length=20, choices=HealthInsurance.choices)
    primary_payer = models.CharField("Who pays most of this treatment", max_length=20, choices=PrimaryPayer.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(prior_episodes__lte=PRIOR_EPISODES_MAX),
                name="%(app_label)s_%(class)s_prior_episodes_capped",
                violation_error_message="Earlier episodes run from 0 to 5 (five or more).",
            ),
        ]

    def __str__(self):
        return f"Admission profile of {self.episode}"
