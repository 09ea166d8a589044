"""TEDS admission (TEDS-A) and discharge (TEDS-D) records of a period, and what is wrong with each.

Every record is built from the chart, the TEDS admission profile and the outcome measures, coded as
``outcomes.constants.TEDS_CODES`` says. A record with a missing or inconsistent field carries an
issue naming the field, what is wrong and the form that fixes it; the export refuses such records
unless the user chooses to leave them out.
"""

from dataclasses import dataclass, field

from django.db.models import Prefetch, Q
from django.urls import reverse

from aftercare.models import Discharge
from patients.constants import EpisodeStatus, SexAtBirth, Substance
from patients.models import Episode, LevelOfCareChange

from ..constants import (
    PRIOR_EPISODES_MAX,
    TEDS_ADMISSION_LAYOUT,
    TEDS_CODES,
    TEDS_DISCHARGE_LAYOUT,
    TEDS_MISSING,
    TEDS_NO,
    TEDS_NO_SUBSTANCE,
    TEDS_SERVICE_SETTING,
    TEDS_YES,
    MeasurePoint,
    teds_arrests,
    teds_first_use,
    teds_frequency,
    teds_self_help,
)
from ..models import AdmissionProfile, OutcomeMeasures, ProgramReporting, SubstanceDays, TedsClient
from .periods import Period

PROFILE_CODES = (
    ("RACE", "race"),
    ("ETHNIC", "ethnicity"),
    ("MARSTAT", "marital_status"),
    ("EDUC", "education"),
    ("HLTHINS", "health_insurance"),
    ("PRIMPAY", "primary_payer"),
)
RANK_NAMES = {1: "primary", 2: "secondary", 3: "tertiary"}
SUBSTANCE_LABELS = dict(Substance.choices)


@dataclass(frozen=True)
class Issue:
    field: str
    message: str
    fix_url: str
    fix_label: str


@dataclass
class TedsRecord:
    kind: str  # "A" or "D"
    episode: Episode
    values: dict = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)

    @property
    def patient(self):
        return self.episode.patient

    @property
    def is_valid(self) -> bool:
        return not self.issues

    @property
    def date(self):
        return self.episode.admitted_on if self.kind == "A" else self.episode.discharged_on

    @property
    def label(self) -> str:
        return "Admission" if self.kind == "A" else "Discharge"


@dataclass
class TedsReport:
    period: Period
    admissions: list[TedsRecord]
    discharges: list[TedsRecord]

    @property
    def records(self) -> list[TedsRecord]:
        return self.admissions + self.discharges

    @property
    def invalid(self) -> list[TedsRecord]:
        return [record for record in self.records if not record.is_valid]

    @property
    def valid(self) -> list[TedsRecord]:
        return [record for record in self.records if record.is_valid]


def _date(day) -> str:
    return f"{day:%Y%m%d}" if day else str(TEDS_MISSING)


def _yes_no(value) -> int:
    return TEDS_MISSING if value is None else (TEDS_YES if value else TEDS_NO)


def _code(field_name: str, value) -> int:
    return TEDS_CODES[field_name].get(value, TEDS_MISSING)


def _valid_measures(episode: Episode, point: str) -> OutcomeMeasures | None:
    return next((m for m in episode.teds_measures if m.point == point), None)


def _admission_level(episode: Episode) -> str:
    changes = episode.teds_level_changes
    return changes[0].from_level if changes else episode.level_of_care


