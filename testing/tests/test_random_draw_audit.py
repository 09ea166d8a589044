"""The auditor's page on random testing: counts, the predictability figures, each draw re-checked, and access."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import CounselorFactory, DirectorFactory
from audit.models import AccessLog
from patients.tests.factories import EpisodeFactory
from programs.tests.factories import ProgramFactory
from testing.constants import DrawReason, DrawRecheck
from testing.models import RandomDraw
from testing.selectors.random_draws import draw_recheck, random_draw_audit
from testing.services.random_draws import daily_probability
from testing.tests.factories import ProgramClinicalPolicyFactory

pytestmark = pytest.mark.django_db

AUDIT_URL = reverse("testing:random_draw_audit")
# The session, the user with roles and MFA device, the programs with their policies, the draws, and
# the access-log row (one INSERT: the sequencer chains it after commit).
AUDIT_QUERIES = 12
# The session and the user with MFA device (roles and permissions come from the privilege cache once
# the test's first look has read them), the draw with its program and the record numbers one may see.
DETAIL_QUERIES = 6
P = daily_probability(0.30, 5)  # MO–FR, 30 % a week: about 0.069


def last_week_monday() -> dt.date:
    today = timezone.localdate()
    return today - dt.timedelta(days=today.weekday() + 7)


def make_draw(program, on: dt.date, patients: dict[int, tuple[dt.date, float, str]]) -> RandomDraw:
    """A draw record as the service writes it: per patient id, (last tested, number drawn, reason or "")."""
    return RandomDraw.objects.create(
        program=program,
        draw_date=on,
        weekly_testing_rate=Decimal("0.300"),
        testing_days="MO,TU,WE,TH,FR",
        daily_probability=Decimal(f"{P:.6f}"),
        longest_gap_days=14,
        eligible_patient_ids=sorted(patients),
        last_tested_on={str(pid): last.isoformat() for pid, (last, _, _) in patients.items()},
        random_values={str(pid): value for pid, (_, value, _) in patients.items()},
        drawn={str(pid): reason for pid, (_, _, reason) in patients.items() if reason},
    )


def four_patients(program) -> list[int]:
    return sorted(EpisodeFactory(program=program).patient_id for _ in range(4))


def monday_draw(program, monday: dt.date, ids: list[int], *, window_reason: str = DrawReason.GAP_WINDOW) -> RandomDraw:
    """On a Monday: one patient drawn at random, one in the gap window (2 testing days left), one on
    day g itself (last tested two weeks ago), one not drawn."""
    at_random, in_window, on_day_g, spared = ids
    return make_draw(
        program,
        monday,
        {
            at_random: (monday - dt.timedelta(days=3), 0.01, DrawReason.RANDOM),
            # Last tested Tuesday two weeks ago: the limit is tomorrow, so Monday and Tuesday are left.
            in_window: (monday - dt.timedelta(days=13), 0.3, window_reason),
            on_day_g: (monday - dt.timedelta(days=14), 0.5, DrawReason.GAP),
            spared: (monday - dt.timedelta(days=3), 0.9, ""),
        },
    )


@pytest.fixture
def testing_program(program):
    program.meeting_days = "MO,TU,WE,TH,FR"
    program.save()
    ProgramClinicalPolicyFactory(program=program)
    return program


class TestRecheck:
    def test_a_draw_made_by_the_rule_agrees_and_counts_each_reason(self, testing_program):
        draw = monday_draw(testing_program, last_week_monday(), four_patients(testing_program))
        check = draw_recheck(draw)
        assert check.verdict == DrawRecheck.GAP_WINDOW_RULE and check.disagreements == 0
        assert (check.random, check.gap_window, check.gap, check.tests) == (1, 1, 1, 3)
        assert check.window_testing_days == 4
        # Only the test on day g was foreseeable; the chances were p, p + (1 − p) / 2 and 1.
        assert check.foreseeable == 1
        assert check.chance_on_test_days == pytest.approx(P + (P + (1 - P) / 2) + 1)
        assert [choice.testing_days_left for choice in check.choices] == [10, 2, 1, 10]

    def test_a_draw_from_before_the_gap_window_is_recognised(self, testing_program):
        # The earlier rule left the window patient alone: their gap would pass 14 only after Tuesday.
        draw = monday_draw(testing_program, last_week_monday(), four_patients(testing_program), window_reason="")
        check = draw_recheck(draw)
        assert check.verdict == DrawRecheck.FIXED_DAY_RULE
        assert all(choice.agrees for choice in check.choices)

    def test_a_record_that_does_not_follow_from_its_numbers_is_flagged(self, testing_program):
        draw = monday_draw(testing_program, last_week_monday(), four_patients(testing_program))
        spared = max(draw.eligible_patient_ids)
        draw.drawn[str(spared)] = DrawReason.RANDOM  # drawn with 0.9, far above p
        draw.save()
        check = draw_recheck(draw)
        assert check.verdict == DrawRecheck.DISAGREES and check.disagreements == 1
        [wrong] = [choice for choice in check.choices if not choice.agrees]
        assert wrong.patient_id == spared and wrong.expected == ""

    def test_a_number_missing_from_the_record_cannot_agree(self, testing_program):
        draw = monday_draw(testing_program, last_week_monday(), four_patients(testing_program))
        del draw.random_values[str(draw.eligible_patient_ids[0])]
        draw.save()
        assert draw_recheck(draw).verdict == DrawRecheck.DISAGREES


class TestCounts:
    def test_shares_forced_and_foreseeable_per_program_and_in_all(self, testing_program, director):
        monday = last_week_monday()
        monday_draw(testing_program, monday, four_patients(testing_program))
        make_draw(testing_program, monday + dt.timedelta(days=1), {})
        other = ProgramFactory(meeting_days="MO,TU,WE,TH,FR")
        ProgramClinicalPolicyFactory(program=other)
        director.programs.add(other)
        ids = four_patients(other)
        make_draw(other, monday, {ids[0]: (monday - dt.timedelta(days=2), 0.02, DrawReason.RANDOM)})
        audit = random_draw_audit(director, monday - dt.timedelta(days=7), monday + dt.timedelta(days=6))
        by_program = {summary.program: summary.counts for summary in audit.programs}
        counts = by_program[testing_program]
        assert (counts.draws, counts.eligible, counts.tests, counts.forced) == (2, 4, 3, 2)
        assert counts.forced_share == pytest.approx(2 / 3)
        assert counts.foreseeable_share == pytest.approx(1 / 3)
        assert by_program[other].forced_share == 0 and by_program[other].foreseeable_share == 0
        assert (audit.totals.draws, audit.totals.tests, audit.totals.forced) == (3, 4, 2)
        assert audit.totals.foreseeable_share == pytest.approx(1 / 4)

    def test_the_period_includes_both_ends_and_nothing_outside(self, testing_program, director):
        monday = last_week_monday()
        for offset in (-1, 0, 4, 5):
            make_draw(testing_program, monday + dt.timedelta(days=offset), {})
        [summary] = random_draw_audit(director, monday, monday + dt.timedelta(days=4)).programs
        assert [check.draw.draw_date for check in summary.days] == [monday, monday + dt.timedelta(days=4)]

    def test_a_program_whose_testing_days_miss_its_meetings_is_shown_with_no_draw_day(self, program, director):
        ProgramClinicalPolicyFactory(program=program, testing_days="WE,FR")  # the program meets MO, TU, TH
        [summary] = random_draw_audit(director, last_week_monday(), timezone.localdate()).programs
        assert summary.no_draw_day and summary.draw_day_codes == []

    def test_only_the_programs_a_user_staffs_are_counted(self, testing_program, other_counselor):
        monday_draw(testing_program, last_week_monday(), four_patients(testing_program))
        audit = random_draw_audit(other_counselor, last_week_monday(), timezone.localdate())
        assert audit.programs == [] and audit.totals.draws == 0


class TestAuditPage:
    def test_counts_and_explanations_without_patient_names(self, login, counselor, testing_program):
        draw = monday_draw(testing_program, last_week_monday(), four_patients(testing_program))
        response = login(counselor).get(AUDIT_URL)
        assert response.status_code == 200
        page = response.text
        summary = page[page.index('id="draw-summary"') :]
        assert "67%" in summary and "33%" in summary  # forced, foreseeable
        assert "Foreseeable" in page and "could have known in advance" in page
        assert reverse("testing:random_draw_detail", args=[draw.pk]) in page
        for episode in testing_program.episodes.select_related("patient"):
            assert episode.patient.mrn not in page and episode.patient.display_name not in page

    def test_the_default_period_is_the_last_eight_weeks(self, login, counselor, testing_program):
        today = timezone.localdate()
        inside, outside = today - dt.timedelta(days=55), today - dt.timedelta(days=56)
        make_draw(testing_program, inside, {})
        make_draw(testing_program, outside, {})
        response = login(counselor).get(AUDIT_URL)
        period = response.context["period"]
        assert (period.start, period.end) == (inside, today)
        [summary] = response.context["audit"].programs
        assert [check.draw.draw_date for check in summary.days] == [inside]
        assert response.context["form"]["start"].value() == inside.isoformat()
        assert f'value="{inside.isoformat()}"' in response.text

    def test_a_chosen_period(self, login, counselor, testing_program):
        monday = last_week_monday()
        make_draw(testing_program, monday, {})
        response = login(counselor).get(AUDIT_URL, {"start": monday.isoformat(), "end": monday.isoformat()})
        assert response.status_code == 200 and response.context["audit"].totals.draws == 1

    @pytest.mark.parametrize(
        ("params", "field", "message"),
        [
            ({"start": "last week"}, "start", "Enter a valid date"),
            ({"end": "2026-02-30"}, "end", "Enter a valid date"),
            ({"start": "0001-01-01"}, "start", "Choose a day from 01/01/2000"),
            ({"end": "9999-12-31"}, "end", "never ahead"),
            ({"start": "2026-03-10", "end": "2026-03-09"}, "end", "before the start date"),
            ({"start": "2024-01-01", "end": "2025-01-01"}, "start", "at most 366 days"),
        ],
    )
    def test_bad_parameters_answer_400_with_the_reason_next_to_the_field(
        self, login, counselor, testing_program, params, field, message
    ):
        response = login(counselor).get(AUDIT_URL, params)
        assert response.status_code == 400
        assert message in " ".join(response.context["form"].errors[field])
        assert f'id="id_{field}-error"' in response.text
        assert not AccessLog.objects.filter(action="random draw audit").exists()

    def test_the_default_start_stops_at_the_earliest_day(self, login, counselor, testing_program):
        response = login(counselor).get(AUDIT_URL, {"end": "2000-01-05"})
        assert response.status_code == 200
        assert response.context["period"].start == dt.date(2000, 1, 1)

    def test_a_year_is_accepted_and_one_day_more_refused(self, login, counselor, testing_program):
        end = timezone.localdate()
        client = login(counselor)
        longest = {"start": (end - dt.timedelta(days=365)).isoformat(), "end": end.isoformat()}
        assert client.get(AUDIT_URL, longest).status_code == 200
        too_long = {"start": (end - dt.timedelta(days=366)).isoformat(), "end": end.isoformat()}
        assert client.get(AUDIT_URL, too_long).status_code == 400

    def test_every_look_writes_one_access_log_row(self, login, counselor, testing_program):
        monday_draw(testing_program, last_week_monday(), four_patients(testing_program))
        login(counselor).get(AUDIT_URL)
        [row] = AccessLog.objects.filter(action="random draw audit")
        assert row.user == counselor and row.patient is None and row.outcome == "allowed"
        assert "1 draw, 3 tests" in row.detail

    def test_intake_staff_are_refused(self, login, intake_worker, testing_program):
        assert login(intake_worker).get(AUDIT_URL).status_code == 403

    def test_directors_and_admins_see_it(self, login, director, admin_user, testing_program):
        assert login(director).get(AUDIT_URL).status_code == 200
        assert login(admin_user).get(AUDIT_URL).status_code == 200

    def test_the_testing_desk_links_to_it(self, login, counselor):
        response = login(counselor).get(reverse("testing:testing_lists"))
        assert f'href="{AUDIT_URL}"' in response.text

    def test_queries_do_not_grow_with_programs_draws_or_patients(
        self, login, testing_program, django_assert_max_num_queries
    ):
        director = DirectorFactory(programs=[testing_program])
        client = login(director)
        monday = last_week_monday()
        monday_draw(testing_program, monday, four_patients(testing_program))
        client.get(AUDIT_URL)  # the first request warms the session and the user's roles
        with django_assert_max_num_queries(AUDIT_QUERIES) as small:
            client.get(AUDIT_URL)
        others = [ProgramFactory(meeting_days="MO,TU,WE,TH,FR") for _ in range(2)]
        for other in others:
            ProgramClinicalPolicyFactory(program=other)
            director.programs.add(other)
        for week in range(1, 4):
            for program in (testing_program, *others):
                monday_draw(program, monday - dt.timedelta(weeks=week), four_patients(program))
        with django_assert_max_num_queries(AUDIT_QUERIES) as large:
            response = client.get(AUDIT_URL)
        assert response.context["audit"].totals.draws == 10 and len(response.context["audit"].programs) == 3
        assert len(large.captured_queries) == len(small.captured_queries)


class TestDrawRecord:
    def test_every_patients_numbers_and_the_recheck(self, login, counselor, testing_program):
        ids = four_patients(testing_program)
        draw = monday_draw(testing_program, last_week_monday(), ids)
        response = login(counselor).get(reverse("testing:random_draw_detail", args=[draw.pk]))
        assert response.status_code == 200
        page = response.text
        assert "Agrees with the gap-window rule" in page
        rows = page[page.index('id="draw-choices"') :]
        assert rows.count("<tr") == 5  # the header and four patients
        assert "gap window, 2 days left" in rows and "last day" in rows and "100.0%" in rows
        assert DrawReason.GAP_WINDOW.label in rows
        # Record numbers link to each chart the user may see; names stay off the page.
        episode = testing_program.episodes.select_related("patient").get(patient_id=ids[0])
        assert episode.patient.mrn in rows and reverse("testing:chart_drug_tests", args=[ids[0]]) in rows
        assert episode.patient.display_name not in page

    def test_a_patient_the_user_may_not_see_is_shown_by_id_only(self, login, testing_program):
        ids = four_patients(testing_program)
        draw = monday_draw(testing_program, last_week_monday(), ids)
        staff = CounselorFactory(programs=[testing_program])
        hidden = testing_program.episodes.get(patient_id=ids[1])
        hidden.program = ProgramFactory()  # moved to another program since the draw
        hidden.save()
        response = login(staff).get(reverse("testing:random_draw_detail", args=[draw.pk]))
        assert f"patient #{ids[1]}" in response.text
        assert hidden.patient.mrn not in response.text

    def test_a_disagreeing_record_is_marked(self, login, counselor, testing_program):
        draw = monday_draw(testing_program, last_week_monday(), four_patients(testing_program))
        draw.drawn.pop(str(draw.eligible_patient_ids[2]))  # day g's patient left out
        draw.save()
        response = login(counselor).get(reverse("testing:random_draw_detail", args=[draw.pk]))
        assert "differ from what its recorded numbers give: 1" in response.text
        assert 'class="table-danger"' in response.text

    def test_each_look_is_logged(self, login, counselor, testing_program):
        draw = monday_draw(testing_program, last_week_monday(), four_patients(testing_program))
        login(counselor).get(reverse("testing:random_draw_detail", args=[draw.pk]))
        [row] = AccessLog.objects.filter(action="random draw record")
        assert row.user == counselor and "4 eligible, 3 drawn" in row.detail

    def test_another_programs_draw_is_not_found(self, login, other_counselor, testing_program):
        draw = monday_draw(testing_program, last_week_monday(), four_patients(testing_program))
        response = login(other_counselor).get(reverse("testing:random_draw_detail", args=[draw.pk]))
        assert response.status_code == 404

    def test_intake_staff_are_refused(self, login, intake_worker, testing_program):
        draw = make_draw(testing_program, last_week_monday(), {})
        response = login(intake_worker).get(reverse("testing:random_draw_detail", args=[draw.pk]))
        assert response.status_code == 403

    def test_queries_do_not_grow_with_the_patients(self, login, counselor, testing_program, django_assert_num_queries):
        client = login(counselor)
        small = monday_draw(testing_program, last_week_monday(), four_patients(testing_program))
        client.get(reverse("testing:random_draw_detail", args=[small.pk]))
        patients = {
            EpisodeFactory(program=testing_program).patient_id: (last_week_monday(), 0.5, "") for _ in range(30)
        }
        large = make_draw(testing_program, last_week_monday() - dt.timedelta(days=7), patients)
        with django_assert_num_queries(DETAIL_QUERIES):
            client.get(reverse("testing:random_draw_detail", args=[small.pk]))
        with django_assert_num_queries(DETAIL_QUERIES):
            client.get(reverse("testing:random_draw_detail", args=[large.pk]))
