"""An addendum the form refuses comes back as written, with why, instead of a redirect that loses it."""

import pytest
from django.urls import reverse

from clinical.tests.factories import plan_goal, signed_plan
from clinical.tests.test_views import signed_note

pytestmark = pytest.mark.django_db


def test_a_refused_addendum_keeps_the_text(login, counselor, episode):
    note = signed_note(episode, counselor, plan_goal(signed_plan(episode)), hours_before=5)
    client = login(counselor)
    url = reverse("clinical:note_addendum", args=[note.pk])
    too_long = "Called the patient back at 18:40; " + "x" * 8000
    response = client.post(url, {"text": too_long})
    assert response.status_code == 422
    assert too_long in response.text
    assert "Ensure this value has at most 8000 characters" in response.text
    assert not note.addenda.exists()
    response = client.post(url, {"text": "  "})
    assert response.status_code == 422 and "This field is required." in response.text
    response = client.post(url, {"text": "Called the patient back at 18:40."})
    assert response.status_code == 302
    assert note.addenda.get().text == "Called the patient back at 18:40."
