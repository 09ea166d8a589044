"""The facts of each episode of care: dates, discharge, outcome measures, first and latest scores, aftercare.

Counted from the chart for a few episodes at a time (``episode_facts_compute``) and written over what
was there (``episode_facts_refresh``); ``outcomes.services.facts`` decides when.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.utils import timezone

from aftercare.models import AlumniCheckIn, Discharge
from patients.instruments import Instrument
from patients.models import Episode, InstrumentResponse

from ..constants import (
    CHECKIN_DAYS,
    COMPLETION_TYPES,
    CheckinStatus,
    LivingArrangement,
    MeasurePoint,
)
from ..models import EpisodeFact, OutcomeMeasures, SubstanceDays

EPISODE_FACT_FIELDS = [field.name for field in EpisodeFact._meta.concrete_fields if field.name != "episode"]
EPISODE_FACT_COLUMNS = [field.attname for field in EpisodeFact._meta.concrete_fields]


def monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _belongs(response: dict, episode: dict) -> bool:
    """An instrument counts for the episode it names, its intake's screening, or, unattached, its dates."""
    if response["episode_id"] is not None:
        return response["episode_id"] == episode["pk"]
    if response["intake_id"] is not None and response["intake_id"] == episode["intake_id"]:
        return True
    if response["intake_id"] is not None:
        return False
    day = timezone.localdate(response["administered_at"])
    return episode["admitted_on"] <= day and (episode["discharged_on"] is None or day <= episode["discharged_on"])


def _first_and_latest(values: list[int | None]) -> tuple[int | None, int | None]:
    """The first value and the latest, the latest only when it comes from a later administration."""
    values = [value for value in values if value is not None]
    if not values:
        return None, None
    return values[0], (values[-1] if len(values) > 1 else None)


def _measures_summary(measures: OutcomeMeasures | None, use_days: int | None) -> dict:
    if measures is None:
        return {"measured": False, "working": None, "housed": None, "no_arrests": None, "self_help": None, "use": None}
    return {
        "measured": True,
        "working": measures.working_or_in_school,
        "housed": measures.living_arrangement != LivingArrangement.HOMELESS,
        "no_arrests": measures.arrests == 0,
        "self_help": measures.self_help_times > 0,
        "use": use_days,
    }


def _checkin_status(checkin: dict | None) -> str:
    if checkin is None:
        return CheckinStatus.NONE
    if checkin["completed_at"] is None:
        return CheckinStatus.OPEN
    if not checkin["reached"]:
        return CheckinStatus.NOT_REACHED
    if checkin["using"] is None:
        return CheckinStatus.REACHED
    return CheckinStatus.USING if checkin["using"] else CheckinStatus.ABSTINENT


