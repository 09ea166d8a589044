"""Break minutes on groups and sessions: not service time, so not counted (issue 11). Existing rows have none."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('patients', '0012_asam_edition_withdrawal_management_cosign'),
        ('programs', '0002_level_of_care_and_half_open_band'),
        ('scheduling', '0007_task_modules'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='group',
            name='break_minutes',
            field=models.PositiveSmallIntegerField(db_default=0, default=0, help_text='Breaks and meals in each meeting (e.g. 15); not counted toward hours or the 3-hour billable day.'),
        ),
        migrations.AddField(
            model_name='historicalgroup',
            name='break_minutes',
            field=models.PositiveSmallIntegerField(db_default=0, default=0, help_text='Breaks and meals in each meeting (e.g. 15); not counted toward hours or the 3-hour billable day.'),
        ),
        migrations.AddField(
            model_name='historicalsession',
            name='break_minutes',
            field=models.PositiveSmallIntegerField(db_default=0, default=0, help_text='Breaks and meals inside the session; they do not count toward hours or the billable day.'),
        ),
        migrations.AddField(
            model_name='session',
            name='break_minutes',
            field=models.PositiveSmallIntegerField(db_default=0, default=0, help_text='Breaks and meals inside the session; they do not count toward hours or the billable day.'),
        ),
        migrations.AddConstraint(
            model_name='group',
            constraint=models.CheckConstraint(condition=models.Q(('break_minutes__lt', models.F('duration_minutes'))), name='scheduling_group_break_inside', violation_error_message='Breaks must be shorter than the meeting.'),
        ),
        migrations.AddConstraint(
            model_name='session',
            constraint=models.CheckConstraint(condition=models.Q(('break_minutes__lt', models.F('duration_minutes'))), name='scheduling_session_break_inside', violation_error_message='Breaks must be shorter than the session.'),
        ),
    ]
