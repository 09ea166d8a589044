"""Outbox claims carry a heartbeat: a killed worker's batch is found by its silent heartbeat, not its age.

Rows being sent when this runs get their claim time as heartbeat, so they are released as before.
"""

from django.db import migrations, models
from django.db.models import F


def heartbeat_from_claim(apps, schema_editor):
    OutboundMessage = apps.get_model("notifications", "OutboundMessage")
    OutboundMessage.objects.filter(status="sending").update(heartbeat_at=F("claimed_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0004_escalation_schedule"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="outboundmessage", name="notif_msg_stale_claim"),
        migrations.AddField(
            model_name="outboundmessage",
            name="heartbeat_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(heartbeat_from_claim, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="outboundmessage",
            index=models.Index(
                condition=models.Q(("status", "sending")), fields=["heartbeat_at"], name="notif_msg_stale_heartbeat"
            ),
        ),
        migrations.AddConstraint(
            model_name="outboundmessage",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("status", "sending"), _negated=True),
                    models.Q(("heartbeat_at__isnull", False), models.Q(("claimed_by", ""), _negated=True)),
                    _connector="OR",
                ),
                name="notifications_outboundmessage_sending_has_heartbeat",
                violation_error_message="A message being sent names the run holding it and its last heartbeat.",
            ),
        ),
    ]
