"""A small clinic with one of every record, for the tests that walk every page as each role.

Three programs: ``inside`` (where every role's staff member works), ``outside`` (where only the
counselor also works) and ``elsewhere`` (no one of these staff). Each program has a patient with
the records a list can name: sessions in a shared room, attendance, notes, drug tests, a draw,
alerts, messages, tasks, a discharge with check-ins. The patients of ``outside`` and ``elsewhere``
carry names found nowhere else, so a page that names them is easy to catch.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone

from accounts.constants import Role
from accounts.tests.factories import (
    AdminFactory,
    CounselorFactory,
    DirectorFactory,
    IntakeCoordinatorFactory,
    PrescriberFactory,
    SupervisorFactory,
)
from aftercare.constants import DischargeType
from aftercare.services.discharge import episode_discharge
from audit.tests.factories import AccessLogFactory, DisclosureFactory
from clinical import services as clinical_services
from clinical.constants import NoteFormat
from clinical.tests.factories import plan_goal, signed_plan
from medications.tests.factories import MedicationFactory
from notifications.constants import DeliveryError, MessageStatus
from notifications.models import OutboundMessage, StaffTask
from notifications.tests.factories import OutboundMessageFactory, StaffTaskFactory
from patients.constants import ConsentKind
from patients.tests.factories import (
    CareTeamMemberFactory,
    ConsentFactory,
    EpisodeFactory,
    IntakeFactory,
    Part2DisclosureConsentFactory,
    PatientAlertFactory,
    PatientFactory,
    days_ago,
)
from programs.tests.factories import ProgramFactory
from scheduling.constants import EnrolmentStatus, SessionKind
from scheduling.models import Session
from scheduling.services.feeds import calendar_feed_token_create
from scheduling.tests.factories import (
    AttendanceFactory,
    CurriculumTopicFactory,
    EnrolmentFactory,
    GroupFactory,
    RoomFactory,
    SessionFactory,
    session_times,
)
from testing.models import RandomDraw
from testing.tests.factories import DrugTestFactory

ROLE_FACTORIES = {
    Role.INTAKE: IntakeCoordinatorFactory,
    Role.COUNSELOR: CounselorFactory,
    Role.PRESCRIBER: PrescriberFactory,
    Role.SUPERVISOR: SupervisorFactory,
    Role.DIRECTOR: DirectorFactory,
    Role.ADMIN: AdminFactory,
}
# Names that appear on no page unless the page names that patient.
HIDDEN_NAMES = {
    "outside": ("Quennell", "Ottoline"),
    "elsewhere": ("Vexmoor", "Isaura"),
}


def hours_ago(hours: float) -> dt.datetime:
    return timezone.now() - dt.timedelta(hours=hours)


@dataclass
class ProgramRecords:
    """One program's patient and what hangs from them."""

    program: object
    episode: object
    patient: object
    session: object
    group_session: object
    note: object
    alumnus: object = None
    discharge: object = None
    checkin: object = None
    extra: dict = field(default_factory=dict)


@dataclass
class World:
    staff: dict  # Role -> user, each working in ``inside``
    superuser: object
    room: object
    inside: ProgramRecords
    outside: ProgramRecords
    elsewhere: ProgramRecords
    records: dict  # url kwarg name -> record, for the inside patient's pages
    feed_token: str


def _session_with_note(episode, clinician, *, hours_before_now: float, sign: bool, room):
    """An individual session that was attended, with the clinician's note (signed or a draft)."""
    session = SessionFactory(
        episode=episode, clinician=clinician, room=room, **session_times(hours_ago(hours_before_now), 60)
    )
    AttendanceFactory(session=session)
    note = clinical_services.session_note_create(session=session, author=clinician, format=NoteFormat.DAP)
    if sign:
        note = clinical_services.session_note_update(
            note=note,
            by=clinician,
            data="Reports 5 days sober.",
            assessment="Engaged; cravings lower.",
            plan="Continue weekly.",
            goal=plan_goal(episode.treatment_plans.get()),
        )
        note = clinical_services.session_note_sign(note=note, by=clinician)
    return session, note


def _group_session(program, facilitator, episode, room):
    group = GroupFactory(program=program, facilitator=facilitator, room=room)
    topic = CurriculumTopicFactory(group=group, title="Managing cravings and triggers")
    start = hours_ago(30)
    session = Session.objects.create(
        program=program,
        kind=SessionKind.GROUP_THERAPY,
        group=group,
        original_start=start,
        topic=topic,
        clinician=facilitator,
        room=room,
        **session_times(start, 180),
    )
    EnrolmentFactory(episode=episode, group=group)
    AttendanceFactory(session=session, episode=episode, patient=episode.patient, minutes_attended=180)
    return session


