from django.urls import include, path

from .views import messages, webhooks, work_list

app_name = "notifications"

# Mounted at the site root: the home page is the work list.
urlpatterns = [
    path("", work_list.home, name="home"),
    path(
        "notifications/",
        include(
            [
                path("failed/", messages.failed_messages, name="failed_messages"),
                path("messages/<int:message_pk>/retry/", messages.message_retry, name="message_retry"),
                path("patients/<int:pk>/", messages.chart_messages, name="chart_messages"),
                path(
                    "patients/<int:pk>/sms/opt-out/",
                    messages.patient_sms_preference,
                    {"action": "opt-out"},
                    name="sms_opt_out",
                ),
                path(
                    "patients/<int:pk>/sms/opt-in/",
                    messages.patient_sms_preference,
                    {"action": "opt-in"},
                    name="sms_opt_in",
                ),
                path("sms/inbound/", webhooks.sms_inbound, name="sms_inbound"),
                path("tasks/bulk/", work_list.tasks_bulk, name="tasks_bulk"),
                path("tasks/<int:task_pk>/done/", work_list.task_done, name="task_done"),
                path("tasks/<int:task_pk>/snooze/", work_list.task_snooze, name="task_snooze"),
            ]
        ),
    ),
]