class _Builder:
    """Builds one record's values and issues, with the links that fix each issue."""

    def __init__(self, kind: str, episode: Episode):
        self.record = TedsRecord(kind, episode)
        self.episode = episode

    def issue(self, field_name: str, message: str, url: str, label: str) -> None:
        self.record.issues.append(Issue(field_name, message, url, label))

    @property
    def admission_form(self) -> str:
        return reverse("outcomes:admission_measures", args=[self.episode.patient_id, self.episode.pk])

    @property
    def discharge_form(self) -> str:
        return reverse("outcomes:discharge_measures", args=[self.episode.patient_id, self.episode.pk])

    def system_fields(self) -> None:
        values = self.record.values
        values["RECTYPE"] = self.record.kind
        reporting: ProgramReporting | None = getattr(self.episode.program, "teds_reporting", None)
        if reporting is None:
            self.issue(
                "PROVIDER",
                f"{self.episode.program} has no state provider identifier or FIPS code.",
                reverse("admin:outcomes_programreporting_add") + f"?program={self.episode.program_id}",
                "Set the program's TEDS identifiers (admin)",
            )
        values["STFIPS"] = reporting.state_fips if reporting else str(TEDS_MISSING)
        values["PROVIDER"] = reporting.provider_id if reporting else ""
        values["CLIENTID"] = getattr(self.episode.patient, "teds_client_code", "")
        values["ADMDATE"] = _date(self.episode.admitted_on)

    def substances(self, measures: OutcomeMeasures | None, *, check: bool) -> dict[int, SubstanceDays]:
        ranked = {row.rank: row for row in (measures.teds_substances if measures else []) if row.rank}
        if not check or measures is None:
            return ranked
        primary = ranked.get(1)
        if primary is None:
            self.issue("SUB1", "No primary substance is marked.", self.admission_form, "Admission measures")
        codes: dict[int, int] = {}
        for rank, row in sorted(ranked.items()):
            name = RANK_NAMES[rank]
            code = TEDS_CODES["SUB"].get(row.substance)
            label = SUBSTANCE_LABELS.get(row.substance, row.substance)
            if code is None:
                self.issue(f"SUB{rank}", f"{label} is not a TEDS substance; choose another {name} substance.",
                           self.admission_form, "Admission measures")  # fmt: skip
                continue
            for other_rank, other_code in codes.items():
                if other_code == code:
                    self.issue(
                        f"SUB{rank}",
                        f"The {name} substance ({label}) has the same TEDS code ({code}) as the "
                        f"{RANK_NAMES[other_rank]} one: choose a different {name} substance, or none.",
                        self.admission_form,
                        "Admission measures",
                    )
            codes[rank] = code
            if not row.route:
                self.issue(f"ROUTE{rank}", f"The usual route of the {name} substance ({label}) is missing.",
                           self.admission_form, "Admission measures")  # fmt: skip
            if row.first_use_age is None:
                self.issue(f"FRSTUSE{rank}", f"The age at first use of the {name} substance ({label}) is missing.",
                           self.admission_form, "Admission measures")  # fmt: skip
        if 3 in ranked and 2 not in ranked:
            self.issue("SUB2", "A tertiary substance is marked without a secondary one.", self.admission_form,
                       "Admission measures")  # fmt: skip
        return ranked


def _service_setting(builder: _Builder, level: str, name: str) -> int:
    code = TEDS_SERVICE_SETTING.get(level)
    if code is None:
        builder.issue(
            name,
            f"Level {level} is not an ambulatory (outpatient) setting this program reports.",
            reverse("patients:chart", args=[builder.episode.patient_id]),
            "The chart's episode",
        )
        return TEDS_MISSING
    return code


