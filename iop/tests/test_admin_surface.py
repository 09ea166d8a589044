"""The admin is no oracle: secrets and restricted fields are never filtered, searched, sorted or listed.

Every registered ModelAdmin (third-party ones included) is walked: a lookup reaching a
sensitive field is a 400, and search fields, list filters, columns and sorting naming one
are dropped. A signed-in user who is not an admin is told so, without a redirect loop.
"""

import re
from collections import deque

import pytest
from django.contrib import admin
from django.contrib.admin.utils import flatten_fieldsets
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import ReadOnlyPasswordHashField
from django.contrib.auth.models import Group, Permission
from django.core import checks
from django.test import Client, RequestFactory
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.constants import Role
from accounts.tests.factories import (
    AdminFactory,
    CounselorFactory,
    DirectorFactory,
    IntakeCoordinatorFactory,
    PrescriberFactory,
    SupervisorFactory,
)
from accounts.tests.helpers import confirmed_totp_device, login_verified
from clinical.models import CounselingNote
from clinical.services import counseling_note_create
from iop.admin_site import (
    ProtectedAdminSite,
    SensitiveFieldsAdminMixin,
    check_admins_leave_sensitive_fields_alone,
    check_sensitive_fields_declared,
    sensitive_fields,
)
from patients.tests.factories import PatientFactory
from scheduling.models import CalendarFeedToken
from scheduling.services import calendar_feed_token_create

pytestmark = pytest.mark.django_db

# How many relations a walk follows from a registered model to a sensitive field.
WALK_HOPS = 2
CSRF_TOKEN = re.compile(rb"[A-Za-z0-9]{64}")


def superuser_client() -> Client:
    return login_verified(Client(raise_request_exception=False), AdminFactory(is_superuser=True))


def sensitive_paths(model, hops: int = WALK_HOPS) -> list[str]:
    """The shortest lookup path from this model to each sensitive field within ``hops`` relations."""
    found: dict[tuple, str] = {}
    queue = deque([(model, "", 0)])
    seen = {model}
    while queue:
        current, prefix, depth = queue.popleft()
        for name in sorted(sensitive_fields(current)):
            found.setdefault((current, name), prefix + name)
        if depth == hops:
            continue
        for field in current._meta.get_fields():
            related = field.related_model if field.is_relation else None
            if related is None or related in seen:
                continue
            seen.add(related)
            queue.append((related, f"{prefix}{field.name}__", depth + 1))
    return sorted(found.values())


def registered_admins_with_sensitive_paths():
    return [pytest.param(model, id=model._meta.label_lower) for model in admin.site._registry if sensitive_paths(model)]


def test_the_walk_covers_every_secret():
    """Each declared secret is reachable from the admin, and the walk reaches it from many lists."""
    reached = {path.rsplit("__", 1)[-1] for model in admin.site._registry for path in sensitive_paths(model)}
    assert {"key", "token", "password", "content", "token_hash"} <= reached
    assert sensitive_fields(TOTPDevice) == {"key"}
    assert sensitive_fields(StaticToken) == {"token"}
    assert sensitive_fields(get_user_model()) == {"password"}
    assert sensitive_fields(CounselingNote) == {"content"}
    assert sensitive_fields(CalendarFeedToken) == {"token_hash"}
    assert len(registered_admins_with_sensitive_paths()) > 40


def test_every_registered_admin_is_held_to_the_rules():
    assert isinstance(admin.site, ProtectedAdminSite)
    unprotected = [
        model._meta.label
        for model, model_admin in admin.site._registry.items()
        if not isinstance(model_admin, SensitiveFieldsAdminMixin)
    ]
    assert not unprotected
    assert check_sensitive_fields_declared() == []
    assert check_admins_leave_sensitive_fields_alone() == []


@pytest.mark.parametrize("model", registered_admins_with_sensitive_paths())
def test_lookups_on_secrets_are_refused_in_every_admin(model):
    client = superuser_client()
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    assert client.get(url).status_code == 200
    accepted = []
    for path in sensitive_paths(model):
        lookups = {"startswith": "a"} if "__" in path else {"startswith": "a", "gt": "a", "isnull": "True", "": "a"}
        for lookup, value in lookups.items():
            param = f"{path}__{lookup}" if lookup else path
            status = client.get(url, {param: value}).status_code
            if status != 400:
                accepted.append((param, status))
        # ?_to_field= exposes a field's values to the pop-up that asked for it.
        if "__" not in path and client.get(url, {"_to_field": path, "_popup": "1"}).status_code != 400:
            accepted.append((f"_to_field={path}", "not refused"))
    assert not accepted, accepted


