"""The National Outcome Measures forms: reached from the admission, discharge and check-in flows, in plain
words, saved with the TEDS profile in one go, correctable, and kept in the outcome facts at once."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from aftercare.constants import DischargeType
from aftercare.models import AlumniCheckIn
from aftercare.services.checkins import alumni_checkin_record
from aftercare.services.discharge import episode_discharge
from iop.hooks import follow_on_url
from outcomes.constants import Employment, LivingArrangement, MeasurePoint
from outcomes.models import AdmissionProfile, EpisodeFact, OutcomeMeasures, SubstanceDays
from outcomes.services.measures import SubstanceAnswer, outcome_measures_record
from patients.constants import Route, SexAtBirth, Substance
from patients.tests.factories import EpisodeFactory, PatientFactory, SubstanceUseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def episode(program, counselor):
    patient = PatientFactory(sex_at_birth=SexAtBirth.MALE)
    SubstanceUseFactory(patient=patient, substance=Substance.ALCOHOL, route=Route.ORAL, age_of_first_use=15)
    SubstanceUseFactory(patient=patient, substance=Substance.CANNABIS, route=Route.SMOKED, is_primary=False)
    SubstanceUseFactory(patient=patient, substance=Substance.NICOTINE, is_primary=False)
    return EpisodeFactory(
        patient=patient, program=program, primary_clinician=counselor, admitted_on=timezone.localdate()
    )


def admission_url(episode):
    return reverse("outcomes:admission_measures", args=[episode.patient_id, episode.pk])


ADMISSION_FORM = {
    "profile-race": "white",
    "profile-ethnicity": "not_hispanic",
    "profile-marital_status": "married",
    "profile-education": "college",
    "profile-veteran": "yes",
    "profile-prior_episodes": "1",
    "profile-medication_planned": "no",
    "profile-co_occurring": "no",
    "profile-health_insurance": "private",
    "profile-primary_payer": "private",
    "measures-employment": "unemployed",
    "measures-living_arrangement": "independent",
    "measures-arrests": "0",
    "measures-self_help_times": "3",
    "measures-days_alcohol": "20",
    "measures-rank_alcohol": "1",
    "measures-route_alcohol": "oral",
    "measures-age_alcohol": "15",
    "measures-days_cannabis": "4",
    "measures-rank_cannabis": "2",
    "measures-route_cannabis": "smoked",
    "measures-age_cannabis": "17",
}


def test_admission_goes_on_to_the_measures_and_back(episode):
    chart = reverse("patients:chart", args=[episode.patient_id])
    assert (
        follow_on_url("patients.admitted", episode, then=chart)
        == f"{admission_url(episode)}?then=%2Fpatients%2F{episode.patient_id}%2F"
    )


def test_the_admission_form_asks_the_charts_substances_in_plain_words(login, counselor, episode):
    response = login(counselor).get(admission_url(episode))
    assert response.status_code == 200
    body = response.content.decode()
    assert "In the past 30 days, was the patient working?" in body
    assert 'name="measures-days_alcohol"' in body and 'name="measures-days_cannabis"' in body
    assert "measures-days_nicotine" not in body  # not a TEDS substance
    assert "Is she pregnant?" not in body  # asked of women only
    form = response.context["measures_form"]
    assert (form["rank_alcohol"].initial, form["age_alcohol"].initial) == (1, 15)


def test_saving_records_the_profile_and_measures_and_updates_the_facts(login, counselor, episode):
    then = reverse("patients:chart", args=[episode.patient_id])
    response = login(counselor).post(admission_url(episode), {**ADMISSION_FORM, "then": then})
    assert response.status_code == 302 and response.url == then
    profile = AdmissionProfile.objects.get(episode=episode)
    assert (profile.veteran, profile.pregnant, profile.prior_episodes) == (True, None, 1)
    measures = OutcomeMeasures.objects.get(episode=episode, point=MeasurePoint.ADMISSION)
    assert measures.employment == Employment.UNEMPLOYED
    assert sorted(measures.substance_days.values_list("substance", "days", "rank")) == [
        (Substance.ALCOHOL, 20, 1),
        (Substance.CANNABIS, 4, 2),
    ]
    fact = EpisodeFact.objects.get(episode=episode)
    assert (fact.admission_measured, fact.admission_working, fact.admission_use_days) == (True, False, 20)


def test_a_missing_answer_is_shown_next_to_its_field_and_nothing_is_saved(login, counselor, episode):
    response = login(counselor).post(admission_url(episode), {**ADMISSION_FORM, "measures-employment": ""})
    assert response.status_code == 200
    assert response.context["measures_form"].errors["employment"]
    assert not OutcomeMeasures.objects.exists() and not AdmissionProfile.objects.exists()


def test_then_never_leaves_the_site(login, counselor, episode):
    response = login(counselor).post(admission_url(episode), {**ADMISSION_FORM, "then": "https://evil.example/"})
    assert response.url == reverse("patients:chart", args=[episode.patient_id])


def test_a_correction_replaces_the_answers_and_the_facts_follow(counselor, episode):
    answers = [SubstanceAnswer(Substance.ALCOHOL, 20, 1, Route.ORAL, 15), SubstanceAnswer(Substance.CANNABIS, 4, 2)]
    fields = {"employment": Employment.FULL_TIME, "living_arrangement": LivingArrangement.INDEPENDENT}
    outcome_measures_record(
        episode=episode, point=MeasurePoint.ADMISSION, by=counselor, substances=answers, arrests=0,
        self_help_times=0, **fields,
    )  # fmt: skip
    outcome_measures_record(
        episode=episode, point=MeasurePoint.ADMISSION, by=counselor, substances=answers[:1], arrests=2,
        self_help_times=0, **{**fields, "living_arrangement": LivingArrangement.HOMELESS},
    )  # fmt: skip
    assert OutcomeMeasures.objects.count() == 1
    dropped = SubstanceDays.objects.get(substance=Substance.CANNABIS)
    assert dropped.is_entered_in_error  # never deleted
    fact = EpisodeFact.objects.get(episode=episode)
    assert (fact.admission_housed, fact.admission_no_arrests) == (False, False)


def test_discharge_and_30_day_check_in_go_on_to_their_measures(login, counselor, episode):
    discharge = episode_discharge(
        episode=episode,
        discharged_on=timezone.localdate(),
        discharge_type=DischargeType.COMPLETED,
        reason="Done.",
        by=counselor,
    )
    url = follow_on_url("aftercare.discharged", discharge, then="/")
    assert url == reverse("outcomes:discharge_measures", args=[episode.patient_id, episode.pk]) + "?then=%2F"
    response = login(counselor).get(url)
    assert response.status_code == 200
    assert "measures-rank_alcohol" not in response.content.decode()  # TEDS ranks are asked at admission only
    week = AlumniCheckIn.objects.get(discharge=discharge, days_after_discharge=7)
    week = alumni_checkin_record(checkin=week, by=counselor, reached=True, using=False)
    assert follow_on_url("aftercare.checkin_recorded", week, then="/") is None  # not a NOMs follow-up point
    month = AlumniCheckIn.objects.get(discharge=discharge, days_after_discharge=30)
    month = alumni_checkin_record(checkin=month, by=counselor, reached=True, using=False)
    url = follow_on_url("aftercare.checkin_recorded", month, then="/")
    assert url == reverse("outcomes:follow_up_measures", args=[episode.patient_id, month.pk]) + "?then=%2F"
    assert login(counselor).get(url).status_code == 200


def test_the_discharge_form_waits_for_the_discharge(login, counselor, episode):
    url = reverse("outcomes:discharge_measures", args=[episode.patient_id, episode.pk])
    assert login(counselor).get(url).status_code == 404


def test_a_chart_without_substances_sends_one_to_record_them_first(login, counselor, program):
    bare = EpisodeFactory(
        program=program, primary_clinician=counselor, admitted_on=timezone.localdate() - dt.timedelta(days=1)
    )
    response = login(counselor).get(admission_url(bare))
    assert "The chart lists no substance use yet" in response.content.decode()