def admission_record(episode: Episode) -> TedsRecord:
    builder = _Builder("A", episode)
    builder.system_fields()
    values = builder.record.values
    patient = episode.patient
    profile: AdmissionProfile | None = episode.teds_profile[0] if episode.teds_profile else None
    measures = _valid_measures(episode, MeasurePoint.ADMISSION)
    if profile is None:
        builder.issue("RACE", "The TEDS admission profile (race, education, payer…) is not recorded.",
                      builder.admission_form, "Admission measures")  # fmt: skip
    if measures is None:
        builder.issue("EMPLOY", "The outcome measures at admission are not recorded.", builder.admission_form,
                      "Admission measures")  # fmt: skip
    values["SERVICES"] = _service_setting(builder, _admission_level(episode), "SERVICES")
    values["DOB"] = _date(patient.date_of_birth)
    values["GENDER"] = _code("GENDER", patient.sex_at_birth)
    if values["GENDER"] == TEDS_MISSING:
        builder.issue(
            "GENDER",
            f"TEDS records sex as male or female; the chart says {patient.get_sex_at_birth_display().lower()}.",
            reverse("patients:patient_edit", args=[patient.pk]),
            "Edit the patient",
        )
    for name, attribute in PROFILE_CODES:
        values[name] = _code(name, getattr(profile, attribute)) if profile else TEDS_MISSING
    values["EMPLOY"] = _code("EMPLOY", measures.employment) if measures else TEDS_MISSING
    values["DETNLF"] = _code("DETNLF", measures.not_in_labor_force) if measures else TEDS_MISSING
    values["LIVARAG"] = _code("LIVARAG", measures.living_arrangement) if measures else TEDS_MISSING
    values["ARRESTS"] = teds_arrests(measures.arrests if measures else None)
    intake = episode.intake if episode.intake_id and not episode.intake.is_entered_in_error else None
    values["PSOURCE"] = _code("PSOURCE", intake.referral_source) if intake else TEDS_MISSING
    if intake is None:
        builder.issue("PSOURCE", "The admission has no intake, so no referral source or referral date.",
                      reverse("patients:chart", args=[patient.pk]), "The chart")  # fmt: skip
    elif values["PSOURCE"] == TEDS_MISSING:
        builder.issue("PSOURCE", "The referral source is missing.",
                      reverse("patients:intake_referral", args=[intake.pk]), "The intake's referral")  # fmt: skip
    values["NOPRIOR"] = min(profile.prior_episodes, PRIOR_EPISODES_MAX) if profile else TEDS_MISSING
    waited = (episode.admitted_on - intake.referral_date).days if intake else None
    values["DAYWAIT"] = waited if waited is not None and waited >= 0 else TEDS_MISSING
    if waited is not None and waited < 0:
        builder.issue("DAYWAIT", "The referral date comes after the admission.",
                      reverse("patients:intake_referral", args=[intake.pk]), "The intake's referral")  # fmt: skip
    ranked = builder.substances(measures, check=True)
    for rank in (1, 2, 3):
        row = ranked.get(rank)
        values[f"SUB{rank}"] = (
            TEDS_CODES["SUB"].get(row.substance, TEDS_MISSING)
            if row
            else (TEDS_MISSING if rank == 1 else TEDS_NO_SUBSTANCE)
        )
        values[f"ROUTE{rank}"] = _code("ROUTE", row.route) if row else TEDS_MISSING
        values[f"FREQ{rank}"] = teds_frequency(row.days) if row else TEDS_MISSING
        values[f"FRSTUSE{rank}"] = teds_first_use(row.first_use_age) if row else TEDS_MISSING
    values["METHUSE"] = _yes_no(profile.medication_planned) if profile else TEDS_MISSING
    values["PSYPROB"] = _yes_no(profile.co_occurring) if profile else TEDS_MISSING
    values["PREG"] = (
        _yes_no(profile.pregnant) if profile and patient.sex_at_birth == SexAtBirth.FEMALE else TEDS_MISSING
    )
    values["VET"] = _yes_no(profile.veteran) if profile else TEDS_MISSING
    values["FREQ_ATND_SELF_HELP"] = teds_self_help(measures.self_help_times if measures else None)
    return builder.record


