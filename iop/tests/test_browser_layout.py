"""Screens that fit (issue 16): the main pages at the clinic laptop, the group-room tablet and a phone.

One browser session loads each page at 1366 × 768 and 768 × 1024 (the roster also at 390 × 844)
and fails on horizontal overflow of the page, or on a top navigation or chart tab bar that wraps
onto a second line, naming the page, the size and the widest element past the right edge.
"""

import pytest
from django.urls import reverse

from accounts.constants import Role
from accounts.tests.factories import DEMO_PASSWORD
from patients.constants import ConsentKind
from patients.tests.factories import ConsentFactory, SubstanceUseFactory
from patients.tests.test_browser_intake import page  # noqa: F401 (the Chromium page fixture)

from .world import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

LAPTOP = {"width": 1366, "height": 768}
TABLET = {"width": 768, "height": 1024}
PHONE = {"width": 390, "height": 844}

# Boxes that must show whole, not only within a table that scrolls sideways.
WHOLE = [
    ["the hours table", "#ledger th:last-child"],
    ["the audit log's columns", "[data-access-log] th:last-child"],
    ["the substance table", "[data-substance-table] th:last-child"],
    ["the consent revoke box", "form[action*='/revoke/'] button"],
    ["the roster's save button", ".roster-table tbody td:last-child button"],
]

# What does not fit: the page scrolls sideways (naming the widest element past the right edge,
# leaving out what sits inside a scrolling or clipping box), or a bar meant to be one line wraps.
LAYOUT_PROBLEMS = """
([WHOLE, laptop]) => {
  const problems = [];
  const width = window.innerWidth;
  const describe = (el) => {
    let name = el.tagName.toLowerCase();
    if (el.id) name += "#" + el.id;
    const classes = [...el.classList].slice(0, 4);
    if (classes.length) name += "." + classes.join(".");
    const text = (el.innerText || el.value || "").trim().replace(/\\s+/g, " ").slice(0, 60);
    return text ? `${name} ("${text}")` : name;
  };
  const clipped = (el) => {
    for (let parent = el.parentElement; parent && parent !== document.body; parent = parent.parentElement) {
      const overflowX = getComputedStyle(parent).overflowX;
      if (overflowX !== "visible") return true;
    }
    return false;
  };
  if (document.documentElement.scrollWidth > width + 1) {
    let widest = null;
    let widestRight = width + 1;
    for (const el of document.body.querySelectorAll("*")) {
      const box = el.getBoundingClientRect();
      if (!box.width || !box.height || box.right < widestRight || clipped(el)) continue;
      widest = el;
      widestRight = box.right;
    }
    problems.push(
      `scrolls sideways (${document.documentElement.scrollWidth} px wide in ${width} px)` +
      (widest ? `; widest: ${describe(widest)} reaching ${Math.round(widestRight)} px` : "")
    );
  }
  for (const [label, selector] of [["top navigation", "header.app-nav nav .nav"], ["chart tabs", ".nav-tabs"]]) {
    for (const bar of document.querySelectorAll(selector)) {
      const items = [...bar.children].filter((item) => item.offsetParent !== null);
      const rows = new Set(items.map((item) => Math.round(item.getBoundingClientRect().top)));
      if (rows.size > 1) {
        const last = items[items.length - 1];
        problems.push(`${label} wraps onto ${rows.size} lines (last item: ${describe(last)})`);
      }
      // A bar that scrolls sideways shows the current item (static/js/app.js scrolls it into view).
      const active = bar.querySelector(".active");
      if (active) {
        const barBox = bar.getBoundingClientRect();
        const itemBox = active.getBoundingClientRect();
        if (itemBox.left < barBox.left - 1 || itemBox.right > barBox.right + 1) {
          problems.push(`${label}: the current item is scrolled out of sight (${describe(active)})`);
        }
      }
      if (label === "top navigation" && laptop && bar.scrollWidth > bar.clientWidth + 1) {
        problems.push(`${label} hides items on the laptop (${bar.scrollWidth} px in ${bar.clientWidth} px)`);
      }
    }
  }
  // The boxes the issue names must show whole, without scrolling a table sideways to reach them.
  for (const [label, selector] of WHOLE) {
    for (const el of document.querySelectorAll(selector)) {
      const box = el.getBoundingClientRect();
      if (!box.width) continue;
      let right = width;
      for (let parent = el.parentElement; parent; parent = parent.parentElement) {
        const page = parent === document.body || parent === document.documentElement;
        if (!page && getComputedStyle(parent).overflowX !== "visible") {
          right = Math.min(right, parent.getBoundingClientRect().right);
        }
      }
      if (box.right > right + 1) {
        const reach = `${Math.round(box.right)} px of ${Math.round(right)} px`;
        problems.push(`${label} is cut off (${describe(el)} reaches ${reach})`);
        break;
      }
    }
  }
  return problems;
}
"""


