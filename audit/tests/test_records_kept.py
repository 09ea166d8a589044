"""Clinical records keep their history and are never deleted: checked on every ClinicalRecord model there is,
and every change in bulk to a history-tracked record writes its history."""

import ast
import datetime as dt
import textwrap
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.admin.sites import site
from django.core.exceptions import ValidationError
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin
from simple_history.models import HistoricalChanges

from iop.models import ClinicalRecord

CLINICAL_MODELS = sorted(
    (model for model in apps.get_models() if issubclass(model, ClinicalRecord)), key=lambda m: m._meta.label
)
ADMIN_CLINICAL = [model for model in CLINICAL_MODELS if model in site._registry]
# The only clinical records allowed to have no history table, each with the reason.
HISTORY_EXEMPT = {
    # 42 CFR §2.11 (2024): SUD counseling notes are kept apart and seen only by their author;
    # a history table would keep a second copy of their content that the admin could show.
    "clinical.CounselingNote",
}


def test_the_walk_finds_the_chart():
    labels = {model._meta.label for model in CLINICAL_MODELS}
    assert {"patients.Patient", "patients.Consent", "patients.Episode", "patients.InstrumentResponse"} <= labels


@pytest.mark.parametrize("model", CLINICAL_MODELS, ids=lambda m: m._meta.label)
def test_every_clinical_record_keeps_history(model):
    if model._meta.label in HISTORY_EXEMPT:
        assert not hasattr(model, "history")
        return
    assert hasattr(model, "history"), f"{model._meta.label} has no HistoricalRecords()"
    assert model.history.model._meta.db_table.endswith(model._meta.model_name)


@pytest.mark.parametrize("model", CLINICAL_MODELS, ids=lambda m: m._meta.label)
@pytest.mark.django_db
def test_every_clinical_record_refuses_delete(model):
    with pytest.raises(ValidationError, match="never deleted"):
        model().delete()
    with pytest.raises(ValidationError, match="never deleted"):
        model._default_manager.all().delete()
    with pytest.raises(ValidationError, match="never deleted"):
        model.objects.none().delete()


@pytest.mark.parametrize("model", ADMIN_CLINICAL, ids=lambda m: m._meta.label)
def test_the_admin_offers_no_delete_and_shows_history(rf, model):
    from accounts.tests.factories import UserFactory

    request = rf.get("/")
    request.user = UserFactory.build(is_superuser=True, is_staff=True)
    model_admin = site._registry[model]
    assert not model_admin.has_delete_permission(request)
    assert "delete_selected" not in model_admin.get_actions(request)
    for inline in model_admin.get_inline_instances(request):
        if issubclass(inline.model, ClinicalRecord):
            assert not inline.has_delete_permission(request)
    if model._meta.label not in HISTORY_EXEMPT:
        assert isinstance(model_admin, SimpleHistoryAdmin)


@pytest.mark.django_db
def test_a_records_history_page_renders_in_the_admin(login, admin_user_superuser):
    from patients.tests.factories import ConsentFactory

    consent = ConsentFactory()
    consent.witness = "Front desk"
    consent.save()
    response = login(admin_user_superuser).get(f"/admin/patients/consent/{consent.pk}/history/")
    assert response.status_code == 200
    assert "Changed" in response.text or "Created" in response.text


@pytest.fixture
def admin_user_superuser(db):
    from accounts.tests.factories import AdminFactory

    return AdminFactory(is_superuser=True)


# --- Changes in bulk keep history ---------------------------------------------------------
#
# django-simple-history writes a history row from save(); QuerySet.update() and bulk_update()
# skip it, so a record changed that way keeps no trace of who changed what. Bulk changes go
# through audit.services.records_update_with_history; the walk below finds any other.

TRACKED = [
    model for model in apps.get_models() if hasattr(model, "history") and not issubclass(model, HistoricalChanges)
]
TRACKED_NAMES = {model.__name__ for model in TRACKED}
# Attributes that hand back a manager of tracked records: reverse foreign keys and many-to-many fields.
TRACKED_ACCESSORS = {
    field.get_accessor_name() if field.auto_created else field.name
    for model in apps.get_models()
    for field in model._meta.get_fields()
    if field.related_model in TRACKED and (field.one_to_many or field.many_to_many)
}
MANAGERS = {"objects", "_default_manager", "_base_manager"}
BULK_WRITES = {"update", "bulk_update"}


