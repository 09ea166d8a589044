"""TEDS: a hand-made patient's admission and discharge records field by field, the validation report,
the export's refusal of invalid records, its audit record, and a file with no names in it."""

import csv
import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from aftercare.constants import DischargeType
from aftercare.services.discharge import episode_discharge
from audit.constants import DataCategory
from audit.models import AccessLog
from outcomes.constants import (
    PeriodKind,
    TedsFormat,
)
from outcomes.models import TedsClient, TedsExport
from outcomes.selectors.periods import Period
from outcomes.selectors.teds import teds_report
from outcomes.services.teds import teds_export
from patients.constants import IntakeStatus, PatientStatus, Route, Substance
from patients.tests.factories import EpisodeFactory, IntakeFactory, PatientFactory

from .factories import AdmissionProfileFactory, measures

pytestmark = pytest.mark.django_db


def day(offset: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=offset)


def ymd(offset: int) -> str:
    return f"{day(offset):%Y%m%d}"


@pytest.fixture
def period():
    return Period(PeriodKind.CUSTOM, day(90), day(1))


def expected_admission(client_id: str = "") -> dict:
    return {
        "RECTYPE": "A", "STFIPS": "25", "PROVIDER": "MA0001234", "CLIENTID": client_id, "ADMDATE": ymd(60),
        "SERVICES": 6, "DOB": "19900412", "GENDER": 2, "RACE": 4, "ETHNIC": 4, "MARSTAT": 4, "EDUC": 4,
        "EMPLOY": 3, "DETNLF": -9, "LIVARAG": 2, "ARRESTS": 1, "PSOURCE": 3, "NOPRIOR": 2, "DAYWAIT": 5,
        "SUB1": 2, "ROUTE1": 1, "FREQ1": 3, "FRSTUSE1": 2,
        "SUB2": 3, "ROUTE2": 3, "FREQ2": 2, "FRSTUSE2": 4,
        "SUB3": 4, "ROUTE3": 2, "FREQ3": 1, "FRSTUSE3": 3,
        "METHUSE": 1, "PSYPROB": 1, "PREG": 2, "VET": 2, "HLTHINS": 2, "PRIMPAY": 4, "FREQ_ATND_SELF_HELP": 1,
    }  # fmt: skip


def expected_discharge(client_id: str = "") -> dict:
    return {
        "RECTYPE": "D", "STFIPS": "25", "PROVIDER": "MA0001234", "CLIENTID": client_id, "ADMDATE": ymd(60),
        "DISDATE": ymd(10), "SERVICES_D": 6, "REASON": 1, "LOS": 50,
        "EMPLOY_D": 2, "DETNLF_D": -9, "LIVARAG_D": 3, "ARRESTS_D": 0,
        "SUB1_D": 2, "FREQ1_D": 1, "SUB2_D": 3, "FREQ2_D": 1, "SUB3_D": 4, "FREQ3_D": 2,
        "FREQ_ATND_SELF_HELP_D": 4,
    }  # fmt: skip


def test_the_admission_record_matches_field_by_field(maria, program, period):
    report = teds_report([program.pk], period)
    [admission] = report.admissions
    assert admission.issues == []
    assert admission.values == expected_admission()


def test_the_discharge_record_matches_field_by_field(maria, program, period):
    [discharge] = teds_report([program.pk], period).discharges
    assert discharge.issues == []
    assert discharge.values == expected_discharge()


def test_the_csv_file_carries_both_records_with_a_stable_client_id(maria, program, period, director):
    produced = teds_export(
        user=director, programs=[program], period=period, file_format=TedsFormat.CSV, exclude_invalid=False
    )
    rows = list(csv.DictReader(io.StringIO(produced.content)))
    client_id = TedsClient.objects.get(patient=maria.patient).client_id
    assert len(rows) == 2
    admission, discharge = rows
    assert {key: value for key, value in admission.items() if value != ""} == {
        key: str(value) for key, value in expected_admission(client_id).items()
    }
    assert {key: value for key, value in discharge.items() if value != ""} == {
        key: str(value) for key, value in expected_discharge(client_id).items()
    }


def test_the_fixed_layout_puts_each_field_in_its_columns(maria, program, period, director):
    produced = teds_export(
        user=director, programs=[program], period=period, file_format=TedsFormat.FIXED, exclude_invalid=False
    )
    client_id = TedsClient.objects.get(patient=maria.patient).client_id
    admission, discharge, end = produced.content.split("\r\n")
    assert end == ""
    # RECTYPE(1) STFIPS(2) PROVIDER(15, left) CLIENTID(12, left) ADMDATE(8) SERVICES(2) DOB(8) GENDER(2) RACE(2)
    # ETHNIC(2) MARSTAT(2) EDUC(2) EMPLOY(2) DETNLF(2) LIVARAG(2) ARRESTS(2) PSOURCE(2) NOPRIOR(2) DAYWAIT(3)
    # SUB1 ROUTE1 FREQ1 FRSTUSE1 … SUB3 ROUTE3 FREQ3 FRSTUSE3 (2 each) METHUSE PSYPROB PREG VET HLTHINS PRIMPAY
    # FREQ_ATND_SELF_HELP (2 each).
    assert admission == (
        f"A25MA0001234      {client_id}{ymd(60)} 619900412 2 4 4 4 4 3-9 2 1 3 2  5"
        " 2 1 3 2 3 3 2 4 4 2 1 3 1 1 2 2 2 4 1"
    )
    # RECTYPE STFIPS PROVIDER CLIENTID ADMDATE DISDATE(8) SERVICES_D(2) REASON(2) LOS(4) EMPLOY_D DETNLF_D
    # LIVARAG_D ARRESTS_D SUB1_D FREQ1_D SUB2_D FREQ2_D SUB3_D FREQ3_D FREQ_ATND_SELF_HELP_D (2 each).
    assert discharge == f"D25MA0001234      {client_id}{ymd(60)}{ymd(10)} 6 1  50 2-9 3 0 2 1 3 1 4 2 4"
    assert len(client_id) == 12


