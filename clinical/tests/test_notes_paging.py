"""The chart's Notes tab a page at a time: keyset cursor, fixed cost whatever the history, drafts and access kept."""

import datetime as dt
import html
import re

import pytest
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator

from accounts.tests.factories import CounselorFactory
from audit.constants import DataCategory, Outcome
from audit.models import AccessLog
from clinical import services
from clinical.constants import NoteFormat, NoteKind
from clinical.models import NoteAddendum, SessionNote
from clinical.selectors.notes import CHART_NOTES_PAGE_SIZE, _card_time, _shortened
from iop.params import keyset_value
from patients.tests.factories import CareTeamMemberFactory
from scheduling.constants import SessionKind
from scheduling.models import Session
from scheduling.tests.factories import RoomFactory, session_times

from .factories import plan_goal
from .test_notes import group_setup as group_setup_fixture
from .test_notes import write_sections

pytestmark = pytest.mark.django_db
group_setup = group_setup_fixture  # three patients in a group session (clinical/tests/test_notes.py)

NOTE_LINK = re.compile(r'href="/clinical/notes/(\d+)/"')
OLDER_LINK = re.compile(r'href="\?before=([^"]+)"')


def add_notes(episode, author, count, *, first_start=None, same_moment_every=1, signed=True) -> list[SessionNote]:
    """``count`` notes on their own sessions, written straight to the table (the services are tested elsewhere).

    Every ``same_moment_every`` notes share one start time, to check that ties are paged by id.
    """
    room = RoomFactory()
    first_start = first_start or timezone.now() - dt.timedelta(days=1)
    starts = [first_start - dt.timedelta(hours=index // same_moment_every) for index in range(count)]
    sessions = Session.objects.bulk_create(
        Session(
            program=episode.program,
            kind=SessionKind.INDIVIDUAL,
            patient=episode.patient,
            episode=episode,
            clinician=author,
            room=room,
            # Sessions apart in time (a clinician is booked once at a time); the notes' own times may tie.
            **session_times(first_start - dt.timedelta(days=400) + dt.timedelta(hours=index), 60),
        )
        for index in range(count)
    )
    notes = SessionNote.objects.bulk_create(
        SessionNote(
            kind=NoteKind.INDIVIDUAL,
            format=NoteFormat.DAP,
            patient=episode.patient,
            episode=episode,
            session=session,
            author=author,
            started_at=start,
            ended_at=start + dt.timedelta(minutes=50),
            data=f"Reviewed the week's triggers and coping plan, session {index}. " * 6,
            assessment="Engaged; cravings lower.",
            plan="Continue.",
            signed_at=start + dt.timedelta(hours=1) if signed else None,
            signed_by=author if signed else None,
        )
        for index, (session, start) in enumerate(zip(sessions, starts, strict=True))
    )
    if signed:
        NoteAddendum.objects.bulk_create(
            NoteAddendum(note=note, author=author, text="Late call.", signed_at=note.signed_at) for note in notes
        )
    return notes


def note_ids(response) -> list[int]:
    return [int(pk) for pk in NOTE_LINK.findall(response.content.decode())]


def older_cursor(response) -> str | None:
    found = OLDER_LINK.search(response.content.decode())
    return html.unescape(found.group(1)) if found else None


@pytest.fixture
def url(episode):
    return reverse("clinical:chart_notes", args=[episode.patient_id])


class TestFixedCost:
    def test_query_count_is_the_same_with_20_and_200_notes(
        self, login, counselor, episode, url, django_assert_num_queries
    ):
        client = login(counselor)
        add_notes(episode, counselor, 20)
        client.get(url)  # warm the per-session caches, as on any later page
        # Counted at once: every request clears the connection's query log the context reads from.
        with CaptureQueriesContext(connection) as captured:
            twenty = client.get(url)
        first_page_queries = len(captured.captured_queries)
        assert len(note_ids(twenty)) == 20 and older_cursor(twenty) is None
        with CaptureQueriesContext(connection) as captured:
            client.get(url, {"before": keyset_value(timezone.now(), 0)})
        cursor_page_queries = len(captured.captured_queries)

        add_notes(episode, counselor, 180, first_start=timezone.now() - dt.timedelta(days=30))
        with django_assert_num_queries(first_page_queries):
            response = client.get(url)
        assert len(note_ids(response)) == CHART_NOTES_PAGE_SIZE
        with django_assert_num_queries(cursor_page_queries):
            deep = client.get(url, {"before": older_cursor(response)})
        assert len(note_ids(deep)) == CHART_NOTES_PAGE_SIZE

    def test_the_rendered_page_does_not_grow_with_the_history(self, login, counselor, episode, url):
        client = login(counselor)
        add_notes(episode, counselor, 40)
        short_history = len(client.get(url).content)
        add_notes(episode, counselor, 360, first_start=timezone.now() - dt.timedelta(days=60))
        response = client.get(url)
        assert len(note_ids(response)) == CHART_NOTES_PAGE_SIZE
        # The same 25 newest cards: only the ids' digits may differ in length.
        assert abs(len(response.content) - short_history) < 200
        assert "1 addendum, latest" in response.text


class TestCursor:
    def test_pages_cover_every_note_once_in_order_even_at_equal_times(self, login, counselor, episode, url):
        # Seven notes share each start time, so page boundaries fall inside a run of equal times.
        notes = add_notes(episode, counselor, 80, same_moment_every=7)
        expected = [note.pk for note in sorted(notes, key=lambda note: (note.started_at, note.pk), reverse=True)]
        client = login(counselor)
        seen, cursor, pages = [], None, 0
        while True:
            response = client.get(url, {"before": cursor} if cursor else {})
            assert response.status_code == 200
            seen += note_ids(response)
            pages += 1
            cursor = older_cursor(response)
            if cursor is None:
                break
        assert seen == expected
        assert pages == 4  # 25 + 25 + 25 + 5

    def test_htmx_load_more_answers_the_next_cards_alone(self, login, counselor, episode, url):
        add_notes(episode, counselor, 30)
        client = login(counselor)
        first = client.get(url)
        assert 'hx-get="?before=' in first.text and "nav-tabs" in first.text
        more = client.get(url, {"before": older_cursor(first)}, headers={"HX-Request": "true"})
        assert more.status_code == 200
        assert "nav-tabs" not in more.text and len(note_ids(more)) == 5
        assert not set(note_ids(more)) & set(note_ids(first))

    @pytest.mark.parametrize(
        "cursor",
        [
            "abc",
            "2026-01-05T10:00:00Z",  # no id
            "_12",  # no moment
            "2026-01-05T10:00:00Z_²",  # a digit str.isdigit() accepts
            "2026-01-05T10:00:00Z_99999999999999999999",
            "2026-02-30T10:00:00Z_12",
            "0001-01-01T00:00:00Z_12",
            "2026-01-05T25:00:00Z_12",
        ],
    )
    def test_a_bad_cursor_answers_400(self, login, counselor, episode, url, cursor):
        response = login(counselor).get(url, {"before": cursor})
        assert response.status_code == 400
        assert "before" in response.text and cursor not in response.text

    def test_links_are_the_notes_own_addresses(self, login, counselor, episode, url):
        (note,) = add_notes(episode, counselor, 1)
        assert f'href="{reverse("clinical:note_detail", args=[note.pk])}"' in login(counselor).get(url).text


class TestDraftsAndAccess:
    def test_own_drafts_open_the_first_page_and_others_drafts_stay_invisible(
        self, login, counselor, episode, program, url
    ):
        colleague = CounselorFactory(programs=[program])
        CareTeamMemberFactory(patient=episode.patient, user=colleague)
        signed = add_notes(episode, counselor, 30)
        # Drafts older than every signed note: still first, as the notes left to finish.
        long_ago = timezone.now() - dt.timedelta(days=90)
        (mine,) = add_notes(episode, counselor, 1, first_start=long_ago, signed=False)
        (theirs,) = add_notes(episode, colleague, 1, first_start=long_ago - dt.timedelta(days=1), signed=False)

        client = login(counselor)
        first = client.get(url)
        assert note_ids(first)[0] == mine.pk
        assert theirs.pk not in note_ids(first)
        seen = note_ids(first) + note_ids(client.get(url, {"before": older_cursor(first)}))
        assert sorted(seen) == sorted([mine.pk, *(note.pk for note in signed)])

        colleague_view = login(colleague).get(url)
        assert mine.pk not in note_ids(colleague_view) and note_ids(colleague_view)[0] == theirs.pk

    def test_a_cursor_at_a_hidden_draft_tells_nothing_about_it(self, login, counselor, episode, program, url):
        colleague = CounselorFactory(programs=[program])
        CareTeamMemberFactory(patient=episode.patient, user=colleague)
        add_notes(episode, counselor, 30)
        (hidden,) = add_notes(
            episode, colleague, 1, first_start=timezone.now() - dt.timedelta(days=1, hours=10), signed=False
        )
        at_hidden = keyset_value(hidden.started_at, hidden.pk)
        client = login(counselor)
        with_draft = client.get(url, {"before": at_hidden})
        # The same page once the draft is gone: the cursor is a position, nothing is looked up by it.
        hidden.mark_entered_in_error(by=colleague, reason="Wrong patient.")
        without_draft = client.get(url, {"before": at_hidden})
        assert with_draft.status_code == without_draft.status_code == 200
        assert note_ids(with_draft) == note_ids(without_draft) != []
        assert older_cursor(with_draft) == older_cursor(without_draft)
        positions = SessionNote.objects.filter(pk__in=note_ids(with_draft)).values_list("started_at", "pk")
        assert all(position < (hidden.started_at, hidden.pk) for position in positions)

    def test_each_page_is_logged_and_other_teams_are_refused(self, login, counselor, other_counselor, episode, url):
        add_notes(episode, counselor, 30)
        client = login(counselor)
        first = client.get(url)
        client.get(url, {"before": older_cursor(first)}, headers={"HX-Request": "true"})
        logs = AccessLog.objects.filter(patient=episode.patient, user=counselor)
        assert [(log.category, log.outcome) for log in logs] == [(DataCategory.NOTES, Outcome.ALLOWED)] * 2

        refused = login(other_counselor).get(url, {"before": older_cursor(first)})
        assert refused.status_code == 404
        log = AccessLog.objects.get(user=other_counselor)
        assert (log.patient_id, log.outcome) == (episode.patient_id, Outcome.REFUSED)
        # Refused before the cursor is read: a bad one from outside the care team is a 404 too.
        assert login(other_counselor).get(url, {"before": "abc"}).status_code == 404


class TestCard:
    """The card prints values worked out in Python: they must read as the template filters used to."""

    def test_a_group_copy_shows_topic_attendance_participation_and_goal(self, login, counselor, group_setup):
        session, (ana, ben, _cara) = group_setup
        group_note = services.group_note_start(session=session, author=counselor)
        long_participation = "Shared a trigger at work and practised urge surfing. " * 10
        write_sections(group_note, {ana.patient_id: (long_participation, "3 skills."), ben.patient_id: ("c", "d")})
        services.group_note_sign(group_note=group_note, by=counselor)
        text = login(counselor).get(reverse("clinical:chart_notes", args=[ana.patient_id])).text
        assert "Managing cravings and triggers · Present 180 min" in text
        assert f"Participation:</span> {Truncator(long_participation).chars(200)}</div>" in text
        goal = plan_goal(ana.treatment_plans.get())
        assert f"Goal:</span> {html.escape(Truncator(goal.statement).chars(120))}</div>" in text

    @pytest.mark.parametrize(
        "moment",
        [
            dt.datetime(2026, 3, 8, 6, 59, tzinfo=dt.UTC),  # around a clock change in US time zones
            dt.datetime(2026, 11, 1, 5, 30, tzinfo=dt.UTC),
            dt.datetime(2026, 1, 5, 23, 30, tzinfo=dt.UTC),  # another day in clinic time than in UTC
            dt.datetime(2026, 9, 30, 12, 5, tzinfo=dt.UTC),
        ],
    )
    def test_times_read_as_the_date_filter_writes_them(self, moment):
        written = Template('{{ moment|date:"M j, Y H:i" }}|{{ moment|date:"H:i" }}').render(Context({"moment": moment}))
        assert f"{_card_time(moment)}|{_card_time(moment, with_day=False)}" == written

    def test_texts_are_shortened_as_truncatechars_does(self):
        for text in ("", "short", "x" * 200, "y" * 201, "z" * 5000):
            assert _shortened(text, 200) == Truncator(text).chars(200)
        assert _shortened(None, 200) == ""
