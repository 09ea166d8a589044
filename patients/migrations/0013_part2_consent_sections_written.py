"""Part 2 consents allow sections by structure and are written (issue 12).

One column per packet section, the person and time that confirmed them, who may disclose,
the right to revoke, the signed copy or the on-screen signature. Existing consents are
migrated conservatively: every section column starts false and nothing is confirmed, so a
consent recorded before this migration allows no disclosure until a person records, from
the chart, which sections the patient agreed to. Their free text is kept as the patient's
words and no longer decides anything.
"""

import django.core.validators
import django.db.models.deletion
import patients.models.consents
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('patients', '0012_asam_edition_withdrawal_management_cosign'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='consent',
            name='patients_consent_part2_complete',
        ),
        migrations.AddField(
            model_name='consent',
            name='allows_assessments',
            field=models.BooleanField(default=False, editable=False, verbose_name='Assessments and screening instruments'),
        ),
        migrations.AddField(
            model_name='consent',
            name='allows_demographics',
            field=models.BooleanField(default=False, editable=False, verbose_name='Identification and demographics'),
        ),
        migrations.AddField(
            model_name='consent',
            name='allows_diagnoses',
            field=models.BooleanField(default=False, editable=False, verbose_name='Diagnoses'),
        ),
        migrations.AddField(
            model_name='consent',
            name='allows_episodes',
            field=models.BooleanField(default=False, editable=False, verbose_name='Episodes of care (admission, level of care, discharge)'),
        ),
        migrations.AddField(
            model_name='consent',
            name='allows_insurance',
            field=models.BooleanField(default=False, editable=False, verbose_name='Insurance and authorizations'),
        ),
        migrations.AddField(
            model_name='consent',
            name='allows_substance_use',
            field=models.BooleanField(default=False, editable=False, verbose_name='Substance use history'),
        ),
        migrations.AddField(
            model_name='consent',
            name='disclosing_program',
            field=models.CharField(blank=True, help_text='Part 2 disclosures: the program the patient allows to disclose, as the consent names it.', max_length=200, verbose_name='Who may disclose'),
        ),
        migrations.AddField(
            model_name='consent',
            name='document',
            field=models.FileField(blank=True, help_text='Signed on paper: the scan of the signed consent (PDF, JPEG or PNG).', max_length=200, upload_to=patients.models.consents.consent_document_path, validators=[django.core.validators.FileExtensionValidator(('pdf', 'jpg', 'jpeg', 'png')), patients.models.consents.validate_consent_document], verbose_name='Signed copy'),
        ),
        migrations.AddField(
            model_name='consent',
            name='revocation_right_stated',
            field=models.BooleanField(default=False, help_text='Part 2 disclosures: the patient was told, in the consent they signed, how to revoke it.', verbose_name='The consent states the right to revoke it'),
        ),
        migrations.AddField(
            model_name='consent',
            name='sections_confirmed_at',
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name='consent',
            name='sections_confirmed_by',
            field=models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='consent',
            name='signature_name',
            field=models.CharField(blank=True, editable=False, max_length=200, verbose_name='Signed on screen as'),
        ),
        migrations.AddField(
            model_name='consent',
            name='signed_at',
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name='Signed on screen at'),
        ),
        migrations.AddField(
            model_name='historicalconsent',
            name='allows_assessments',
            field=models.BooleanField(default=False, editable=False, verbose_name='Assessments and screening instruments'),
        ),
        migrations.AddField(
            model_name='historicalconsent',
            name='allows_demographics',
            field=models.BooleanField(default=False, editable=False, verbose_name='Identification and demographics'),
        ),
        migrations.AddField(
            model_name='historicalconsent',
            name='allows_diagnoses',
            field=models.BooleanField(default=False, editable=False, verbose_name='Diagnoses'),
        ),
        migrations.AddField(
            model_name='historicalconsent',
            name='allows_episodes',
            field=models.BooleanField(default=False, editable=False, verbose_name='Episodes of care (admission, level of care, discharge)'),
        ),
        migrations.AddField(
            model_name='historicalconsent',
            name='allows_insurance',
            field=models.BooleanField(default=False, editable=False, verbose_name='Insurance and authorizations'),
        ),
        migrations.AddField(
            model_name='historicalconsent',
            name='allows_substance_use',
            field=models.BooleanField(default=False, editable=False, verbose_name='Substance use history'),
        ),
        migrations.AddField(
            model_name='historicalconsent',
            name='disclosing_program',
            field=models.CharField(blank=True, help_text='Part 2 disclosures: the program the patient allows to disclose, as the consent names it.', max_length=200, verbose_name='Who may disclose'),
        ),
        migrations.AddField(
            model_name='historicalconsent',
            name='document',
            field=models.TextField(blank=True, help_text='Signed on paper: the scan of the signed consent (PDF, JPEG or PNG).', max_length=200, validators=[django.core.validators.FileExtensionValidator(('pdf', 'jpg', 'jpeg', 'png')), patients.models.consents.validate_consent_document], verbose_name='Signed copy'),
        ),
        migrations.AddField(
            model_name='historicalconsent',
            name='revocation_right_stated',
            field=models.BooleanField(default=False, help_text='Part 2 disclosures: the patient was told, in the consent they signed, how to revoke it.', verbose_name='The consent states the right to revoke it'),
        ),
        migrations.AddField(
            model_name='historicalconsent',
            name='sections_confirmed_at',
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name='historicalconsent',
            name='sections_confirmed_by',
            field=models.ForeignKey(blank=True, db_constraint=False, editable=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalconsent',
            name='signature_name',
            field=models.CharField(blank=True, editable=False, max_length=200, verbose_name='Signed on screen as'),
        ),
        migrations.AddField(
            model_name='historicalconsent',
            name='signed_at',
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name='Signed on screen at'),
        ),
        migrations.AlterField(
            model_name='consent',
            name='information_scope',
            field=models.TextField(blank=True, help_text='What the patient said may be disclosed, kept as written. Only the sections ticked decide.', verbose_name="In the patient's words"),
        ),
        migrations.AlterField(
            model_name='consent',
            name='method',
            field=models.CharField(choices=[('signed', 'Signed on paper'), ('electronic', 'Signed on screen'), ('verbal', 'Verbal, with witness')], default='signed', max_length=12),
        ),
        migrations.AlterField(
            model_name='historicalconsent',
            name='information_scope',
            field=models.TextField(blank=True, help_text='What the patient said may be disclosed, kept as written. Only the sections ticked decide.', verbose_name="In the patient's words"),
        ),
        migrations.AlterField(
            model_name='historicalconsent',
            name='method',
            field=models.CharField(choices=[('signed', 'Signed on paper'), ('electronic', 'Signed on screen'), ('verbal', 'Verbal, with witness')], default='signed', max_length=12),
        ),
        migrations.AddConstraint(
            model_name='consent',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('kind', 'part2_disclosure'), _negated=True), models.Q(models.Q(('recipient', ''), _negated=True), models.Q(('purpose', ''), _negated=True), ('expires_on__isnull', False)), _connector='OR'), name='patients_consent_part2_complete', violation_error_message='A 42 CFR Part 2 disclosure consent names the recipient, the purpose and when it expires.'),
        ),
        migrations.AddConstraint(
            model_name='consent',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('sections_confirmed_at__isnull', True), ('sections_confirmed_by__isnull', True), ('allows_assessments', False), ('allows_demographics', False), ('allows_diagnoses', False), ('allows_episodes', False), ('allows_insurance', False), ('allows_substance_use', False)), models.Q(('kind', 'part2_disclosure'), models.Q(('sections_confirmed_at__isnull', True), _negated=True), ('sections_confirmed_by__isnull', False), models.Q(('allows_demographics', True), ('allows_episodes', True), ('allows_diagnoses', True), ('allows_substance_use', True), ('allows_assessments', True), ('allows_insurance', True), _connector='OR')), _connector='OR'), name='patients_consent_sections_confirmed', violation_error_message='Only a 42 CFR Part 2 consent allows sections of the record: at least one, recorded by a named person.'),
        ),
        migrations.AddConstraint(
            model_name='consent',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('kind', 'part2_disclosure'), _negated=True), ('sections_confirmed_at__isnull', True), models.Q(models.Q(('method', 'verbal'), _negated=True), models.Q(models.Q(('document', ''), _negated=True), models.Q(('method', 'electronic'), models.Q(('signature_name', ''), _negated=True), ('signed_at__isnull', False)), _connector='OR')), _connector='OR'), name='patients_consent_part2_written', violation_error_message='A 42 CFR Part 2 disclosure consent is written: attach the signed paper, or have the patient sign on screen. Verbal consent is not enough.'),
        ),
        migrations.AddConstraint(
            model_name='consent',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('kind', 'part2_disclosure'), _negated=True), ('sections_confirmed_at__isnull', True), models.Q(('disclosing_program', ''), _negated=True), _connector='OR'), name='patients_consent_part2_names_discloser', violation_error_message='A 42 CFR Part 2 disclosure consent names the program that may disclose.'),
        ),
        migrations.AddConstraint(
            model_name='consent',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('kind', 'part2_disclosure'), _negated=True), ('sections_confirmed_at__isnull', True), ('revocation_right_stated', True), _connector='OR'), name='patients_consent_part2_states_revocation', violation_error_message="A 42 CFR Part 2 disclosure consent states the patient's right to revoke it."),
        ),
        migrations.AddConstraint(
            model_name='consent',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('signature_name', ''), ('signed_at__isnull', True)), models.Q(('method', 'electronic'), models.Q(('signature_name', ''), _negated=True), ('signed_at__isnull', False)), _connector='OR'), name='patients_consent_screen_signature_complete', violation_error_message='A signature on screen has the typed name and the time it was signed.'),
        ),
    ]