def _tracked(node, names: set[str]) -> bool:
    """Whether an expression is a queryset or manager of tracked records (as far as the source says)."""
    if isinstance(node, ast.Name):
        return node.id in names
    if isinstance(node, ast.Attribute):
        if node.attr in MANAGERS:
            return isinstance(node.value, ast.Name) and node.value.id in TRACKED_NAMES
        return node.attr in TRACKED_ACCESSORS
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        return _tracked(node.func.value, names)  # a queryset method: .filter(), .valid(), .all()…
    if isinstance(node, ast.Subscript):
        return _tracked(node.value, names)
    return False


def bare_bulk_writes(source: str) -> list[tuple[int, str]]:
    """(line, call) of every update()/bulk_update() on tracked records, followed through local variables."""
    tree = ast.parse(source)
    found = []
    for scope in [tree, *(node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef))]:
        names: set[str] = set()
        body = list(ast.walk(scope))
        changed = True
        while changed:
            changed = False
            for node in body:
                if isinstance(node, ast.Assign) and _tracked(node.value, names):
                    for target in node.targets:
                        if isinstance(target, ast.Name) and target.id not in names:
                            names.add(target.id)
                            changed = True
        for node in body:
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in BULK_WRITES
                and _tracked(node.func.value, names)
            ):
                found.append((node.lineno, ast.unparse(node.func)))
    return sorted(set(found))


def project_sources() -> list[Path]:
    root = Path(settings.BASE_DIR)
    apps_dirs = [root / app for app in settings.INSTALLED_APPS if (root / app / "apps.py").exists()]
    return [
        path
        for directory in apps_dirs
        for path in sorted(directory.rglob("*.py"))
        if "tests" not in path.parts and "migrations" not in path.parts
    ]


def test_the_walk_knows_the_tracked_records_and_their_accessors():
    assert {"Session", "SessionNote", "AlumniCheckIn", "StaffTask", "Attendance"} <= TRACKED_NAMES
    assert {"filed", "checkins", "attendance"} <= TRACKED_ACCESSORS
    assert len(project_sources()) > 100


def test_the_walk_catches_a_bare_update_on_a_tracked_model():
    source = textwrap.dedent(
        """
        def cosign(note, by):
            note.filed.update(cosigned_by=by)

        def close(day):
            sessions = Session.objects.filter(day=day).select_related("group")
            open_ones = sessions.exclude(status="cancelled")
            open_ones.update(status="cancelled")
            Session.objects.bulk_update([], ["status"])

        def not_tracked(feed, context):
            context.update(title="x")
            CalendarFeedToken.objects.filter(pk=feed.pk).update(last_used_at=None)
            records_update_with_history(records=Session.objects.filter(pk=1), status="cancelled")
        """
    )
    assert bare_bulk_writes(source) == [
        (3, "note.filed.update"),
        (8, "open_ones.update"),
        (9, "Session.objects.bulk_update"),
    ]


# (file, call) that may write without history, each with its reason. Nobody changes a record here.
UNTRACKED_ON_PURPOSE = {
    # The demo dates the intakes and charts it has just seeded to the days of each patient's story
    # (and their history rows to the same days): a seeded row's timestamps, not a change to a record.
    ("demo/management/commands/seed_demo.py", "Intake.objects.filter(pk=intake.pk).update"),
    ("demo/management/commands/seed_demo.py", "Patient.objects.filter(pk=patient_id).update"),
}


def test_no_bulk_write_to_a_tracked_model_skips_its_history():
    root = Path(settings.BASE_DIR)
    bare = [
        f"{path.relative_to(root)}:{line}: {call}()"
        for path in project_sources()
        for line, call in bare_bulk_writes(path.read_text())
        if (str(path.relative_to(root)), call) not in UNTRACKED_ON_PURPOSE
    ]
    assert not bare, "use audit.services.records_update_with_history, which writes history:\n" + "\n".join(bare)


