import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.tests.factories import AdminFactory, CounselorFactory
from audit.constants import DataCategory, Outcome
from audit.models import AccessLog
from clinical import services
from clinical.constants import NoteFormat
from clinical.models import CounselingNote, GroupNote, SessionNote, TreatmentPlan
from patients.tests.factories import CareTeamMemberFactory, EpisodeFactory
from scheduling.tests.factories import AttendanceFactory, SessionFactory, session_times

from .conftest import hours_ago
from .factories import complete_plan, plan_goal, signed_plan
from .test_notes import attend, group_session

pytestmark = pytest.mark.django_db


def signed_note(episode, author, goal, *, hours_before: float = 4):
    session = SessionFactory(episode=episode, clinician=author, **session_times(hours_ago(hours_before), 60))
    AttendanceFactory(session=session)
    note = services.session_note_create(session=session, author=author, format=NoteFormat.SOAP)
    note = services.session_note_update(
        note=note, by=author, subjective="s", objective="o", assessment="a", plan="p", goal=goal
    )
    return services.session_note_sign(note=note, by=author)


class TestPlanPages:
    def test_plan_tab_renders_and_logs_the_look(self, login, counselor, episode):
        plan = signed_plan(episode)
        response = login(counselor).get(reverse("clinical:chart_plan", args=[episode.patient_id]))
        assert response.status_code == 200
        assert plan_goal(plan).statement in response.text
        log = AccessLog.objects.get(patient=episode.patient, user=counselor)
        assert (log.category, log.outcome) == (DataCategory.TREATMENT_PLAN, Outcome.ALLOWED)

    def test_build_and_sign_a_plan_in_the_browser_flow(self, login, counselor, episode):
        client = login(counselor)
        pk = episode.patient_id
        client.post(reverse("clinical:plan_start", args=[pk]))
        plan = TreatmentPlan.objects.get(episode=episode)
        response = client.post(
            reverse("clinical:plan_item_add", args=[pk, plan.pk, "problem"]),
            {"statement": "Cocaine use on weekends", "asam_dimensions": ["5"]},
        )
        assert response.status_code == 302
        problem = plan.problems.get()
        client.post(
            reverse("clinical:plan_item_add", args=[pk, plan.pk, "goal"]),
            {"statement": "Abstain", "parent": problem.pk},
        )
        goal = problem.goals.get()
        client.post(
            reverse("clinical:plan_item_add", args=[pk, plan.pk, "objective"]),
            {"statement": "4 negative tests", "target_on": "2099-01-01", "parent": goal.pk},
        )
        client.post(
            reverse("clinical:plan_item_add", args=[pk, plan.pk, "intervention"]),
            {
                "modality": "individual",
                "frequency_count": 1,
                "frequency_period": "week",
                "responsible": counselor.pk,
                "parent": goal.pk,
            },
        )
        client.post(reverse("clinical:plan_sign", args=[pk, plan.pk]))
        plan.refresh_from_db()
        assert plan.is_signed
        response = client.post(
            reverse("clinical:plan_agreement", args=[pk, plan.pk]),
            {"agreement": "verbal", "agreed_on": plan.signed_at.date().isoformat(), "witness": ""},
        )
        assert response.status_code == 200 and "Name the witness" in response.text
        response = client.get(reverse("clinical:plan_version", args=[pk, plan.pk]))
        assert "Signed" in response.text and "Add a problem" not in response.text

    def test_missing_asam_dimension_is_shown_next_to_the_field(self, login, counselor, episode):
        plan = complete_plan(episode)
        response = login(counselor).post(
            reverse("clinical:plan_item_add", args=[episode.patient_id, plan.pk, "problem"]), {"statement": "x"}
        )
        assert response.status_code == 200 and "at least one ASAM dimension" in response.text

    def test_earlier_versions_stay_readable(self, login, counselor, episode):
        first = signed_plan(episode)
        services.plan_revise(plan=first, by=counselor, reason="New problem")
        response = login(counselor).get(reverse("clinical:plan_version", args=[episode.patient_id, first.pk]))
        assert response.status_code == 200 and "Earlier version" in response.text