def _program_records(program, clinician, room, *, names=None, today_session=False) -> ProgramRecords:
    patient_fields = {"legal_last_name": names[0], "legal_first_name": names[1]} if names else {}
    episode = EpisodeFactory(
        program=program, primary_clinician=clinician, patient=PatientFactory(status="admitted", **patient_fields)
    )
    patient = episode.patient
    CareTeamMemberFactory(patient=patient, user=clinician, role="primary")
    signed_plan(episode)
    # A signed note awaiting co-signature (the clinician is a trainee) and a draft past its deadline.
    session, note = _session_with_note(episode, clinician, hours_before_now=5, sign=True, room=room)
    _session_with_note(episode, clinician, hours_before_now=program.note_signing_limit_hours + 5, sign=False, room=room)
    if today_session:
        SessionFactory(
            episode=episode, clinician=clinician, room=room, **session_times(timezone.now() + dt.timedelta(hours=2), 60)
        )
    group = _group_session(program, clinician, episode, room)
    DrugTestFactory(patient=patient, ordered_by=clinician)
    MedicationFactory(patient=patient)
    PatientAlertFactory(patient=patient, raised_by=clinician)
    StaffTaskFactory(assignee=clinician, patient=patient, title=f"Call {patient.display_name} back")
    OutboundMessageFactory(patient=patient, status=MessageStatus.FAILED, error_code=DeliveryError.NO_CONSENT)
    AccessLogFactory(user=clinician, patient=patient)
    RandomDraw.objects.create(
        program=program,
        draw_date=days_ago(1),
        weekly_testing_rate="0.3",
        testing_days="MO,TU,WE,TH,FR",
        daily_probability="0.163340",
        longest_gap_days=14,
        eligible_patient_ids=[patient.pk],
        random_values={str(patient.pk): 0.01},
        drawn={str(patient.pk): "random"},
    )
    # A former patient of the program whose first alumni check-in is due today.
    alumni_names = {"legal_last_name": f"{names[0]}son", "legal_first_name": names[1]} if names else {}
    old_episode = EpisodeFactory(
        program=program,
        primary_clinician=clinician,
        admitted_on=days_ago(70),
        patient=PatientFactory(status="admitted", **alumni_names),
    )
    discharge = episode_discharge(
        episode=old_episode,
        discharged_on=days_ago(7),
        discharge_type=DischargeType.COMPLETED,
        reason="Completed the program.",
        by=clinician,
    )
    return ProgramRecords(
        program=program,
        episode=episode,
        patient=patient,
        session=session,
        group_session=group,
        note=note,
        alumnus=old_episode.patient,
        discharge=discharge,
        checkin=discharge.checkins.order_by("due_on").first(),
    )


def build_world() -> World:
    inside, outside, elsewhere = ProgramFactory(), ProgramFactory(), ProgramFactory()
    supervisor = SupervisorFactory(programs=[inside])
    staff = {role: factory(programs=[inside]) for role, factory in ROLE_FACTORIES.items() if role != Role.SUPERVISOR}
    staff[Role.SUPERVISOR] = supervisor
    # The counselor is a trainee under the supervisor and also works in ``outside``.
    counselor = staff[Role.COUNSELOR]
    counselor.supervisor, counselor.in_training = supervisor, True
    counselor.save(update_fields=["supervisor", "in_training"])
    counselor.programs.add(outside)
    stranger = CounselorFactory(programs=[elsewhere])
    room = RoomFactory(name="Shared room")
    records = {
        "inside": _program_records(inside, counselor, room, today_session=True),
        "outside": _program_records(outside, counselor, room, names=HIDDEN_NAMES["outside"], today_session=True),
        "elsewhere": _program_records(elsewhere, stranger, room, names=HIDDEN_NAMES["elsewhere"], today_session=True),
    }
    mine = records["inside"]
    patient = mine.patient
    consent = Part2DisclosureConsentFactory(patient=patient)
    ConsentFactory(patient=patient, kind=ConsentKind.TREATMENT)
    applicant = IntakeFactory()
    waitlisted_group = GroupFactory(program=inside, facilitator=counselor, room=room)
    plan = mine.episode.treatment_plans.get()
    goal = plan_goal(plan)
    by_kwarg = {
        "pk": patient,
        "patient_pk": patient,
        "episode_pk": mine.episode,
        "consent_pk": consent,
        "alert_pk": patient.alerts.first(),
        "intake_pk": applicant,
        "test_pk": patient.drug_tests.first(),
        "medication_pk": patient.medications.first(),
        "discharge_pk": mine.discharge,
        "checkin_pk": mine.checkin,
        "plan_pk": plan,
        "item_pk": goal,
        "note_pk": mine.note,
        "session_pk": mine.session,
        "group_note_pk": clinical_services.group_note_start(session=mine.group_session, author=counselor),
        "enrolment_pk": EnrolmentFactory(
            episode=mine.episode, group=waitlisted_group, status=EnrolmentStatus.WAITLISTED
        ),
        "message_pk": OutboundMessage.objects.filter(patient=patient).first(),
        "task_pk": StaffTask.objects.filter(assignee=counselor, patient=patient).first(),
        "disclosure_pk": DisclosureFactory(consent=consent, disclosed_by=counselor),
        "draw_pk": RandomDraw.objects.get(program=inside),
    }
    return World(
        staff=staff,
        superuser=AdminFactory(is_superuser=True),
        room=room,
        inside=mine,
        outside=records["outside"],
        elsewhere=records["elsewhere"],
        records=by_kwarg,
        feed_token=calendar_feed_token_create(user=counselor),
    )
