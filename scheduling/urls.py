from django.urls import path

from .views import attendance, calendars, compliance, feeds, patient

app_name = "scheduling"

urlpatterns = [
    path("", calendars.calendar_home, name="home"),
    path("calendar/<slug:scope>/<int:pk>/", calendars.calendar, name="calendar"),
    path("calendar/<slug:scope>/<int:pk>/events/", calendars.calendar_events, name="calendar_events"),
    path("program/", calendars.program_redirect, name="program_calendar"),
    path("day/", calendars.day_list, name="day_list"),
    path("sessions/<int:pk>/move/", calendars.session_move, name="session_move"),
    path("sessions/<int:pk>/cancel/", calendars.session_cancel, name="session_cancel"),
    path("sessions/<int:pk>/roster/", attendance.roster, name="roster"),
    path("sessions/<int:pk>/roster/all/", attendance.roster_save_all, name="roster_save_all"),
    path("sessions/<int:pk>/roster/<int:patient_pk>/", attendance.roster_row, name="roster_row"),
    path("patients/<int:pk>/", patient.patient_week, name="patient_week"),
    path("patients/<int:pk>/groups/", patient.patient_schedule_save, name="patient_schedule_save"),
    path("patients/<int:pk>/book/", patient.patient_session_book, name="patient_session_book"),
    path("patients/<int:pk>/waitlist/<int:enrolment_pk>/promote/", patient.enrolment_promote, name="enrolment_promote"),
    path("compliance/", compliance.compliance, name="compliance"),
    path("compliance.csv", compliance.compliance_csv, name="compliance_csv"),
    path("feed/", feeds.feed_settings, name="feed_settings"),
    path("feed/new/", feeds.feed_create, name="feed_create"),
    path("feed/revoke/", feeds.feed_revoke, name="feed_revoke"),
    path("feed/<str:token>.ics", feeds.ical_feed, name="ical_feed"),
]