def episode_facts_compute(episode_ids: Iterable[int]) -> dict[int, dict]:
    """The facts of these episodes (valid ones only), counted from the chart."""
    ids = set(episode_ids)
    if not ids:
        return {}
    episodes = list(
        Episode.objects.valid()
        .filter(pk__in=ids, patient__entered_in_error_at__isnull=True)
        .values(
            "pk", "patient_id", "program_id", "intake_id", "admitted_on", "discharged_on", "target_weekly_hours",
            "intake__referral_date", "intake__entered_in_error_at",
        )
    )  # fmt: skip
    if not episodes:
        return {}
    patient_ids = {episode["patient_id"] for episode in episodes}
    episode_pks = [episode["pk"] for episode in episodes]
    admissions_by_patient: dict[int, list[dt.date]] = defaultdict(list)
    for patient_id, admitted_on in (
        Episode.objects.valid().filter(patient_id__in=patient_ids).values_list("patient_id", "admitted_on")
    ):
        admissions_by_patient[patient_id].append(admitted_on)
    discharges = {
        row["episode_id"]: row
        for row in Discharge.objects.valid().filter(episode_id__in=episode_pks).values("episode_id", "discharge_type")
    }
    measures: dict[tuple[int, str], OutcomeMeasures] = {
        (row.episode_id, row.point): row
        for row in OutcomeMeasures.objects.valid().filter(
            episode_id__in=episode_pks, point__in=[MeasurePoint.ADMISSION, MeasurePoint.DISCHARGE]
        )
    }
    use_days: dict[int, int] = {}
    for measures_id, days in (
        SubstanceDays.objects.valid()
        .filter(measures_id__in=[row.pk for row in measures.values()])
        .values_list("measures_id", "days")
    ):
        use_days[measures_id] = max(days, use_days.get(measures_id, 0))
    responses_by_patient: dict[int, list[dict]] = defaultdict(list)
    for response in (
        InstrumentResponse.objects.valid()
        .filter(patient_id__in=patient_ids, instrument__in=[Instrument.PHQ9, Instrument.GAD7, Instrument.BAM])
        .order_by("administered_at", "pk")
        .values("patient_id", "episode_id", "intake_id", "instrument", "score", "subscales", "administered_at")
    ):
        responses_by_patient[response["patient_id"]].append(response)
    checkins: dict[tuple[int, int], dict] = {}
    for checkin in (
        AlumniCheckIn.objects.valid()
        .filter(discharge__episode_id__in=episode_pks, discharge__entered_in_error_at__isnull=True)
        .values("discharge__episode_id", "days_after_discharge", "completed_at", "reached", "using")
    ):
        checkins[(checkin["discharge__episode_id"], checkin["days_after_discharge"])] = checkin

    facts = {}
    for episode in episodes:
        pk, admitted_on, discharged_on = episode["pk"], episode["admitted_on"], episode["discharged_on"]
        referral_date = episode["intake__referral_date"] if episode["intake__entered_in_error_at"] is None else None
        discharge = discharges.get(pk) if discharged_on is not None else None
        own = [response for response in responses_by_patient[episode["patient_id"]] if _belongs(response, episode)]

        def scores(instrument, key=None, own=own):
            return _first_and_latest(
                [
                    (response["subscales"] or {}).get(key) if key else response["score"]
                    for response in own
                    if response["instrument"] == instrument
                ]
            )

        phq9, gad7 = scores(Instrument.PHQ9), scores(Instrument.GAD7)
        bam_use, bam_risk = scores(Instrument.BAM, "use"), scores(Instrument.BAM, "risk")
        bam_protective = scores(Instrument.BAM, "protective")
        at_admission = measures.get((pk, MeasurePoint.ADMISSION))
        at_discharge = measures.get((pk, MeasurePoint.DISCHARGE))
        admission = _measures_summary(at_admission, use_days.get(at_admission.pk, 0) if at_admission else None)
        leaving = _measures_summary(at_discharge, use_days.get(at_discharge.pk, 0) if at_discharge else None)
        later = [day for day in admissions_by_patient[episode["patient_id"]] if discharged_on and day >= discharged_on]
        first_full = monday(admitted_on) + dt.timedelta(days=7 if admitted_on.weekday() else 0)
        last_full = monday(discharged_on + dt.timedelta(days=1)) - dt.timedelta(days=7) if discharged_on else None
        discharge_type = discharge["discharge_type"] if discharge else ""
        facts[pk] = {
            "patient_id": episode["patient_id"],
            "program_id": episode["program_id"],
            "admitted_on": admitted_on,
            "admitted_day": admitted_on.toordinal(),
            "discharged_on": discharged_on,
            "discharged_day": discharged_on.toordinal() if discharged_on else None,
            "referral_date": referral_date,
            "days_waiting": (admitted_on - referral_date).days if referral_date else None,
            "discharge_type": discharge_type,
            "completed": discharge_type in COMPLETION_TYPES,
            "length_of_stay": (discharged_on - admitted_on).days if discharged_on else None,
            "target_weekly_minutes": int(episode["target_weekly_hours"] * 60),
            "first_full_week_day": first_full.toordinal(),
            "last_full_week_day": last_full.toordinal() if last_full else None,
            "admission_measured": admission["measured"],
            "admission_working": admission["working"],
            "admission_housed": admission["housed"],
            "admission_no_arrests": admission["no_arrests"],
            "admission_self_help": admission["self_help"],
            "admission_use_days": admission["use"],
            "discharge_measured": leaving["measured"],
            "discharge_working": leaving["working"],
            "discharge_housed": leaving["housed"],
            "discharge_no_arrests": leaving["no_arrests"],
            "discharge_self_help": leaving["self_help"],
            "discharge_use_days": leaving["use"],
            "phq9_first": phq9[0],
            "phq9_latest": phq9[1],
            "gad7_first": gad7[0],
            "gad7_latest": gad7[1],
            "bam_use_first": bam_use[0],
            "bam_use_latest": bam_use[1],
            "bam_risk_first": bam_risk[0],
            "bam_risk_latest": bam_risk[1],
            "bam_protective_first": bam_protective[0],
            "bam_protective_latest": bam_protective[1],
            "readmitted_after_days": (min(later) - discharged_on).days if later else None,
            **{
                f"checkin_{days}": _checkin_status(checkins.get((pk, days))) if discharge else CheckinStatus.NONE
                for days in CHECKIN_DAYS
            },
        }
    return facts


def episode_fact(pk: int, values: dict) -> EpisodeFact:
    return EpisodeFact(episode_id=pk, **values)


def episode_facts_refresh(episode_ids: Iterable[int]) -> int:
    """Recount the facts of these episodes and of every other episode of their patients (readmission)."""
    ids = set(episode_ids)
    if not ids:
        return 0
    patients = Episode.objects.filter(pk__in=ids).values("patient_id")
    ids |= set(Episode.objects.filter(patient_id__in=patients).values_list("pk", flat=True))
    computed = episode_facts_compute(ids)
    EpisodeFact.objects.filter(episode_id__in=ids - set(computed)).delete()
    if computed:
        EpisodeFact.objects.bulk_create(
            [episode_fact(pk, values) for pk, values in computed.items()],
            update_conflicts=True,
            unique_fields=["episode"],
            update_fields=EPISODE_FACT_FIELDS,
        )
    return len(computed)
