"""Merging two charts of one person: every record moves, with history; conflicts refuse it whole; admins only."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import AdminFactory, CounselorFactory, DirectorFactory
from aftercare.services.discharge import episode_discharge
from audit.models import AccessLog
from clinical.tests.factories import TreatmentPlanFactory
from medications.tests.factories import MedicationFactory
from notifications.tests.factories import OutboundMessageFactory, StaffTaskFactory
from outcomes.tests.factories import AdmissionProfileFactory, OutcomeMeasuresFactory
from patients.constants import EpisodeStatus, PatientStatus
from patients.models import Patient, PatientMerge
from patients.selectors import patient_search, patients_visible_to, possible_duplicates
from patients.services import merge_plan, patient_merge
from patients.services.merge import KEPT_WITH_MERGED_CHART
from scheduling.tests.factories import AttendanceFactory, SessionFactory
from testing.models import SobrietyDate
from testing.tests.factories import DrugTestFactory

from .factories import (
    AsamAssessmentFactory,
    CareTeamMemberFactory,
    ConsentFactory,
    ContactFactory,
    DiagnosisFactory,
    EpisodeFactory,
    InstrumentResponseFactory,
    InsurancePolicyFactory,
    IntakeFactory,
    PatientAlertFactory,
    PatientFactory,
    SubstanceUseFactory,
)

pytestmark = pytest.mark.django_db

REASON = "Same person: Orla registered twice, day and month swapped; her ID confirms 07/03/1985."


def relations():
    """(model, field name, key) of every kind of record that points to a chart."""
    for relation in Patient._meta.related_objects:
        model = relation.related_model
        yield model, relation.field.name, f"{model._meta.label_lower}.{relation.field.name}"


def counts(patient) -> dict[str, int]:
    return {key: model._base_manager.filter(**{name: patient}).count() for model, name, key in relations()}


@pytest.fixture
def admin(db):
    return AdminFactory()


@pytest.fixture
def counselor(db, program):
    return CounselorFactory(programs=[program])


@pytest.fixture
def survivor(db, program, counselor):
    patient = PatientFactory(legal_first_name="Orla", legal_last_name="Murphy", date_of_birth=dt.date(1985, 3, 7))
    EpisodeFactory(patient=patient, program=program, primary_clinician=counselor)
    CareTeamMemberFactory(patient=patient, user=counselor, role="primary")
    return patient


@pytest.fixture
def duplicate(db, program, counselor):
    """A second chart of Orla holding a record of every kind the clinic keeps."""
    patient = PatientFactory(legal_first_name="Orlagh", legal_last_name="Murphy", date_of_birth=dt.date(1985, 7, 3))
    episode = EpisodeFactory(
        patient=patient,
        program=program,
        primary_clinician=counselor,
        admitted_on=timezone.localdate() - dt.timedelta(days=90),
    )
    CareTeamMemberFactory(
        patient=patient, user=counselor, role="primary"
    )  # the same counselor: already on the kept chart
    CareTeamMemberFactory(patient=patient)  # another one: moves
    IntakeFactory(patient=patient, status="admitted", closed_at=timezone.now() - dt.timedelta(days=90))
    AsamAssessmentFactory(patient=patient)
    InstrumentResponseFactory(patient=patient)
    SubstanceUseFactory(patient=patient)
    DiagnosisFactory(patient=patient)
    ContactFactory(patient=patient)
    ConsentFactory(patient=patient)
    InsurancePolicyFactory(patient=patient)
    session = SessionFactory(episode=episode, local_start=timezone.now() - dt.timedelta(days=40))
    AttendanceFactory(session=session)
    TreatmentPlanFactory(episode=episode)
    DrugTestFactory(patient=patient, episode=episode)
    SobrietyDate.objects.create(patient=patient, sober_since=dt.date(2026, 1, 5), reason="Reported", set_by=counselor)
    MedicationFactory(patient=patient)
    OutboundMessageFactory(patient=patient)
    StaffTaskFactory(patient=patient, assignee=counselor)
    AdmissionProfileFactory(episode=episode, patient=patient)
    OutcomeMeasuresFactory(episode=episode, patient=patient)
    episode_discharge(
        episode=episode,
        discharged_on=timezone.localdate() - dt.timedelta(days=35),
        discharge_type="transferred",
        reason="Moved to another program.",
        referred_to="Harbor Street Outpatient",
        by=counselor,
    )
    PatientAlertFactory(patient=patient)  # raised after the discharge, which an open safety alert holds up
    return patient


class TestMerge:
    def test_every_record_ends_on_the_survivor_with_its_history(self, admin, survivor, duplicate, counselor):
        before_duplicate, before_survivor = counts(duplicate), counts(survivor)
        held = {key for key, count in before_duplicate.items() if count}
        # The fixture reaches every app that keeps records of a patient.
        assert {key.split(".")[0] for key in held} >= {
            "patients",
            "scheduling",
            "clinical",
            "testing",
            "medications",
            "aftercare",
            "notifications",
            "outcomes",
        }

        merge = patient_merge(duplicate=duplicate, survivor=survivor, by=admin, reason=REASON)

        after_duplicate, after_survivor = counts(duplicate), counts(survivor)
        for key in held - set(KEPT_WITH_MERGED_CHART):
            if key == "patients.careteammember.patient":
                continue
            assert after_duplicate[key] == 0, key
            assert after_survivor[key] == before_survivor[key] + before_duplicate[key], key
        # The counselor on both care teams stays once on the kept chart; the other member moved.
        assert after_survivor["patients.careteammember.patient"] == 2
        assert after_duplicate["patients.careteammember.patient"] == 1
        assert merge.moved["scheduling.attendance.patient"] and merge.kept["patients.careteammember.patient"]

        moved_attendance = survivor.attendance.get()
        last = moved_attendance.history.latest()
        assert (last.history_user, last.history_change_reason) == (admin, f"Merged from MRN {duplicate.mrn}")

    def test_the_duplicate_is_closed_as_merged_and_audited(self, admin, survivor, duplicate):
        patient_merge(duplicate=duplicate, survivor=survivor, by=admin, reason=REASON)

        duplicate.refresh_from_db()
        assert duplicate.merged_into == survivor
        assert duplicate.status == PatientStatus.MERGED
        assert duplicate.is_entered_in_error and REASON in duplicate.entered_in_error_reason
        record = PatientMerge.objects.get()
        assert (record.merged, record.survivor, record.merged_by, record.reason) == (duplicate, survivor, admin, REASON)
        actions = set(AccessLog.objects.filter(user=admin).values_list("action", "patient_id"))
        assert actions >= {("chart merged into another", duplicate.pk), ("chart merged from another", survivor.pk)}
        assert duplicate.history.latest().merged_into_id == survivor.pk

    def test_the_merged_chart_leaves_the_registry_search_and_the_duplicate_check(
        self, admin, survivor, duplicate, login, counselor
    ):
        patient_merge(duplicate=duplicate, survivor=survivor, by=admin, reason=REASON)

        assert list(patient_search(patients_visible_to(admin), "murphy")) == [survivor]
        response = login(admin).get(reverse("patients:registry"), {"q": "murphy"})
        assert duplicate.mrn not in response.text and survivor.mrn in response.text
        assert login(counselor).get(reverse("patients:chart", args=[duplicate.pk])).status_code == 404
        assert login(counselor).get(reverse("patients:chart", args=[survivor.pk])).status_code == 200
        matches = possible_duplicates(
            legal_first_name="Orlagh", legal_last_name="Murphy", date_of_birth=dt.date(1985, 7, 3)
        )
        assert [match.patient for match in matches] == [survivor]

    def test_the_active_episode_moved_makes_the_survivor_admitted(self, admin, program):
        survivor = PatientFactory(status=PatientStatus.REFERRAL, primary_clinician=None)
        duplicate = EpisodeFactory(program=program).patient
        patient_merge(duplicate=duplicate, survivor=survivor, by=admin, reason=REASON)
        survivor.refresh_from_db()
        assert survivor.status == PatientStatus.ADMITTED
        assert survivor.primary_clinician == duplicate.primary_clinician
        assert survivor.episodes.get().status == EpisodeStatus.ACTIVE


class TestConflicts:
    def test_two_active_episodes_refuse_the_merge_and_nothing_changes(self, admin, program, survivor):
        duplicate = EpisodeFactory(program=program).patient
        ContactFactory(patient=duplicate)
        before = counts(duplicate)

        with pytest.raises(ValidationError) as refused:
            patient_merge(duplicate=duplicate, survivor=survivor, by=admin, reason=REASON)

        assert "already has an active episode of care" in str(refused.value)
        assert duplicate.mrn in str(refused.value)
        duplicate.refresh_from_db()
        assert counts(duplicate) == before
        assert duplicate.merged_into is None and not duplicate.is_entered_in_error
        assert not PatientMerge.objects.exists()

    def test_two_sobriety_dates_are_named(self, admin, survivor, duplicate, counselor):
        SobrietyDate.objects.create(
            patient=survivor, sober_since=dt.date(2026, 2, 1), reason="Reported", set_by=counselor
        )
        plan = merge_plan(duplicate=duplicate, survivor=survivor)
        assert len(plan.conflicts) == 1
        assert "Sobriety date" in plan.conflicts[0]
        with pytest.raises(ValidationError):
            patient_merge(duplicate=duplicate, survivor=survivor, by=admin, reason=REASON)
        assert survivor.sobriety_date.sober_since == dt.date(2026, 2, 1)
        assert SobrietyDate.objects.get(patient=duplicate)

    def test_a_chart_cannot_be_merged_into_itself_or_a_merged_chart(self, admin, survivor, duplicate):
        with pytest.raises(ValidationError, match="into itself"):
            patient_merge(duplicate=survivor, survivor=survivor, by=admin, reason=REASON)
        patient_merge(duplicate=duplicate, survivor=survivor, by=admin, reason=REASON)
        third = PatientFactory()
        with pytest.raises(ValidationError, match="already merged"):
            patient_merge(duplicate=third, survivor=duplicate, by=admin, reason=REASON)

    def test_a_reason_that_says_nothing_is_refused(self, admin, survivor):
        duplicate = PatientFactory()
        with pytest.raises(ValidationError, match="Say why"):
            patient_merge(duplicate=duplicate, survivor=survivor, by=admin, reason="dup")
        assert not PatientMerge.objects.exists()


class TestPermission:
    def test_only_the_merge_permission_merges(self, survivor, program):
        duplicate = PatientFactory()
        for user in (DirectorFactory(programs=[program]), CounselorFactory(programs=[program])):
            with pytest.raises(PermissionDenied):
                patient_merge(duplicate=duplicate, survivor=survivor, by=user, reason=REASON)
        assert AdminFactory().has_perm("patients.merge_patient")
        assert not Patient.objects.filter(merged_into__isnull=False).exists()


class TestAdminPage:
    def url(self, patient):
        return reverse("admin:patients_patient_merge", args=[patient.pk])

    def test_the_change_page_offers_the_merge(self, login, admin, survivor):
        response = login(admin).get(reverse("admin:patients_patient_change", args=[survivor.pk]))
        assert self.url(survivor) in response.text

    def test_choose_see_what_moves_confirm_with_a_reason(self, login, admin, survivor, duplicate):
        client = login(admin)
        preview = client.get(self.url(duplicate), {"survivor_mrn": survivor.mrn})
        assert preview.status_code == 200
        assert "Attendance" in preview.text and "Drug tests" in preview.text
        assert "Care team members" in preview.text  # one stays: the same counselor is on the kept chart
        assert not Patient.objects.filter(merged_into__isnull=False).exists()

        no_reason = client.post(
            self.url(duplicate), {"survivor_mrn": survivor.mrn, "previewed_mrn": survivor.mrn, "confirm": "1"}
        )
        assert no_reason.status_code == 200 and "Say why" in no_reason.text
        response = client.post(
            self.url(duplicate),
            {"survivor_mrn": survivor.mrn, "previewed_mrn": survivor.mrn, "reason": REASON, "confirm": "1"},
        )
        assert response.status_code == 302
        assert response.url == reverse("admin:patients_patient_change", args=[survivor.pk])
        duplicate.refresh_from_db()
        assert duplicate.merged_into == survivor
        merged_page = client.get(reverse("admin:patients_patient_change", args=[duplicate.pk]))
        assert "Merged" in merged_page.text and str(survivor) in merged_page.text
        assert self.url(duplicate) not in merged_page.text  # a merged chart offers no second merge

    def test_the_summary_costs_a_fixed_number_of_queries(
        self, login, admin, survivor, duplicate, django_assert_max_num_queries
    ):
        client = login(admin)
        # A query or three per kind of record (its ids and its unique rules), never one per record.
        with django_assert_max_num_queries(90):
            response = client.get(self.url(duplicate), {"survivor_mrn": survivor.mrn})
        assert response.status_code == 200

    def test_a_survivor_typed_after_the_summary_is_only_previewed(self, login, admin, survivor, duplicate):
        other = PatientFactory()
        response = login(admin).post(
            self.url(duplicate),
            {"survivor_mrn": other.mrn, "previewed_mrn": survivor.mrn, "reason": REASON, "confirm": "1"},
        )
        assert response.status_code == 200
        assert not PatientMerge.objects.exists()

    def test_conflicts_are_shown_and_no_merge_is_offered(self, login, admin, program, survivor):
        duplicate = EpisodeFactory(program=program).patient
        response = login(admin).get(self.url(duplicate), {"survivor_mrn": survivor.mrn})
        assert "cannot go ahead" in response.text
        assert 'name="confirm"' not in response.text

    def test_the_admin_action_takes_exactly_two_charts(self, login, admin, survivor, duplicate):
        client = login(admin)
        changelist = reverse("admin:patients_patient_changelist")
        response = client.post(
            changelist, {"action": "merge_two_charts", "_selected_action": [survivor.pk, duplicate.pk]}
        )
        assert response.status_code == 302
        assert response.url.startswith(self.url(duplicate)) and survivor.mrn in response.url
        one = client.post(changelist, {"action": "merge_two_charts", "_selected_action": [survivor.pk]}, follow=True)
        assert "Select exactly two charts" in one.text

    def test_staff_without_the_permission_get_403(self, login, survivor, duplicate):
        staff = AdminFactory()
        staff.groups.clear()
        staff.is_staff = True
        staff.save()
        assert login(staff).get(self.url(duplicate), {"survivor_mrn": survivor.mrn}).status_code == 403
        assert not PatientMerge.objects.exists()
