"""ASAM edition, withdrawal management and the reason category on assessments and episodes; the co-signature of an
admission below the recommended level (issue 11). Existing rows are 3rd edition, with no co-signature due."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('patients', '0011_follow_up_of_findings'),
        ('programs', '0002_level_of_care_and_half_open_band'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='episode',
            options={'ordering': ['-admitted_on'], 'permissions': [('cosign_episode', 'Can co-sign an admission below the recommended level of care')]},
        ),
        migrations.AddField(
            model_name='asamassessment',
            name='edition',
            field=models.PositiveSmallIntegerField(choices=[(3, 'ASAM Criteria, 3rd edition (2013)'), (4, 'ASAM Criteria, 4th edition (2023)')], default=3),
        ),
        migrations.AddField(
            model_name='asamassessment',
            name='recommendation_rule',
            field=models.CharField(blank=True, help_text='The decision-table row that gave the recommendation (patients/asam.py).', max_length=40),
        ),
        migrations.AddField(
            model_name='asamassessment',
            name='recommended_withdrawal_management',
            field=models.CharField(blank=True, choices=[('1-WM', '1-WM Ambulatory, without extended on-site monitoring'), ('2-WM', '2-WM Ambulatory, with extended on-site monitoring'), ('3.2-WM', '3.2-WM Clinically managed residential'), ('3.7-WM', '3.7-WM Medically monitored inpatient'), ('4-WM', '4-WM Medically managed intensive inpatient')], help_text='3rd edition: the withdrawal-management level recommended alongside (dimension 1 ≥ 2).', max_length=6, verbose_name='Recommended withdrawal management'),
        ),
        migrations.AddField(
            model_name='episode',
            name='admitted_below_recommendation',
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.AddField(
            model_name='episode',
            name='cosigned_at',
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name='episode',
            name='cosigned_by',
            field=models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='episode',
            name='edition',
            field=models.PositiveSmallIntegerField(choices=[(3, 'ASAM Criteria, 3rd edition (2013)'), (4, 'ASAM Criteria, 4th edition (2023)')], default=3),
        ),
        migrations.AddField(
            model_name='episode',
            name='level_of_care_reason_category',
            field=models.CharField(blank=True, choices=[('patient_preference', 'Patient preference'), ('not_available', 'Level not available'), ('payer_decision', 'Payer decision'), ('clinical_judgement', 'Clinical judgement')], max_length=20, verbose_name='Why another level'),
        ),
        migrations.AddField(
            model_name='episode',
            name='withdrawal_management',
            field=models.CharField(blank=True, choices=[('1-WM', '1-WM Ambulatory, without extended on-site monitoring'), ('2-WM', '2-WM Ambulatory, with extended on-site monitoring'), ('3.2-WM', '3.2-WM Clinically managed residential'), ('3.7-WM', '3.7-WM Medically monitored inpatient'), ('4-WM', '4-WM Medically managed intensive inpatient')], help_text='3rd edition: withdrawal management alongside the level (the 4th integrates it in 1.7–4.0).', max_length=6),
        ),
        migrations.AddField(
            model_name='historicalasamassessment',
            name='edition',
            field=models.PositiveSmallIntegerField(choices=[(3, 'ASAM Criteria, 3rd edition (2013)'), (4, 'ASAM Criteria, 4th edition (2023)')], default=3),
        ),
        migrations.AddField(
            model_name='historicalasamassessment',
            name='recommendation_rule',
            field=models.CharField(blank=True, help_text='The decision-table row that gave the recommendation (patients/asam.py).', max_length=40),
        ),
        migrations.AddField(
            model_name='historicalasamassessment',
            name='recommended_withdrawal_management',
            field=models.CharField(blank=True, choices=[('1-WM', '1-WM Ambulatory, without extended on-site monitoring'), ('2-WM', '2-WM Ambulatory, with extended on-site monitoring'), ('3.2-WM', '3.2-WM Clinically managed residential'), ('3.7-WM', '3.7-WM Medically monitored inpatient'), ('4-WM', '4-WM Medically managed intensive inpatient')], help_text='3rd edition: the withdrawal-management level recommended alongside (dimension 1 ≥ 2).', max_length=6, verbose_name='Recommended withdrawal management'),
        ),
        migrations.AddField(
            model_name='historicalepisode',
            name='admitted_below_recommendation',
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.AddField(
            model_name='historicalepisode',
            name='cosigned_at',
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name='historicalepisode',
            name='cosigned_by',
            field=models.ForeignKey(blank=True, db_constraint=False, editable=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalepisode',
            name='edition',
            field=models.PositiveSmallIntegerField(choices=[(3, 'ASAM Criteria, 3rd edition (2013)'), (4, 'ASAM Criteria, 4th edition (2023)')], default=3),
        ),
        migrations.AddField(
            model_name='historicalepisode',
            name='level_of_care_reason_category',
            field=models.CharField(blank=True, choices=[('patient_preference', 'Patient preference'), ('not_available', 'Level not available'), ('payer_decision', 'Payer decision'), ('clinical_judgement', 'Clinical judgement')], max_length=20, verbose_name='Why another level'),
        ),
        migrations.AddField(
            model_name='historicalepisode',
            name='withdrawal_management',
            field=models.CharField(blank=True, choices=[('1-WM', '1-WM Ambulatory, without extended on-site monitoring'), ('2-WM', '2-WM Ambulatory, with extended on-site monitoring'), ('3.2-WM', '3.2-WM Clinically managed residential'), ('3.7-WM', '3.7-WM Medically monitored inpatient'), ('4-WM', '4-WM Medically managed intensive inpatient')], help_text='3rd edition: withdrawal management alongside the level (the 4th integrates it in 1.7–4.0).', max_length=6),
        ),
        migrations.AlterField(
            model_name='asamassessment',
            name='recommended_level',
            field=models.CharField(choices=[('1.0', '1.0 Outpatient'), ('1.5', '1.5 Outpatient therapy'), ('1.7', '1.7 Medically managed outpatient'), ('2.1', '2.1 Intensive outpatient'), ('2.5', '2.5 Partial hospitalization'), ('2.7', '2.7 Medically managed intensive outpatient'), ('3.1', '3.1 Clinically managed low-intensity residential'), ('3.5', '3.5 Clinically managed high-intensity residential'), ('3.7', '3.7 Medically monitored intensive inpatient'), ('4.0', '4.0 Medically managed intensive inpatient')], max_length=4),
        ),
        migrations.AlterField(
            model_name='authorization',
            name='level_of_care',
            field=models.CharField(choices=[('1.0', '1.0 Outpatient'), ('1.5', '1.5 Outpatient therapy'), ('1.7', '1.7 Medically managed outpatient'), ('2.1', '2.1 Intensive outpatient'), ('2.5', '2.5 Partial hospitalization'), ('2.7', '2.7 Medically managed intensive outpatient'), ('3.1', '3.1 Clinically managed low-intensity residential'), ('3.5', '3.5 Clinically managed high-intensity residential'), ('3.7', '3.7 Medically monitored intensive inpatient'), ('4.0', '4.0 Medically managed intensive inpatient')], default='2.1', max_length=4),
        ),
        migrations.AlterField(
            model_name='episode',
            name='level_of_care',
            field=models.CharField(choices=[('1.0', '1.0 Outpatient'), ('1.5', '1.5 Outpatient therapy'), ('1.7', '1.7 Medically managed outpatient'), ('2.1', '2.1 Intensive outpatient'), ('2.5', '2.5 Partial hospitalization'), ('2.7', '2.7 Medically managed intensive outpatient'), ('3.1', '3.1 Clinically managed low-intensity residential'), ('3.5', '3.5 Clinically managed high-intensity residential'), ('3.7', '3.7 Medically monitored intensive inpatient'), ('4.0', '4.0 Medically managed intensive inpatient')], default='2.1', max_length=4),
        ),
        migrations.AlterField(
            model_name='historicalasamassessment',
            name='recommended_level',
            field=models.CharField(choices=[('1.0', '1.0 Outpatient'), ('1.5', '1.5 Outpatient therapy'), ('1.7', '1.7 Medically managed outpatient'), ('2.1', '2.1 Intensive outpatient'), ('2.5', '2.5 Partial hospitalization'), ('2.7', '2.7 Medically managed intensive outpatient'), ('3.1', '3.1 Clinically managed low-intensity residential'), ('3.5', '3.5 Clinically managed high-intensity residential'), ('3.7', '3.7 Medically monitored intensive inpatient'), ('4.0', '4.0 Medically managed intensive inpatient')], max_length=4),
        ),
        migrations.AlterField(
            model_name='historicalauthorization',
            name='level_of_care',
            field=models.CharField(choices=[('1.0', '1.0 Outpatient'), ('1.5', '1.5 Outpatient therapy'), ('1.7', '1.7 Medically managed outpatient'), ('2.1', '2.1 Intensive outpatient'), ('2.5', '2.5 Partial hospitalization'), ('2.7', '2.7 Medically managed intensive outpatient'), ('3.1', '3.1 Clinically managed low-intensity residential'), ('3.5', '3.5 Clinically managed high-intensity residential'), ('3.7', '3.7 Medically monitored intensive inpatient'), ('4.0', '4.0 Medically managed intensive inpatient')], default='2.1', max_length=4),
        ),
        migrations.AlterField(
            model_name='historicalepisode',
            name='level_of_care',
            field=models.CharField(choices=[('1.0', '1.0 Outpatient'), ('1.5', '1.5 Outpatient therapy'), ('1.7', '1.7 Medically managed outpatient'), ('2.1', '2.1 Intensive outpatient'), ('2.5', '2.5 Partial hospitalization'), ('2.7', '2.7 Medically managed intensive outpatient'), ('3.1', '3.1 Clinically managed low-intensity residential'), ('3.5', '3.5 Clinically managed high-intensity residential'), ('3.7', '3.7 Medically monitored intensive inpatient'), ('4.0', '4.0 Medically managed intensive inpatient')], default='2.1', max_length=4),
        ),
        migrations.AlterField(
            model_name='historicallevelofcarechange',
            name='from_level',
            field=models.CharField(choices=[('1.0', '1.0 Outpatient'), ('1.5', '1.5 Outpatient therapy'), ('1.7', '1.7 Medically managed outpatient'), ('2.1', '2.1 Intensive outpatient'), ('2.5', '2.5 Partial hospitalization'), ('2.7', '2.7 Medically managed intensive outpatient'), ('3.1', '3.1 Clinically managed low-intensity residential'), ('3.5', '3.5 Clinically managed high-intensity residential'), ('3.7', '3.7 Medically monitored intensive inpatient'), ('4.0', '4.0 Medically managed intensive inpatient')], max_length=4),
        ),
        migrations.AlterField(
            model_name='historicallevelofcarechange',
            name='to_level',
            field=models.CharField(choices=[('1.0', '1.0 Outpatient'), ('1.5', '1.5 Outpatient therapy'), ('1.7', '1.7 Medically managed outpatient'), ('2.1', '2.1 Intensive outpatient'), ('2.5', '2.5 Partial hospitalization'), ('2.7', '2.7 Medically managed intensive outpatient'), ('3.1', '3.1 Clinically managed low-intensity residential'), ('3.5', '3.5 Clinically managed high-intensity residential'), ('3.7', '3.7 Medically monitored intensive inpatient'), ('4.0', '4.0 Medically managed intensive inpatient')], max_length=4),
        ),
        migrations.AlterField(
            model_name='levelofcarechange',
            name='from_level',
            field=models.CharField(choices=[('1.0', '1.0 Outpatient'), ('1.5', '1.5 Outpatient therapy'), ('1.7', '1.7 Medically managed outpatient'), ('2.1', '2.1 Intensive outpatient'), ('2.5', '2.5 Partial hospitalization'), ('2.7', '2.7 Medically managed intensive outpatient'), ('3.1', '3.1 Clinically managed low-intensity residential'), ('3.5', '3.5 Clinically managed high-intensity residential'), ('3.7', '3.7 Medically monitored intensive inpatient'), ('4.0', '4.0 Medically managed intensive inpatient')], max_length=4),
        ),
        migrations.AlterField(
            model_name='levelofcarechange',
            name='to_level',
            field=models.CharField(choices=[('1.0', '1.0 Outpatient'), ('1.5', '1.5 Outpatient therapy'), ('1.7', '1.7 Medically managed outpatient'), ('2.1', '2.1 Intensive outpatient'), ('2.5', '2.5 Partial hospitalization'), ('2.7', '2.7 Medically managed intensive outpatient'), ('3.1', '3.1 Clinically managed low-intensity residential'), ('3.5', '3.5 Clinically managed high-intensity residential'), ('3.7', '3.7 Medically monitored intensive inpatient'), ('4.0', '4.0 Medically managed intensive inpatient')], max_length=4),
        ),
        migrations.AddConstraint(
            model_name='asamassessment',
            constraint=models.CheckConstraint(condition=models.Q(('edition', 3), ('recommended_withdrawal_management', ''), _connector='OR'), name='patients_asamassessment_wm_levels_third_edition', violation_error_message='Separate withdrawal-management levels belong to the 3rd edition.'),
        ),
        migrations.AddConstraint(
            model_name='episode',
            constraint=models.CheckConstraint(condition=models.Q(('level_of_care_reason_category', ''), models.Q(('level_of_care_reason', ''), _negated=True), _connector='OR'), name='patients_episode_reason_category_explained', violation_error_message='A reason category needs the reason written out.'),
        ),
        migrations.AddConstraint(
            model_name='episode',
            constraint=models.CheckConstraint(condition=models.Q(('admitted_below_recommendation', False), models.Q(models.Q(('level_of_care_reason_category', ''), _negated=True), models.Q(('level_of_care_reason', ''), _negated=True)), _connector='OR'), name='patients_episode_below_recommendation_explained', violation_error_message='Admitting below the recommended level needs a reason category and a reason.'),
        ),
        migrations.AddConstraint(
            model_name='episode',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('cosigned_at__isnull', True), ('cosigned_by__isnull', True)), models.Q(('admitted_below_recommendation', True), ('cosigned_at__isnull', False), ('cosigned_by__isnull', False)), _connector='OR'), name='patients_episode_cosign_signed', violation_error_message='A co-signature names the supervisor and is for an admission below the recommended level.'),
        ),
        migrations.AddConstraint(
            model_name='episode',
            constraint=models.CheckConstraint(condition=models.Q(('edition', 3), ('withdrawal_management', ''), _connector='OR'), name='patients_episode_wm_levels_third_edition', violation_error_message='Separate withdrawal-management levels belong to the 3rd edition.'),
        ),
    ]
