"""A clinician's private iCalendar feed: the one URL that authenticates by a (revocable) token."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from .. import ical, services
from ..models import CalendarFeedToken, Session
from .common import require_perm

FEED_DAYS_BACK = 14
FEED_DAYS_AHEAD = 56


def feed_settings(request):
    require_perm(request, "scheduling.view_session")
    live = CalendarFeedToken.objects.filter(user=request.user, revoked_at__isnull=True).first()
    token = request.session.pop("new_feed_token", None)
    feed_url = request.build_absolute_uri(reverse("scheduling:ical_feed", args=[token])) if token else None
    return render(request, "scheduling/feed_settings.html", {"live": live, "feed_url": feed_url})


@require_POST
def feed_create(request):
    require_perm(request, "scheduling.view_session")
    token = services.calendar_feed_token_create(user=request.user)
    # Shown once on the next page, never stored in clear in the database.
    request.session["new_feed_token"] = token
    messages.success(request, "New feed address made; any earlier address stops working.")
    return redirect("scheduling:feed_settings")


@require_POST
def feed_revoke(request):
    services.calendar_feed_token_revoke(user=request.user)
    messages.success(request, "Calendar feed revoked: the address no longer works.")
    return redirect("scheduling:feed_settings")


@login_not_required
def ical_feed(request, token):
    """Session kind and room only: a calendar app is no place for patient names (42 CFR Part 2)."""
    user = services.feed_user_for_token(token)
    if user is None:
        raise Http404
    today = timezone.localdate()
    sessions = (
        Session.objects.filter(Q(clinician=user) | Q(co_facilitator=user))
        .filter(day__gte=today - dt.timedelta(days=FEED_DAYS_BACK), day__lte=today + dt.timedelta(days=FEED_DAYS_AHEAD))
        .select_related("room")
        .order_by("start")
    )
    events = [
        {
            "uid": f"session-{session.pk}",
            "start": session.start,
            "end": session.end,
            "summary": f"{session.get_kind_display()} · {session.room.name}",
            "location": session.room.location or session.room.name,
            "status": "CANCELLED" if session.is_cancelled else "CONFIRMED",
            "updated": session.updated_at,
        }
        for session in sessions
    ]
    body = ical.calendar(events, name="Clinic schedule", domain=request.get_host().split(":")[0])
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    response["Content-Disposition"] = 'inline; filename="schedule.ics"'
    return response