@pytest.mark.django_db
class TestBulkChangesWriteHistory:
    def test_cosigning_a_group_note_writes_the_history_of_every_filed_copy(self):
        from accounts.tests.factories import CounselorFactory, SupervisorFactory
        from clinical import services as clinical_services
        from clinical.models import SessionNote
        from clinical.tests.factories import signed_plan
        from clinical.tests.test_notes import attend, group_session, write_sections
        from patients.tests.factories import EpisodeFactory
        from programs.tests.factories import ProgramFactory

        program = ProgramFactory()
        supervisor = SupervisorFactory(programs=[program])
        trainee = CounselorFactory(programs=[program], supervisor=supervisor, in_training=True)
        session = group_session(program, trainee)
        episodes = [EpisodeFactory(program=program, primary_clinician=trainee) for _ in range(16)]
        for episode in episodes:
            signed_plan(episode)
            attend(session, episode)
        group_note = clinical_services.group_note_start(session=session, author=trainee)
        write_sections(
            group_note,
            {episode.patient_id: (f"Took part ({n}).", f"Named trigger {n}.") for n, episode in enumerate(episodes)},
        )
        group_note = clinical_services.group_note_sign(group_note=group_note, by=trainee)
        filed = SessionNote.objects.filter(group_note=group_note)
        before = SessionNote.history.filter(id__in=filed.values("id")).count()

        clinical_services.note_cosign(note=group_note, by=supervisor)

        cosigned = SessionNote.history.filter(id__in=filed.values("id"), cosigned_by=supervisor)
        assert SessionNote.history.filter(id__in=filed.values("id")).count() == before + 16
        assert cosigned.count() == 16
        assert set(cosigned.values_list("history_type", "history_user", flat=False)) == {("~", supervisor.pk)}

    def test_a_clinic_closure_writes_the_history_of_every_session_it_cancels(self):
        from accounts.tests.factories import AdminFactory
        from scheduling.constants import SessionStatus
        from scheduling.models import Session
        from scheduling.services import clinic_closure_add
        from scheduling.tests.factories import SessionFactory

        day = timezone.localdate() + dt.timedelta(days=3)
        start = timezone.make_aware(dt.datetime.combine(day, dt.time(9)))
        sessions = [SessionFactory(local_start=start + dt.timedelta(hours=hour)) for hour in range(3)]
        admin = AdminFactory()

        clinic_closure_add(date=day, reason="Snow day", by=admin)

        history = Session.history.filter(id__in=[session.pk for session in sessions], status=SessionStatus.CANCELLED)
        assert history.count() == 3
        assert {row.cancel_reason for row in history} == {"Clinic closed: Snow day"}
        assert {row.history_user_id for row in history} == {admin.pk}

    def test_alumni_checkins_put_on_work_lists_keep_their_history(self):
        from accounts.tests.factories import CounselorFactory
        from aftercare.models import AlumniCheckIn
        from aftercare.services.checkins import alumni_checkins_make_due
        from aftercare.tests.test_aftercare import discharged
        from programs.tests.factories import ProgramFactory

        program = ProgramFactory()
        record = discharged(program, CounselorFactory(programs=[program]), days_ago=31)

        assert alumni_checkins_make_due() == 2

        due = record.checkins.filter(task_created_at__isnull=False)
        changed = AlumniCheckIn.history.filter(id__in=due.values("id"), task_created_at__isnull=False)
        assert due.count() == 2 and changed.count() == 2
        assert {row.history_type for row in changed} == {"~"}

    def test_tasks_escalated_and_closed_in_bulk_keep_their_history(self):
        from accounts.tests.factories import CounselorFactory, SupervisorFactory
        from notifications.constants import TaskKind, TaskStatus
        from notifications.models import StaffTask
        from notifications.services import task_create, tasks_close_for, tasks_escalate_due

        supervisor = SupervisorFactory()
        counselor = CounselorFactory(supervisor=supervisor)
        now = timezone.now()
        task = task_create(
            assignee=counselor,
            kind=TaskKind.SUICIDE_RISK_ASSESSMENT,
            title="Call back",
            due_at=now,
            dedupe_key="alert:1",
            escalate_at=now,
            escalate_to=[supervisor],
            escalation_title="Call back",
        )

        assert tasks_escalate_due(now=now) == 1
        assert StaffTask.history.filter(id=task.pk, escalated_at=now).count() == 1

        assert tasks_close_for(dedupe_key_prefix="alert:1", reason="Reached the patient.", by=supervisor) == 2
        closed = StaffTask.history.filter(status=TaskStatus.DONE, done_reason="Reached the patient.")
        assert sorted(closed.values_list("id", flat=True)) == sorted(StaffTask.objects.values_list("id", flat=True))
        assert {row.history_user_id for row in closed} == {supervisor.pk}
