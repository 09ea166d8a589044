from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("failed/", views.failed_messages, name="failed_messages"),
    path("messages/<int:message_pk>/retry/", views.message_retry, name="message_retry"),
    path("patients/<int:pk>/", views.chart_messages, name="chart_messages"),
    path("patients/<int:pk>/sms/opt-out/", views.patient_sms_preference, {"action": "opt-out"}, name="sms_opt_out"),
    path("patients/<int:pk>/sms/opt-in/", views.patient_sms_preference, {"action": "opt-in"}, name="sms_opt_in"),
    path("sms/inbound/", views.sms_inbound, name="sms_inbound"),
    path("tasks/<int:task_pk>/done/", views.task_done, name="task_done"),
    path("tasks/<int:task_pk>/snooze/", views.task_snooze, name="task_snooze"),
]
