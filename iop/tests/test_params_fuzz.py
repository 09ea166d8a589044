"""Hostile values in every parameter of every page, as each role: an answer (400, 404, a form error), never a 500.

Parameters are not listed by hand. Each page is requested once while every read of its
``request.GET`` and ``request.POST`` is recorded (a view's reads through ``iop.params`` and a
form's reads of its fields alike); then each parameter read is sent each hostile value. A
parameter or a page added later is fuzzed without touching this file.
"""

import contextlib
from collections import Counter

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.datastructures import MultiValueDict

from accounts.constants import Role
from accounts.tests.helpers import login_verified
from patients.views.chart import RECORD_KINDS

from .world import World, build_world

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
# What the 2,559 hostile requests used, and what they broke: non-ASCII digits that
# str.isdigit() accepts, numbers past bigint, impossible and extreme dates, NUL, very long text.
HOSTILE_VALUES = [
    "²",
    "-1",
    "0",
    "99999999999999999999",
    "2026-02-30",
    "0001-01-01",
    "9999-12-31",
    "abc",
    "\x00",
    "x" * 3000,
    SCRIPT,
]
# Each role walks the pages again to reach its own branches after the parameters are parsed;
# one value of each kind that broke a page is enough there (the superuser's walk sends them all).
EACH_KIND_ONCE = ["²", "99999999999999999999", "2026-02-30", "9999-12-31", "\x00", SCRIPT]
# Pages that end the test's own session (the walk would go on signed out).
ENDS_THE_SESSION = {"logout", "sign_out_everywhere"}
# Parameters a view reads only once another names a real record (the roster's per-patient
# status and minutes): that other one's realistic value, so the rest are read and fuzzed too.
SEED_DATA = {
    "scheduling:roster_save_all": lambda world: {"patient": str(world.inside.patient.pk)},
    "scheduling:roster_row": lambda world: {},
}
# What a URL's ``pk`` names where it is not the patient.
PK_RECORD = {
    "scheduling:session_move": "session_pk",
    "scheduling:session_cancel": "session_pk",
    "scheduling:roster": "session_pk",
    "scheduling:roster_save_all": "session_pk",
    "scheduling:roster_row": "session_pk",
    "testing:random_draw_detail": "draw_pk",
}
# Slugs and strings in paths, by URL name (then by argument name).
PATH_WORDS = {
    ("patients:chart_record_add", "kind"): next(iter(RECORD_KINDS)),
    ("clinical:plan_item_add", "kind"): "goal",
    ("clinical:plan_item_remove", "kind"): "goal",
}
WORDS = {"instrument": "phq9", "scope": "patient", "uidb64": "MQ", "token": "x", "figure": "dropouts_30"}
IGNORED_KEYS = {"csrfmiddlewaretoken", "_"}