def _pages(world) -> list[tuple[str, str]]:
    patient = world.inside.patient
    records = world.records
    return [
        ("work list", reverse("notifications:home")),
        ("patient registry", reverse("patients:registry")),
        ("chart overview", reverse("patients:chart", args=[patient.pk])),
        ("chart schedule", reverse("scheduling:patient_week", args=[patient.pk])),
        ("chart notes", reverse("clinical:chart_notes", args=[patient.pk])),
        ("chart consents", reverse("patients:chart_consents", args=[patient.pk])),
        ("chart drug tests", reverse("testing:chart_drug_tests", args=[patient.pk])),
        ("intake list", reverse("patients:intake_list")),
        ("intake assessment", reverse("patients:intake_assessment", args=[records["intake_pk"].pk])),
        ("calendar", reverse("scheduling:home")),
        ("compliance dashboard", reverse("scheduling:compliance")),
        ("audit log", reverse("audit:access_log")),
        ("roster", reverse("scheduling:roster", args=[world.inside.group_session.pk])),
    ]


def _check(page, url, name, size, problems):  # noqa: F811
    page.set_viewport_size(size)
    response = page.goto(url)
    page.wait_for_load_state("networkidle")
    where = f"{name} at {size['width']}×{size['height']}"
    if response is None or response.status != 200:
        problems.append(f"{where}: HTTP {response.status if response else 'no response'}")
        return
    found = page.evaluate(LAYOUT_PROBLEMS, [WHOLE, size["width"] >= LAPTOP["width"]])
    problems.extend(f"{where}: {problem}" for problem in found)


def test_the_main_pages_fit_the_laptop_the_tablet_and_the_roster_a_phone(page, live_server, browser_login):  # noqa: F811
    world = build_world()
    patient = world.inside.patient
    # Long words and a few rows, as a real chart has: the revoke box, the substance table.
    ConsentFactory(patient=patient, kind=ConsentKind.REMINDERS_SMS, witness="Dana Whitfield-Okonkwo")
    intake_patient = world.records["intake_pk"].patient
    SubstanceUseFactory(patient=intake_patient)
    SubstanceUseFactory(patient=intake_patient, is_primary=False)
    SubstanceUseFactory(patient=patient)
    pages = _pages(world)
    problems = []

    # The director sees the most of the chart and a long top navigation.
    browser_login(page, world.staff[Role.DIRECTOR], DEMO_PASSWORD)
    for name, path in pages:
        for size in (LAPTOP, TABLET):
            _check(page, live_server.url + path, name, size, problems)
    _check(page, live_server.url + dict(pages)["roster"], "roster", PHONE, problems)

    # The admin's navigation (Audit, Admin) on the pages an admin opens.
    page.context.clear_cookies()
    browser_login(page, world.staff[Role.ADMIN], DEMO_PASSWORD)
    for name in ("work list", "audit log"):
        for size in (LAPTOP, TABLET):
            _check(page, live_server.url + dict(pages)[name], f"{name} (admin)", size, problems)

    # The counselor runs the group: the roster on the phone in the group room.
    page.context.clear_cookies()
    browser_login(page, world.staff[Role.COUNSELOR], DEMO_PASSWORD)
    for size in (LAPTOP, TABLET, PHONE):
        _check(page, live_server.url + dict(pages)["roster"], "roster (counselor)", size, problems)

    assert not problems, "Pages that do not fit:\n" + "\n".join(problems)