class TestNotesTab:
    def test_signed_notes_for_all_and_drafts_only_for_their_author(self, login, counselor, episode, program):
        colleague = CounselorFactory(programs=[program])
        CareTeamMemberFactory(patient=episode.patient, user=colleague)
        goal = plan_goal(signed_plan(episode))
        signed = signed_note(episode, counselor, goal)
        session = SessionFactory(episode=episode, clinician=counselor, **session_times(hours_ago(2), 60))
        AttendanceFactory(session=session)
        draft = services.session_note_create(session=session, author=counselor, format=NoteFormat.DAP)
        url = reverse("clinical:chart_notes", args=[episode.patient_id])
        mine = login(counselor).get(url).text
        assert reverse("clinical:note_detail", args=[draft.pk]) in mine
        theirs = login(colleague).get(url).text
        assert reverse("clinical:note_detail", args=[signed.pk]) in theirs
        assert reverse("clinical:note_detail", args=[draft.pk]) not in theirs
        assert login(colleague).get(reverse("clinical:note_detail", args=[draft.pk])).status_code == 404

    def test_query_count_does_not_grow_with_the_notes(self, login, counselor, episode, django_assert_num_queries):
        goal = plan_goal(signed_plan(episode))
        client = login(counselor)
        url = reverse("clinical:chart_notes", args=[episode.patient_id])

        def add_notes(count):
            for index in range(count):
                note = signed_note(episode, counselor, goal, hours_before=5 + 2 * (index + SessionNote.objects.count()))
                services.note_addendum_add(note=note, author=counselor, text="Late call from patient.")

        add_notes(1)
        client.get(url)
        with CaptureQueriesContext(connection) as small:
            assert client.get(url).status_code == 200
        add_notes(9)
        with django_assert_num_queries(len(small.captured_queries)):
            response = client.get(url)
        assert response.text.count("Late call") == 0 and response.text.count("addendum") == 10

    def test_sign_through_the_note_form_then_add_an_addendum(self, login, counselor, episode, individual_session):
        goal = plan_goal(signed_plan(episode))
        AttendanceFactory(session=individual_session)
        client = login(counselor)
        response = client.post(reverse("clinical:session_note_start", args=[individual_session.pk]), {"format": "birp"})
        note = SessionNote.objects.get(session=individual_session)
        assert response.url == reverse("clinical:note_edit", args=[note.pk])
        form = {
            "started_at": "2030-01-01T10:00",
            "ended_at": "2030-01-01T10:50",
            "behavior": "b",
            "intervention": "i",
            "response": "r",
            "plan": "",
            "goal": goal.pk,
            "sign": "1",
        }
        response = client.post(reverse("clinical:note_edit", args=[note.pk]), form)
        assert response.status_code == 200 and "Write the plan section." in response.text
        form["plan"] = "p"
        response = client.post(reverse("clinical:note_edit", args=[note.pk]), form)
        assert response.status_code == 302
        note.refresh_from_db()
        assert note.is_signed
        client.post(reverse("clinical:note_addendum", args=[note.pk]), {"text": "Correction: 45 minutes."})
        assert note.addenda.get().text == "Correction: 45 minutes."


class TestAccess:
    def test_another_teams_clinician_gets_404(self, login, counselor, other_counselor, episode):
        plan = signed_plan(episode)
        note = signed_note(episode, counselor, plan_goal(plan))
        client = login(other_counselor)
        pk = episode.patient_id
        for url in (
            reverse("clinical:chart_plan", args=[pk]),
            reverse("clinical:plan_version", args=[pk, plan.pk]),
            reverse("clinical:chart_notes", args=[pk]),
            reverse("clinical:note_detail", args=[note.pk]),
            reverse("clinical:counseling_notes", args=[pk]),
        ):
            assert client.get(url).status_code == 404, url
        assert client.post(reverse("clinical:plan_revise", args=[pk, plan.pk]), {"reason": "x"}).status_code == 404
        assert AccessLog.objects.filter(user=other_counselor, outcome=Outcome.REFUSED).count() >= 5

    def test_intake_staff_have_no_clinical_record(self, login, intake_user, episode):
        response = login(intake_user).get(reverse("clinical:chart_notes", args=[episode.patient_id]))
        assert response.status_code == 403


@pytest.fixture
def intake_user(db):
    from accounts.tests.factories import IntakeCoordinatorFactory

    return IntakeCoordinatorFactory()


class TestCounselingNotes:
    def test_only_the_author_sees_them(self, login, counselor, supervisor, episode, program):
        colleague = CounselorFactory(programs=[program])
        client = login(counselor)
        url = reverse("clinical:counseling_notes", args=[episode.patient_id])
        client.post(url, {"content": "Process notes: transference around father."})
        note = CounselingNote.objects.get()
        assert "transference" in client.get(url).text
        edit_url = reverse("clinical:counseling_note_edit", args=[episode.patient_id, note.pk])
        for other in (colleague, supervisor):
            other_client = login(other)
            assert "transference" not in other_client.get(url).text
            assert other_client.get(edit_url).status_code == 404
            assert other_client.post(edit_url, {"content": "overwritten"}).status_code == 404
        note.refresh_from_db()
        assert "transference" in note.content
        assert (
            "transference" not in login(counselor).get(reverse("clinical:chart_notes", args=[episode.patient_id])).text
        )

    def test_the_admin_never_shows_the_content(self, login, counselor, episode):
        note = services.counseling_note_create(patient=episode.patient, author=counselor, content="Secret dream work.")
        admin_client = login(AdminFactory(is_superuser=True))
        changelist = admin_client.get(reverse("admin:clinical_counselingnote_changelist"))
        assert changelist.status_code == 200 and "Secret dream" not in changelist.text
        change = admin_client.get(reverse("admin:clinical_counselingnote_change", args=[note.pk]))
        assert change.status_code == 200 and "Secret dream" not in change.text


