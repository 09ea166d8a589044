"""The access rule narrowed to candidates (``among``) answers exactly as the whole rule does."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.tests.factories import AdminFactory, CounselorFactory, DirectorFactory, IntakeCoordinatorFactory
from patients.models import BreakGlassAccess, Patient
from patients.selectors import patients_visible_to

from .factories import CareTeamMemberFactory, EpisodeFactory, IntakeFactory, PatientFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def clinic(program):
    """One patient reachable by each branch of the rule, and one reachable by none."""
    counselor = CounselorFactory(programs=[program])
    director = DirectorFactory(programs=[program])
    in_program = EpisodeFactory(program=program).patient
    own = PatientFactory(primary_clinician=counselor)
    on_team = CareTeamMemberFactory(user=counselor).patient
    awaiting = IntakeFactory().patient
    emergency = PatientFactory()
    BreakGlassAccess.objects.create(
        user=counselor, patient=emergency, reason="Crisis call.", expires_at=timezone.now() + timedelta(hours=1)
    )
    stranger = EpisodeFactory().patient
    return {
        "counselor": counselor,
        "director": director,
        "patients": [in_program, own, on_team, awaiting, emergency, stranger],
        "stranger": stranger,
    }


@pytest.mark.parametrize("who", ["counselor", "director", "intake", "admin"])
def test_narrowed_rule_agrees_with_the_whole_rule_for_every_role(clinic, who):
    user = {
        "counselor": clinic["counselor"],
        "director": clinic["director"],
        "intake": IntakeCoordinatorFactory(),
        "admin": AdminFactory(),
    }[who]
    everyone = {patient.pk for patient in clinic["patients"]}
    whole = set(patients_visible_to(user).filter(pk__in=everyone).values_list("pk", flat=True))
    for candidates in ([p.pk for p in clinic["patients"]], Patient.objects.filter(pk__in=everyone).values("pk")):
        narrowed = set(patients_visible_to(user, among=candidates).values_list("pk", flat=True))
        assert narrowed == whole
    # A subset of candidates only ever returns from that subset.
    first_two = [p.pk for p in clinic["patients"][:2]]
    assert set(patients_visible_to(user, among=first_two).values_list("pk", flat=True)) == whole & set(first_two)


def test_counselor_and_director_see_different_branches(clinic):
    ids = [patient.pk for patient in clinic["patients"]]
    counselor_sees = set(patients_visible_to(clinic["counselor"], among=ids).values_list("pk", flat=True))
    director_sees = set(patients_visible_to(clinic["director"], among=ids).values_list("pk", flat=True))
    in_program, own, on_team, awaiting, emergency, stranger = ids
    assert counselor_sees == {in_program, own, on_team, emergency}
    assert director_sees == {in_program, awaiting}
    assert stranger not in counselor_sees | director_sees


def test_candidates_travel_as_one_parameter_whatever_their_number(clinic):
    """510 candidate ids cost the same statement as 3: one array, not a placeholder per id per subquery."""
    counselor = clinic["counselor"]
    few_sql, few_params = patients_visible_to(counselor, among=[1, 2, 3]).query.sql_with_params()
    many_sql, many_params = patients_visible_to(counselor, among=range(1, 511)).query.sql_with_params()
    assert few_sql == many_sql
    assert len(few_params) == len(many_params) < 12
    assert "ANY(" in many_sql


@pytest.mark.parametrize("who", ["counselor", "admin"])
def test_no_candidates_means_no_patients(clinic, who):
    user = clinic["counselor"] if who == "counselor" else AdminFactory()
    assert not patients_visible_to(user, among=[]).exists()