@pytest.mark.parametrize("model", registered_admins_with_sensitive_paths())
def test_search_filters_columns_and_sorting_never_reach_a_secret(model, monkeypatch):
    """Whatever an admin declares (here: every secret, everywhere), the site drops it at run time."""
    model_admin = admin.site._registry[model]
    paths = sensitive_paths(model)
    monkeypatch.setattr(model_admin, "search_fields", (*model_admin.search_fields, *(f"^{path}" for path in paths)))
    monkeypatch.setattr(model_admin, "list_filter", (*model_admin.list_filter, *paths))
    monkeypatch.setattr(model_admin, "list_display", (*model_admin.list_display, *paths))
    monkeypatch.setattr(model_admin, "ordering", tuple(f"-{path}" for path in paths))
    request = RequestFactory().get("/")
    request.user = AdminFactory(is_superuser=True)

    leaked = {
        "search": [name for name in model_admin.get_search_fields(request) if name.lstrip("^=@") in paths],
        "filter": [item for item in model_admin.get_list_filter(request) if item in paths],
        "column": [name for name in model_admin.get_list_display(request) if name in paths],
        "sort": [name for name in model_admin.get_sortable_by(request) if name in paths],
        "ordering": list(model_admin.get_ordering(request) or ()),
        "?o=": [path for path in paths if model_admin.get_changelist_instance(request).get_ordering_field(path)],
    }
    assert leaked == {key: [] for key in leaked}
    # Django's start-up checks name each of these.
    errors = {error.msg for error in check_admins_leave_sensitive_fields_alone() if error.obj is type(model_admin)}
    assert {f"{type(model_admin).__name__}.list_filter names '{path}', a sensitive field." for path in paths} <= errors


def test_a_counselors_totp_secret_cannot_be_guessed_from_the_device_list(monkeypatch):
    """The attack of issue 12: 391 requests as an Admin-role user recovered a 40-hex secret."""
    victim = CounselorFactory()
    device = confirmed_totp_device(victim)
    client = login_verified(Client(raise_request_exception=False), AdminFactory())
    url = reverse("admin:otp_totp_totpdevice_changelist")
    right = client.get(url, {"user__id__exact": victim.pk, "key__startswith": device.key[:1]})
    wrong = client.get(url, {"user__id__exact": victim.pk, "key__startswith": "z"})
    assert right.status_code == wrong.status_code == 400
    # The same page whether the guess was right or wrong (but for the per-response CSRF mask).
    assert re.sub(CSRF_TOKEN, b"", right.content) == re.sub(CSRF_TOKEN, b"", wrong.content)
    # Searching for the secret finds nothing, even where an admin would add it to the search box.
    monkeypatch.setattr(admin.site._registry[TOTPDevice], "search_fields", ("user__username", "key"))
    found = client.get(url, {"q": device.key})
    assert found.status_code == 200 and found.context["cl"].result_count == 0


def test_counseling_note_text_cannot_be_recovered_from_the_admin(login):
    """The attack of issue 12: ?content__startswith= recovered note text, as superuser and Admin role."""
    author = CounselorFactory()
    note = counseling_note_create(patient=PatientFactory(), author=author, content="Secret dream work.")
    client = login(AdminFactory(is_superuser=True))
    url = reverse("admin:clinical_counselingnote_changelist")
    client.raise_request_exception = False
    for guess in ("S", "X"):
        assert client.get(url, {"content__startswith": guess}).status_code == 400
    assert client.get(url, {"q": "Secret dream"}).context["cl"].result_count == 0
    assert "Secret dream" not in client.get(reverse("admin:clinical_counselingnote_change", args=[note.pk])).text


def test_only_the_clinicians_who_write_counseling_notes_hold_their_permissions():
    codenames = {"view_counselingnote", "add_counselingnote", "change_counselingnote", "delete_counselingnote"}
    held = {
        role: set(
            Permission.objects.filter(group__name=role, codename__in=codenames).values_list("codename", flat=True)
        )
        for role in Role
    }
    assert held[Role.ADMIN] == held[Role.DIRECTOR] == held[Role.INTAKE] == set()
    for role in (Role.COUNSELOR, Role.PRESCRIBER, Role.SUPERVISOR):
        assert {"add_counselingnote", "change_counselingnote"} <= held[role]
    assert Group.objects.get(name=Role.ADMIN).permissions.filter(codename="view_sessionnote").exists()
    client = login_verified(Client(raise_request_exception=False), AdminFactory())
    assert client.get(reverse("admin:clinical_counselingnote_changelist")).status_code == 403


