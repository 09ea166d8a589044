"""Top navigation by role: each entry names the permission that shows it."""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class NavEntry:
    label: str
    url_name: str
    icon: str
    permission: str | None = None
    staff_only: bool = False


NAV_ENTRIES = [
    NavEntry("Work list", "notifications:home", "list-check"),
    NavEntry("Patients", "patients:registry", "people", permission="patients.view_patient"),
    NavEntry("Intake", "patients:intake_list", "clipboard-plus", permission="patients.add_intake"),
    NavEntry("Check-ins", "aftercare:checkins_due", "telephone-outbound", permission="aftercare.view_alumnicheckin"),
    NavEntry("Calendar", "scheduling:home", "calendar-week", permission="scheduling.view_session"),
    NavEntry("My notes", "clinical:my_notes", "journal-text", permission="clinical.view_sessionnote"),
    NavEntry("Testing", "testing:testing_lists", "droplet", permission="testing.view_drugtest"),
    NavEntry("Compliance", "scheduling:compliance", "graph-up", permission="scheduling.view_attendance"),
    NavEntry("Outcomes", "outcomes:page", "bar-chart-line", permission="outcomes.view_outcomes"),
    NavEntry(
        "Failed messages",
        "notifications:failed_messages",
        "envelope-exclamation",
        permission="notifications.view_outboundmessage",
    ),
    NavEntry("Audit", "audit:access_log", "shield-check", permission="audit.view_accesslog"),
    NavEntry("Admin", "admin:index", "gear", staff_only=True),
]


def nav_items(request) -> list[dict]:
    user = request.user
    items = []
    for entry in NAV_ENTRIES:
        if entry.permission and not user.has_perm(entry.permission):
            continue
        if entry.staff_only and not user.is_staff:
            continue
        try:
            url = reverse(entry.url_name)
        except NoReverseMatch:
            continue
        active = request.path == url if url == "/" else request.path.startswith(url)
        items.append({"label": entry.label, "url": url, "icon": entry.icon, "active": active})
    return items
