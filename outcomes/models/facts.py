"""The outcome facts: small derived tables the outcomes page reads instead of the raw chart tables.

One writer keeps them current: ``outcomes.services.facts``, called in the same transaction by the
services that admit, discharge, record attendance, results, instruments, check-ins and outcome
measures (through ``iop.hooks``), and by corrections (entered in error). ``manage.py
outcomes_rebuild`` recounts them from scratch; a test holds the two equal after random writes.

Dates used in arithmetic are also kept as day numbers (``date.toordinal()``), so the page's sums
of days and weeks run the same on PostgreSQL and on the SQLite file of ``make run``.
"""

from django.db import models

from ..constants import CheckinStatus


def _checkin_field(days: int):
    return models.CharField(
        f"{days}-day check-in", max_length=12, choices=CheckinStatus.choices, blank=True, default=""
    )


class EpisodeFact(models.Model):
    """One episode of care as the outcomes count it: dates, discharge, measures, scores, aftercare."""

    episode = models.OneToOneField(
        "patients.Episode", primary_key=True, on_delete=models.CASCADE, related_name="outcome_fact"
    )
    patient = models.ForeignKey("patients.Patient", on_delete=models.CASCADE, related_name="+")
    program = models.ForeignKey("programs.Program", on_delete=models.CASCADE, related_name="+")
    admitted_on = models.DateField()
    admitted_day = models.IntegerField()
    discharged_on = models.DateField(null=True)
    discharged_day = models.IntegerField(null=True)
    referral_date = models.DateField(null=True)
    days_waiting = models.IntegerField(null=True, help_text="Referral to admission, in days.")
    discharge_type = models.CharField(max_length=16, blank=True)
    completed = models.BooleanField(default=False, help_text="Completed the program or stepped down as planned.")
    length_of_stay = models.IntegerField(null=True, help_text="Days from admission to discharge.")
    target_weekly_minutes = models.IntegerField()
    # Mondays (day numbers) of the first and last calendar weeks the episode spans from Monday to
    # Sunday; the last is empty while the episode is active.
    first_full_week_day = models.IntegerField()
    last_full_week_day = models.IntegerField(null=True)
    # National Outcome Measures at admission and discharge (empty when not recorded).
    admission_measured = models.BooleanField(default=False)
    admission_working = models.BooleanField(null=True)
    admission_housed = models.BooleanField(null=True)
    admission_no_arrests = models.BooleanField(null=True)
    admission_self_help = models.BooleanField(null=True)
    admission_use_days = models.IntegerField(null=True)
    discharge_measured = models.BooleanField(default=False)
    discharge_working = models.BooleanField(null=True)
    discharge_housed = models.BooleanField(null=True)
    discharge_no_arrests = models.BooleanField(null=True)
    discharge_self_help = models.BooleanField(null=True)
    discharge_use_days = models.IntegerField(null=True)
    # First and latest scores of the episode; the latest only when it is a later administration.
    phq9_first = models.IntegerField(null=True)
    phq9_latest = models.IntegerField(null=True)
    gad7_first = models.IntegerField(null=True)
    gad7_latest = models.IntegerField(null=True)
    bam_use_first = models.IntegerField(null=True)
    bam_use_latest = models.IntegerField(null=True)
    bam_risk_first = models.IntegerField(null=True)
    bam_risk_latest = models.IntegerField(null=True)
    bam_protective_first = models.IntegerField(null=True)
    bam_protective_latest = models.IntegerField(null=True)
    readmitted_after_days = models.IntegerField(null=True, help_text="Days from discharge to the next admission.")
    checkin_7 = _checkin_field(7)
    checkin_30 = _checkin_field(30)
    checkin_90 = _checkin_field(90)
    checkin_180 = _checkin_field(180)

    class Meta:
        permissions = [("view_outcomes", "Can see program outcomes and the patients behind each figure")]
        indexes = [
            # Outcomes page: admissions of the programs in a period (and the census before it).
            models.Index(fields=["program", "admitted_on"], name="outcomes_epfact_admitted"),
            # Outcomes page: discharges of the programs in a period (discharge cohort, census).
            models.Index(fields=["program", "discharged_on"], name="outcomes_epfact_discharged"),
        ]

    def __str__(self):
        return f"Facts of episode {self.episode_id}"