class TestGroupNotePages:
    def test_start_is_offered_only_to_who_may_start_it_and_otherwise_says_why(self, login, counselor, program):
        session = group_session(program, counselor)
        url = reverse("clinical:session_note_start", args=[session.pk])
        start = "Start the group note"
        before_attendance = login(counselor).get(url)
        assert start not in before_attendance.text and "Take attendance first" in before_attendance.text
        episode = EpisodeFactory(program=program, primary_clinician=counselor)
        signed_plan(episode)
        attend(session, episode)
        assert start in login(counselor).get(url).text
        colleague = login(CounselorFactory(programs=[program])).get(url)
        assert colleague.status_code == 200
        assert start not in colleague.text and "Only the clinicians who ran the session" in colleague.text
        assert not GroupNote.objects.filter(session=session).exists()

    def test_facilitator_writes_and_signs_the_group_note(self, login, counselor, program):
        session = group_session(program, counselor)
        episodes = [EpisodeFactory(program=program, primary_clinician=counselor) for _ in range(2)]
        for episode in episodes:
            signed_plan(episode)
            attend(session, episode)
        client = login(counselor)
        assert client.get(reverse("clinical:sessions_needing_notes")).text.count("Write note") == 1
        client.post(reverse("clinical:session_note_start", args=[session.pk]))
        group_note = GroupNote.objects.get(session=session)
        url = reverse("clinical:group_note", args=[group_note.pk])
        page = client.get(url)
        assert page.status_code == 200 and "Managing cravings" in page.text
        data = {
            "topic": group_note.topic,
            "interventions": "CBT",
            "group_dynamics": "Cohesive",
            "started_at": "2030-01-01T18:00",
            "ended_at": "2030-01-01T21:00",
            "sign": "1",
        }
        for index, section in enumerate(group_note.sections.select_related("episode")):
            prefix = f"section-{section.pk}"
            data |= {
                f"{prefix}-participation": "Same words" if index else "Same  WORDS",
                f"{prefix}-progress": f"Progress {index}",
                f"{prefix}-plan": "Continue",
                f"{prefix}-goal": plan_goal(section.episode.treatment_plans.get()).pk,
            }
        response = client.post(url, data)
        assert response.status_code == 200 and "copied word for word" in response.text
        for index, section in enumerate(group_note.sections.all()):
            data[f"section-{section.pk}-participation"] = f"Own words {index}"
        assert client.post(url, data).status_code == 302
        assert SessionNote.objects.filter(group_note=group_note, signed_at__isnull=False).count() == 2
        assert "Every recent session has its note" in client.get(reverse("clinical:sessions_needing_notes")).text

    def test_my_notes_lists_drafts_and_team_overdue(self, login, trainee, supervisor, episode):
        session = SessionFactory(episode=episode, clinician=trainee, **session_times(hours_ago(40), 60))
        AttendanceFactory(session=session)
        services.session_note_create(session=session, author=trainee, format=NoteFormat.DAP)
        assert "overdue" in login(trainee).get(reverse("clinical:my_notes")).text
        page = login(supervisor).get(reverse("clinical:my_notes")).text
        assert "My team's overdue notes" in page and trainee.get_full_name() in page


@pytest.mark.parametrize(
    "model",
    [
        "treatmentplan",
        "problem",
        "goal",
        "objective",
        "intervention",
        "planreview",
        "sessionnote",
        "groupnote",
        "noteaddendum",
        "counselingnote",
        "programdocumentationpolicy",
    ],
)
def test_admin_lists_every_clinical_model(login, model, episode, counselor):
    signed_note(episode, counselor, plan_goal(signed_plan(episode)))
    response = login(AdminFactory(is_superuser=True)).get(reverse(f"admin:clinical_{model}_changelist"))
    assert response.status_code == 200


def test_signed_notes_are_read_only_in_the_admin(login, episode, counselor):
    note = signed_note(episode, counselor, plan_goal(signed_plan(episode)))
    client = login(AdminFactory(is_superuser=True))
    response = client.post(reverse("admin:clinical_sessionnote_change", args=[note.pk]), {"plan": "rewritten"})
    assert response.status_code == 403
    note.refresh_from_db()
    assert note.plan == "p"