def test_the_file_carries_no_names_and_the_client_id_is_stable_and_not_the_mrn(maria, program, period, director):
    first = teds_export(user=director, programs=[program], period=period, file_format="csv", exclude_invalid=False)
    second = teds_export(user=director, programs=[program], period=period, file_format="fixed", exclude_invalid=False)
    patient = maria.patient
    client_id = TedsClient.objects.get(patient=patient).client_id
    for produced in (first, second):
        for private in (patient.legal_first_name, patient.legal_last_name, patient.mrn, patient.phone, patient.email):
            assert private not in produced.content
        assert client_id in produced.content
    assert client_id != patient.mrn
    assert TedsClient.objects.count() == 1  # made once, then reused


@pytest.fixture
def flawed(program, counselor, reporting):
    """Three flawed records: an admission with nothing asked, one whose secondary substance has the primary's
    code, and the discharge of the first (no matching admission record)."""
    bare = EpisodeFactory(program=program, primary_clinician=counselor, admitted_on=day(40))
    episode_discharge(
        episode=bare, discharged_on=day(5), discharge_type=DischargeType.AGAINST_ADVICE, reason="Left.", by=counselor
    )
    patient = PatientFactory(status=PatientStatus.ADMITTED)
    intake = IntakeFactory(
        patient=patient, referral_date=day(31), status=IntakeStatus.ADMITTED, closed_at=timezone.now()
    )
    same_code = EpisodeFactory(
        patient=patient, program=program, primary_clinician=counselor, admitted_on=day(30), intake=intake
    )
    AdmissionProfileFactory(episode=same_code, patient=same_code.patient, recorded_by=counselor)
    measures(
        same_code,
        substances=[(Substance.OPIOIDS, 20, 1, Route.INJECTED, 22), (Substance.FENTANYL, 20, 2, Route.INJECTED, 25)],
    )
    return {"bare": bare, "same_code": same_code}


def test_the_validation_report_lists_every_flawed_record_with_the_form_that_fixes_it(flawed, maria, program, period):
    report = teds_report([program.pk], period)
    assert len(report.records) == 5  # Maria's two, and three flawed
    invalid = {(record.kind, record.episode.pk): record for record in report.invalid}
    assert set(invalid) == {("A", flawed["bare"].pk), ("D", flawed["bare"].pk), ("A", flawed["same_code"].pk)}
    bare_form = reverse("outcomes:admission_measures", args=[flawed["bare"].patient_id, flawed["bare"].pk])
    bare = {issue.field: issue for issue in invalid["A", flawed["bare"].pk].issues}
    assert {"RACE", "EMPLOY", "PSOURCE"} <= set(bare)
    assert bare["RACE"].fix_url == bare_form and bare["EMPLOY"].fix_url == bare_form
    [no_admission] = [issue for issue in invalid["D", flawed["bare"].pk].issues if issue.field == "ADMDATE"]
    assert "No matching admission record" in no_admission.message
    assert no_admission.fix_url == bare_form
    discharge_form = reverse("outcomes:discharge_measures", args=[flawed["bare"].patient_id, flawed["bare"].pk])
    assert any(issue.fix_url == discharge_form for issue in invalid["D", flawed["bare"].pk].issues)
    [same] = invalid["A", flawed["same_code"].pk].issues
    assert same.field == "SUB2"
    assert "same TEDS code (7)" in same.message


def test_the_export_refuses_invalid_records_unless_the_user_leaves_them_out(flawed, maria, program, period, director):
    with pytest.raises(ValidationError, match="3 of 5 records have missing or inconsistent fields"):
        teds_export(user=director, programs=[program], period=period, file_format="csv", exclude_invalid=False)
    assert not TedsExport.objects.exists()
    produced = teds_export(user=director, programs=[program], period=period, file_format="csv", exclude_invalid=True)
    assert len(produced.content.strip().split("\r\n")) == 3  # the header and Maria's two records
    export = produced.export
    assert (export.admission_records, export.discharge_records, export.excluded_records) == (1, 1, 3)


def test_every_export_is_recorded_who_when_which_period_how_many(maria, program, period, director):
    before = timezone.now()
    produced = teds_export(user=director, programs=[program], period=period, file_format="csv", exclude_invalid=False)
    export = TedsExport.objects.get()
    assert export.exported_by == director and export.exported_at >= before
    assert (export.period_start, export.period_end) == (period.start, period.end)
    assert export.total_records == 2 and list(export.programs.all()) == [program]
    assert len(export.sha256) == 64
    log = AccessLog.objects.get(category=DataCategory.DISCLOSURE, action="TEDS export")
    assert log.user == director
    assert f"{period.start:%Y-%m-%d}..{period.end:%Y-%m-%d}" in log.detail
    assert "1 admissions, 1 discharges, 0 left out" in log.detail
    with pytest.raises(ValidationError):
        produced.export.save()
    with pytest.raises(ValidationError):
        produced.export.delete()