class AttendanceWeekFact(models.Model):
    """One patient's attendance in one calendar week of an episode (weeks with attendance recorded)."""

    episode = models.ForeignKey("patients.Episode", on_delete=models.CASCADE, related_name="+")
    patient = models.ForeignKey("patients.Patient", on_delete=models.CASCADE, related_name="+")
    program = models.ForeignKey("programs.Program", on_delete=models.CASCADE, related_name="+")
    week_start = models.DateField()
    # Countable IOP minutes (scheduling.constants.IOP_COUNTABLE_KINDS), breaks excluded.
    minutes = models.IntegerField()
    sessions_recorded = models.IntegerField()
    sessions_attended = models.IntegerField()
    # Days with 3 hours or more of countable service (HCPCS H0015 / S9480 per diem).
    billable_days = models.IntegerField()
    # The episode spans the whole week, Monday to Sunday (first and discharge weeks are partial).
    whole_week = models.BooleanField()
    # Countable hours inside the half-open band of the level in effect that Monday (9 <= h < 20 for
    # adult IOP: ASAM 2.1 / SAMHSA TIP 47; programs.Program.weekly_hours_band_for).
    in_band = models.BooleanField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["episode", "week_start"], name="%(app_label)s_%(class)s_once_per_week"),
        ]
        indexes = [
            # Outcomes page: the programs' patient-weeks in a period (engagement figures).
            models.Index(fields=["program", "week_start"], name="outcomes_attendweek_program"),
        ]

    def __str__(self):
        return f"Episode {self.episode_id}, week of {self.week_start:%Y-%m-%d}"


class DrugTestFact(models.Model):
    """One resulted drug test of an episode: its week of treatment and whether it was negative."""

    drug_test = models.OneToOneField(
        "testing.DrugTest", primary_key=True, on_delete=models.CASCADE, related_name="outcome_fact"
    )
    episode = models.ForeignKey("patients.Episode", on_delete=models.CASCADE, related_name="+")
    patient = models.ForeignKey("patients.Patient", on_delete=models.CASCADE, related_name="+")
    program = models.ForeignKey("programs.Program", on_delete=models.CASCADE, related_name="+")
    day = models.DateField(help_text="Collection day (clinic time).")
    treatment_week = models.IntegerField(help_text="Week 1 is the admission day and the six days after it.")
    negative = models.BooleanField()

    class Meta:
        indexes = [
            # Outcomes page: the programs' tests collected in a period, by week of treatment.
            models.Index(fields=["program", "day"], name="outcomes_testfact_program_day"),
        ]

    def __str__(self):
        return f"Drug test {self.drug_test_id} ({'negative' if self.negative else 'not negative'})"


class IntakeFact(models.Model):
    """One referral (intake): when it came, and the program it led to, if any."""

    intake = models.OneToOneField(
        "patients.Intake", primary_key=True, on_delete=models.CASCADE, related_name="outcome_fact"
    )
    patient = models.ForeignKey("patients.Patient", on_delete=models.CASCADE, related_name="+")
    referral_date = models.DateField()
    status = models.CharField(max_length=20)
    program = models.ForeignKey("programs.Program", null=True, on_delete=models.CASCADE, related_name="+")

    class Meta:
        indexes = [
            # Outcomes page: referrals in a period.
            models.Index(fields=["referral_date"], name="outcomes_intakefact_referral"),
        ]

    def __str__(self):
        return f"Referral {self.intake_id} on {self.referral_date:%Y-%m-%d}"