def test_no_change_form_or_inline_shows_a_secret():
    """Every registered admin and its inlines: a sensitive field is neither a form field nor read-only text."""
    request = RequestFactory().get("/")
    request.user = AdminFactory(is_superuser=True)
    shown = []
    for model, model_admin in admin.site._registry.items():
        obj = model()
        forms = [(model_admin, model_admin.get_form(request, obj), model_admin.get_fieldsets(request, obj))]
        for inline in model_admin.get_inline_instances(request, obj):
            forms.append((inline, inline.get_formset(request, obj).form, inline.get_fieldsets(request, obj)))
        for owner, form, fieldsets in forms:
            for name in sensitive_fields(owner.model) & set(flatten_fieldsets(fieldsets)):
                # Django's own password widget shows the algorithm and a masked hash, never the hash.
                if not isinstance(form.base_fields.get(name), ReadOnlyPasswordHashField):
                    shown.append(f"{type(owner).__name__}: {name}")
    assert not shown, shown


def test_change_pages_never_show_a_secret(login):
    """The models holding secrets today, opened in the admin by a superuser: the secret is not on the page."""
    owner = CounselorFactory()
    totp = confirmed_totp_device(owner)
    static = StaticDevice.objects.create(user=owner, name="recovery", confirmed=True)
    recovery = StaticToken.objects.create(device=static, token="k3x9q2w7")
    feed_token = calendar_feed_token_create(user=owner)
    feed = CalendarFeedToken.objects.get(user=owner, revoked_at__isnull=True)
    note = counseling_note_create(patient=PatientFactory(), author=owner, content="Secret dream work.")
    pages = {
        TOTPDevice: (totp, [totp.key]),
        StaticDevice: (static, [recovery.token]),
        CalendarFeedToken: (feed, [feed.token_hash, feed_token]),
        CounselingNote: (note, [note.content]),
        get_user_model(): (owner, [owner.password]),
    }
    client = login(AdminFactory(is_superuser=True))
    shown = []
    for model, (obj, secrets) in pages.items():
        page = client.get(reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[obj.pk]))
        assert page.status_code == 200, model
        shown += [(model._meta.label, secret[:6]) for secret in secrets if secret in page.text]
    assert not shown, shown


def test_a_bad_declaration_fails_the_checks(monkeypatch):
    monkeypatch.setattr(CalendarFeedToken, "sensitive_fields", ("token_hash", "tokn_hash"), raising=False)
    errors = check_sensitive_fields_declared()
    assert [error.id for error in errors] == ["iop.E101"] and "tokn_hash" in errors[0].msg
    assert all(isinstance(error, checks.Error) for error in errors)


NON_ADMINS = {
    Role.INTAKE: IntakeCoordinatorFactory,
    Role.COUNSELOR: CounselorFactory,
    Role.PRESCRIBER: PrescriberFactory,
    Role.SUPERVISOR: SupervisorFactory,
    Role.DIRECTOR: DirectorFactory,
}


@pytest.mark.parametrize("role", list(NON_ADMINS), ids=lambda role: role.name.lower())
def test_a_signed_in_non_admin_is_told_the_admin_is_not_for_them(role):
    user = NON_ADMINS[role]()
    client = login_verified(Client(), user)
    for url in ("/admin/", "/admin/patients/patient/", "/admin/login/?next=/admin/"):
        response = client.get(url, follow=True)
        assert response.status_code == 403, url
        assert len(response.redirect_chain) <= 1, response.redirect_chain
        assert "The admin is for administrators" in response.text
        assert "admin/not_an_admin.html" in [template.name for template in response.templates]


def test_the_admin_login_address_sends_signed_in_users_on_never_back():
    client = login_verified(Client(), AdminFactory())
    assert client.get("/admin/login/?next=/admin/patients/").url == "/admin/patients/"
    for next_url in ("/admin/login/?next=/admin/login/", "https://evil.example/admin/"):
        assert client.get("/admin/login/", {"next": next_url}).url == reverse("admin:index")
    assert Client().get("/admin/login/?next=/admin/").url == reverse("login") + "?next=/admin/"


def test_a_site_of_our_own_holds_any_admin_class_to_the_rules():
    """Third-party admins are registered as they come: the site mixes the rules in."""

    class CarelessDeviceAdmin(admin.ModelAdmin):
        search_fields = ("key",)
        list_filter = ("key",)

    site = ProtectedAdminSite(name="careless")
    site.register(TOTPDevice, CarelessDeviceAdmin)
    model_admin = site._registry[TOTPDevice]
    request = RequestFactory().get("/")
    request.user = AdminFactory(is_superuser=True)
    assert isinstance(model_admin, CarelessDeviceAdmin)
    assert model_admin.get_search_fields(request) == ()
    assert model_admin.get_list_filter(request) == ()
    assert not model_admin.lookup_allowed("key__startswith", "a", request)
    assert not model_admin.lookup_allowed("user__totpdevice__key", "a", request)
    assert model_admin.lookup_allowed("name__startswith", "a", request)