def discharge_record(episode: Episode) -> TedsRecord:
    builder = _Builder("D", episode)
    builder.system_fields()
    values = builder.record.values
    discharge: Discharge | None = episode.teds_discharge[0] if episode.teds_discharge else None
    measures = _valid_measures(episode, MeasurePoint.DISCHARGE)
    admission = admission_record(episode)
    if not admission.is_valid:
        fields = ", ".join(sorted({issue.field for issue in admission.issues}))
        builder.issue(
            "ADMDATE",
            f"No matching admission record: the admission of {episode.admitted_on:%b %-d, %Y} is incomplete "
            f"({fields}).",
            builder.admission_form,
            "Admission measures",
        )
    values["DISDATE"] = _date(episode.discharged_on)
    values["SERVICES_D"] = _service_setting(builder, episode.level_of_care, "SERVICES_D")
    if discharge is None:
        builder.issue("REASON", "The discharge has no recorded type (it was closed without a discharge form).",
                      reverse("patients:chart", args=[episode.patient_id]), "The chart")  # fmt: skip
    values["REASON"] = _code("REASON", discharge.discharge_type) if discharge else TEDS_MISSING
    values["LOS"] = (episode.discharged_on - episode.admitted_on).days
    if measures is None:
        builder.issue("EMPLOY_D", "The outcome measures at discharge are not recorded.", builder.discharge_form,
                      "Discharge measures")  # fmt: skip
    values["EMPLOY_D"] = _code("EMPLOY", measures.employment) if measures else TEDS_MISSING
    values["DETNLF_D"] = _code("DETNLF", measures.not_in_labor_force) if measures else TEDS_MISSING
    values["LIVARAG_D"] = _code("LIVARAG", measures.living_arrangement) if measures else TEDS_MISSING
    values["ARRESTS_D"] = teds_arrests(measures.arrests if measures else None)
    ranked = builder.substances(_valid_measures(episode, MeasurePoint.ADMISSION), check=False)
    days_now = {row.substance: row.days for row in (measures.teds_substances if measures else [])}
    for rank in (1, 2, 3):
        row = ranked.get(rank)
        values[f"SUB{rank}_D"] = (
            TEDS_CODES["SUB"].get(row.substance, TEDS_MISSING)
            if row
            else (TEDS_MISSING if rank == 1 else TEDS_NO_SUBSTANCE)
        )
        values[f"FREQ{rank}_D"] = teds_frequency(days_now.get(row.substance)) if row else TEDS_MISSING
        if row and measures and row.substance not in days_now:
            builder.issue(f"FREQ{rank}_D", f"Days of use of {SUBSTANCE_LABELS.get(row.substance)} at discharge "
                          "are missing.", builder.discharge_form, "Discharge measures")  # fmt: skip
    values["FREQ_ATND_SELF_HELP_D"] = teds_self_help(measures.self_help_times if measures else None)
    return builder.record


def teds_report(program_ids, period: Period) -> TedsReport:
    """Every admission and discharge of the programs in the period, built and checked (fixed query count)."""
    base = (
        Episode.objects.valid()
        .filter(program_id__in=program_ids, patient__entered_in_error_at__isnull=True)
        .select_related("patient", "program", "intake")
    )
    wanted = base.filter(
        Q(admitted_on__gte=period.start, admitted_on__lte=period.end)
        | Q(status=EpisodeStatus.DISCHARGED, discharged_on__gte=period.start, discharged_on__lte=period.end)
    ).order_by("admitted_on", "pk")
    episodes = list(
        wanted.prefetch_related(
            Prefetch(
                "outcome_measures",
                queryset=OutcomeMeasures.objects.valid().prefetch_related(
                    Prefetch("substance_days", queryset=SubstanceDays.objects.valid(), to_attr="teds_substances")
                ),
                to_attr="teds_measures",
            ),
            Prefetch(
                "level_changes",
                queryset=LevelOfCareChange.objects.valid().order_by("effective_on", "pk"),
                to_attr="teds_level_changes",
            ),
        )
    )
    ids = [episode.pk for episode in episodes]
    profiles = {row.episode_id: row for row in AdmissionProfile.objects.valid().filter(episode_id__in=ids)}
    discharges = {row.episode_id: row for row in Discharge.objects.valid().filter(episode_id__in=ids)}
    reporting = {row.program_id: row for row in ProgramReporting.objects.filter(program_id__in=program_ids)}
    clients = dict(
        TedsClient.objects.filter(patient_id__in={e.patient_id for e in episodes}).values_list(
            "patient_id", "client_id"
        )
    )
    for episode in episodes:
        episode.teds_profile = [profiles[episode.pk]] if episode.pk in profiles else []
        episode.teds_discharge = [discharges[episode.pk]] if episode.pk in discharges else []
        episode.program.teds_reporting = reporting.get(episode.program_id)
        episode.patient.teds_client_code = clients.get(episode.patient_id, "")
    admissions = [admission_record(e) for e in episodes if period.contains(e.admitted_on)]
    leaving = [
        discharge_record(e)
        for e in episodes
        if e.status == EpisodeStatus.DISCHARGED and period.contains(e.discharged_on)
    ]
    return TedsReport(period, admissions, leaving)


def layout(kind: str):
    return TEDS_ADMISSION_LAYOUT if kind == "A" else TEDS_DISCHARGE_LAYOUT
