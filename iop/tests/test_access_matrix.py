"""Deny by default: every URL pattern and every admin page, as an anonymous user and as each role.

Ids are dummies (most answers are 404): this walk checks who gets through the front door.
Object-level rules (another team's patient gives 404) are tested next to each view.
"""

import uuid

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

from accounts.constants import Role
from accounts.tests.factories import (
    AdminFactory,
    CounselorFactory,
    DirectorFactory,
    IntakeCoordinatorFactory,
    PrescriberFactory,
    SupervisorFactory,
)
from accounts.tests.helpers import login_verified

pytestmark = pytest.mark.django_db

DUMMY_BY_CONVERTER = {"int": 999999, "slug": "x", "str": "x", "path": "999999", "uuid": uuid.UUID(int=1)}

# Reachable without signing in: the sign-in pages themselves.
PUBLIC_PAGES = {
    "login",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
}
# Reachable without a session because they authenticate otherwise (a secret token in the URL,
# a provider's signature); with a dummy token they must give nothing away.
TOKEN_AUTHENTICATED = {"scheduling:ical_feed", "notifications:sms_inbound"}

ROLE_FACTORIES = {
    Role.INTAKE: IntakeCoordinatorFactory,
    Role.COUNSELOR: CounselorFactory,
    Role.PRESCRIBER: PrescriberFactory,
    Role.SUPERVISOR: SupervisorFactory,
    Role.DIRECTOR: DirectorFactory,
    Role.ADMIN: AdminFactory,
}


def walk(patterns, namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern):
            yield entry, namespace


def every_url() -> list[tuple[str, str]]:
    """(url name, URL) for every named pattern that reverses with dummy arguments."""
    urls = []
    for pattern, namespace in walk(get_resolver().url_patterns):
        if not pattern.name:
            continue
        name = f"{namespace}{pattern.name}"
        converters = getattr(pattern.pattern, "converters", {})
        group_names = pattern.pattern.regex.groupindex
        kwargs = {
            key: DUMMY_BY_CONVERTER.get(type(converters[key]).__name__.replace("Converter", "").lower(), "x")
            if key in converters
            else "1"
            for key in group_names
        }
        try:
            urls.append((name, reverse(name, kwargs=kwargs)))
        except NoReverseMatch:
            # Admin regex patterns choose among real app labels; the admin pages are walked below.
            assert name.startswith("admin:"), f"{name} does not reverse with dummy arguments"
    return sorted(set(urls))


def admin_changelists() -> list[str]:
    return [
        reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist") for model in admin.site._registry
    ]


def admin_pages() -> list[str]:
    add_pages = [
        reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add") for model in admin.site._registry
    ]
    app_indexes = sorted({reverse("admin:app_list", args=[model._meta.app_label]) for model in admin.site._registry})
    return [reverse("admin:index"), *app_indexes, *admin_changelists(), *add_pages]


def sent_to_login(response) -> bool:
    # The admin's own login URL is a redirect to the site's single sign-in page.
    location = response.get("Location", "")
    return response.status_code == 302 and location.startswith((reverse("login"), "/admin/login/"))


def test_the_walk_covers_the_site():
    names = {name for name, _ in every_url()}
    assert {"notifications:home", "patients:registry", "patients:chart", "mfa_verify", "admin:index"} <= names
    assert len(admin_pages()) > 10


def test_anonymous_users_are_sent_to_login_everywhere_but_the_public_pages():
    client = Client(raise_request_exception=False)
    leaks = []
    for name, url in every_url():
        for method in (client.get, client.post):
            response = method(url)
            if name in PUBLIC_PAGES:
                ok = response.status_code in {200, 302, 405}
            elif name in TOKEN_AUTHENTICATED:
                ok = response.status_code in {400, 401, 403, 404, 405}
            else:
                ok = sent_to_login(response)
            if not ok:
                leaks.append((method.__name__, name, url, response.status_code))
    for url in admin_pages():
        response = client.get(url)
        if not sent_to_login(response):
            leaks.append(("get", "admin", url, response.status_code))
    assert not leaks, leaks


def test_a_password_only_session_reaches_nothing_but_the_second_step(client):
    from accounts.tests.factories import DEMO_PASSWORD

    user = AdminFactory(is_superuser=True)
    client.post(reverse("login"), {"username": user.username, "password": DEMO_PASSWORD})
    client.raise_request_exception = False
    allowed = PUBLIC_PAGES | TOKEN_AUTHENTICATED | {"logout", "mfa_verify", "mfa_enrol", "admin:login"}
    leaks = []
    for name, url in every_url() + [("admin", url) for url in admin_pages()]:
        if name in allowed:
            continue
        response = client.get(url)
        if not (response.status_code in {302, 401} and reverse("mfa_verify") in response.get("Location", "")):
            leaks.append((name, url, response.status_code))
    assert not leaks, leaks


@pytest.mark.parametrize("role", list(ROLE_FACTORIES), ids=lambda role: role.name.lower())
def test_each_role_gets_an_answer_never_an_error(role):
    user = ROLE_FACTORIES[role]()
    client = login_verified(Client(raise_request_exception=False), user)
    failures = []
    for name, url in every_url():
        if name == "logout":
            continue
        response = client.get(url)
        if response.status_code >= 500:
            failures.append((name, url, response.status_code))
    for url in admin_pages():
        response = client.get(url)
        # Staff see what their permissions allow and are refused the rest (an app they hold no
        # permission in is a 404); others are told the admin is not for them (403, no redirect loop).
        expected = {200, 403, 404} if user.is_staff else {403}
        if response.status_code not in expected:
            failures.append(("admin", url, response.status_code))
    assert not failures, failures


def test_the_admin_role_can_open_every_changelist():
    client = login_verified(Client(raise_request_exception=False), AdminFactory(is_superuser=True))
    refused = [url for url in admin_changelists() if client.get(url).status_code != 200]
    assert not refused, refused