def walk(patterns, namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from walk(entry.url_patterns, f"{namespace}{entry.namespace}:" if entry.namespace else namespace)
        elif isinstance(entry, URLPattern) and entry.name:
            yield entry, f"{namespace}{entry.name}"


def world_urls(world: World) -> list[tuple[str, str]]:
    """(name, URL) of every named pattern but the admin's (fuzzed by its own tests), with the world's records."""
    urls = []
    for pattern, name in walk(get_resolver().url_patterns):
        if name.startswith("admin:") or name in ENDS_THE_SESSION:
            continue
        kwargs = {}
        for key in pattern.pattern.regex.groupindex:
            if (name, key) in PATH_WORDS:
                kwargs[key] = PATH_WORDS[name, key]
            elif key == "token" and name == "scheduling:ical_feed":
                kwargs[key] = world.feed_token
            elif key in WORDS:
                kwargs[key] = WORDS[key]
            else:
                record = world.records[PK_RECORD.get(name, key) if key == "pk" else key]
                kwargs[key] = record.pk
        # A record's pages sit under its own patient's address (a discharge's: the alumnus's).
        if "pk" in kwargs and name not in PK_RECORD:
            owners = [getattr(world.records.get(key), "patient", None) for key in kwargs if key != "pk"]
            kwargs["pk"] = next((owner.pk for owner in owners if owner is not None), kwargs["pk"])
        urls.append((name, reverse(name, kwargs=kwargs)))
    return urls


@contextlib.contextmanager
def parameter_reads():
    """Record (id of the QueryDict, key) for every read of any QueryDict while the block runs."""
    reads = []
    originals = {name: getattr(MultiValueDict, name) for name in ("get", "getlist", "__getitem__")}

    def recording(original):
        def read(self, key, *args, **kwargs):
            reads.append((id(self), key))
            return original(self, key, *args, **kwargs)

        return read

    def contains(self, key):
        reads.append((id(self), key))
        return dict.__contains__(self, key)

    for name, original in originals.items():
        setattr(MultiValueDict, name, recording(original))
    MultiValueDict.__contains__ = contains
    try:
        yield reads
    finally:
        for name, original in originals.items():
            setattr(MultiValueDict, name, original)
        del MultiValueDict.__contains__


def parameters_of(client, method: str, url: str, data: dict) -> tuple[set[str], set[str]]:
    """The GET and POST parameters the page reads when requested with ``data``."""
    with parameter_reads() as reads:
        response = getattr(client, method)(url, data)
    request = response.wsgi_request
    read_get = {key for owner, key in reads if owner == id(request.GET)} - IGNORED_KEYS
    read_post = {key for owner, key in reads if owner == id(request.POST)} - IGNORED_KEYS
    return read_get, read_post


class Fuzzer:
    def __init__(self, client, values=HOSTILE_VALUES):
        self.client = client
        self.values = values
        self.sent = 0
        self.statuses = Counter()
        self.failures = []

    def send(self, name: str, method: str, url: str, data: dict, what: str):
        response = getattr(self.client, method)(url, data)
        self.sent += 1
        self.statuses[response.status_code] += 1
        body = b"" if response.streaming else response.content
        if response.status_code >= 500:
            self.failures.append((name, method, what, response.status_code))
        elif SCRIPT.encode() in body:
            self.failures.append((name, method, what, "script echoed unescaped"))

    def page(self, name: str, url: str, seed: dict):
        read_get, _ = parameters_of(self.client, "get", url, {})
        for key in sorted(read_get):
            # One parameter at a time: a first one refused with 400 would hide a second one's crash.
            for value in self.values:
                self.send(name, "get", url, {key: value}, f"?{key}={value[:20]!r}")
        _, read_post = parameters_of(self.client, "post", url, {"_": "1", **seed})
        if not read_post:
            return
        for value in self.values:
            # Forms report every field's error at once: every field gets the value together.
            self.send(name, "post", url, dict.fromkeys(read_post, value), f"all fields={value[:20]!r}")
        for key in sorted(read_post - seed.keys()) if seed else ():
            for value in self.values:
                self.send(name, "post", url, {**seed, key: value}, f"{key}={value[:20]!r}")


@pytest.fixture
def world(db) -> World:
    return build_world()


def test_every_page_is_walked(world):
    names = {name for name, _ in world_urls(world)}
    assert {
        "patients:registry",
        "scheduling:day_list",
        "audit:disclosure_create",
        "scheduling:roster_save_all",
    } <= names
    assert len(names) > 100


def fuzz_every_page(world: World, user, values=HOSTILE_VALUES) -> Fuzzer:
    fuzzer = Fuzzer(login_verified(Client(raise_request_exception=False), user), values)
    for name, url in world_urls(world):
        fuzzer.page(name, url, SEED_DATA.get(name, lambda _: {})(world))
    print(f"{user.username}: {fuzzer.sent} hostile requests, answers {dict(sorted(fuzzer.statuses.items()))}")
    return fuzzer


def test_hostile_parameters_never_break_a_page(world):
    """As a superuser, who gets past every permission check to the parameters behind it."""
    fuzzer = fuzz_every_page(world, world.superuser)
    assert fuzzer.sent > 500
    assert not fuzzer.failures, fuzzer.failures


@pytest.mark.slow
@pytest.mark.parametrize("role", list(Role), ids=str)
def test_hostile_parameters_never_break_a_page_as_each_role(world, role):
    """Each role reaches its own branches (a counselor's roster, a director's dashboard)."""
    fuzzer = fuzz_every_page(world, world.staff[role], EACH_KIND_ONCE)
    assert fuzzer.sent > 100
    assert not fuzzer.failures, fuzzer.failures
