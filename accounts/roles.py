"""Roles declared in code: which model permissions each staff group holds.

A data migration creates the groups; ``post_migrate`` re-applies this table so
models added later get their permissions without a hand-written migration.
"""

from django.contrib.auth.management import create_permissions

from .constants import Role

ALL = ("view", "add", "change", "delete")
WRITE = ("view", "add", "change")
READ = ("view",)

INTAKE_MODELS = (
    "patient",
    "contact",
    "consent",
    "insurancepolicy",
    "authorization",
    "intake",
    "instrumentresponse",
    "asamassessment",
    "substanceuse",
    "diagnosis",
    "episode",
    "careteammember",
)
# What clinicians write in a chart; registering patients and running intake is intake's job.
CHART_MODELS = (
    "contact",
    "consent",
    "instrumentresponse",
    "asamassessment",
    "substanceuse",
    "diagnosis",
    "levelofcarechange",
    "patientalert",
    "careteammember",
)
# Discharge, aftercare plan and alumni check-ins (aftercare/): every clinician writes them.
AFTERCARE = ("aftercare", ("discharge", "aftercareplan", "alumnicheckin"), WRITE)
CHART_READ_MODELS = ("patient", "intake", "episode", "insurancepolicy", "authorization")

# Everyone with a work list closes and snoozes their own tasks (notifications/).
WORK_LIST = ("notifications", ("stafftask",), ("view", "change"))
# Program directors watch the failed-messages page and retry a message once the cause is fixed.
FAILED_MESSAGES = ("notifications", ("outboundmessage",), ("view", "change"))

# 42 CFR Part 2: clinicians and directors release records under the patient's consent (audit.Disclosure).
PART2_DISCLOSURE = ("audit", ("disclosure",), ("view", "add"))

# Treatment plans and session notes (clinical/). SUD counseling notes are further limited to
# their author by clinical.selectors, whatever the permission says.
CLINICAL_RECORD_MODELS = (
    "treatmentplan",
    "problem",
    "goal",
    "objective",
    "intervention",
    "planreview",
    "sessionnote",
    "groupnote",
    "groupnotesection",
    "noteaddendum",
    "counselingnote",
)
CLINICAL_RECORD = ("clinical", CLINICAL_RECORD_MODELS, WRITE)
# Directors and admins read the record, never SUD counseling notes, not even their metadata in the
# admin: only their author reads them (42 CFR §2.11), and only the clinicians who write them hold
# the counseling-note permissions.
CLINICAL_RECORD_READ = ("clinical", tuple(model for model in CLINICAL_RECORD_MODELS if model != "counselingnote"), READ)
DOCUMENTATION_POLICY_READ = ("clinical", ("programdocumentationpolicy",), READ)

# Medications (medications/) and drug testing (testing/). Prescribers keep the medication list; every
# clinician reads it (a drug test is read against it) and records drug tests.
MEDICATION_MODELS = ("medication",)
DRUG_TEST_MODELS = ("drugtest", "drugtestresultset", "analyteresult", "sobrietydate")
# Panels, analytes, program testing policies and the random-draw record: admins and directors edit them.
TESTING_CONFIG_MODELS = ("analyte", "panel", "panelanalyte", "programclinicalpolicy", "randomdraw")
MEDICATIONS_WRITE = ("medications", MEDICATION_MODELS, WRITE)
MEDICATIONS_READ = ("medications", MEDICATION_MODELS, READ)
DRUG_TESTS_WRITE = ("testing", DRUG_TEST_MODELS, WRITE)
TESTING_CONFIG_READ = ("testing", TESTING_CONFIG_MODELS, READ)

# Supervisors and directors let a discharge go ahead with a safety alert open, by name.
ALERT_ACKNOWLEDGEMENT = ("patients", ("patientalert",), ("acknowledge",))

# Supervisors and directors co-sign an admission below the ASAM-recommended level (within 24 h).
ADMISSION_COSIGN = ("patients", ("episode",), ("cosign",))

# Emergency access to a chart outside one's care team (patients/services/access.py).
BREAK_GLASS = ("patients", ("breakglassaccess",), ("view", "add"))

# Outcome measures and the TEDS admission profile (outcomes/): whoever admits, discharges or calls alumni
# records them. Supervisors also see their programs' outcomes (the custom view_outcomes permission);
# directors and admins hold every outcomes permission, the TEDS export and the programs' state identifiers.
OUTCOME_MEASURES = ("outcomes", ("outcomemeasures", "substancedays", "admissionprofile"), WRITE)
OUTCOMES_VIEW = ("outcomes", ("episodefact",), READ)
OUTCOMES_ALL = ("outcomes", "*", WRITE)

# (app_label, model names or "*" for every model of the app, actions)
ROLE_PERMISSIONS: dict[str, list[tuple[str, tuple[str, ...] | str, tuple[str, ...]]]] = {
    Role.INTAKE: [
        WORK_LIST,
        ("patients", INTAKE_MODELS, WRITE),
        OUTCOME_MEASURES,
        ("scheduling", "*", READ),
        ("programs", "*", READ),
    ],
    Role.COUNSELOR: [
        WORK_LIST,
        PART2_DISCLOSURE,
        BREAK_GLASS,
        CLINICAL_RECORD,
        DOCUMENTATION_POLICY_READ,
        ("patients", CHART_MODELS, WRITE),
        AFTERCARE,
        OUTCOME_MEASURES,
        ("patients", CHART_READ_MODELS, READ),
        ("patients", ("patient", "episode"), ("change",)),
        ("scheduling", "*", WRITE),
        ("programs", "*", WRITE),
        MEDICATIONS_READ,
        DRUG_TESTS_WRITE,
        TESTING_CONFIG_READ,
    ],
    Role.PRESCRIBER: [
        WORK_LIST,
        PART2_DISCLOSURE,
        BREAK_GLASS,
        CLINICAL_RECORD,
        DOCUMENTATION_POLICY_READ,
        ("patients", CHART_MODELS, WRITE),
        AFTERCARE,
        OUTCOME_MEASURES,
        ("patients", CHART_READ_MODELS, READ),
        ("patients", ("patient", "episode"), ("change",)),
        ("scheduling", "*", WRITE),
        ("programs", "*", WRITE),
        MEDICATIONS_WRITE,
        DRUG_TESTS_WRITE,
        TESTING_CONFIG_READ,
    ],
    Role.SUPERVISOR: [
        WORK_LIST,
        ALERT_ACKNOWLEDGEMENT,
        ADMISSION_COSIGN,
        PART2_DISCLOSURE,
        BREAK_GLASS,
        CLINICAL_RECORD,
        DOCUMENTATION_POLICY_READ,
        ("patients", CHART_MODELS, WRITE),
        AFTERCARE,
        OUTCOME_MEASURES,
        OUTCOMES_VIEW,
        ("patients", CHART_READ_MODELS, READ),
        ("patients", ("patient", "episode"), ("change",)),
        ("scheduling", "*", WRITE),
        ("programs", "*", WRITE),
        ("accounts", ("user",), READ),
        MEDICATIONS_READ,
        DRUG_TESTS_WRITE,
        TESTING_CONFIG_READ,
    ],
    Role.DIRECTOR: [
        WORK_LIST,
        ALERT_ACKNOWLEDGEMENT,
        ADMISSION_COSIGN,
        PART2_DISCLOSURE,
        BREAK_GLASS,
        CLINICAL_RECORD_READ,
        ("clinical", ("programdocumentationpolicy",), ALL),
        FAILED_MESSAGES,
        ("patients", "*", WRITE),
        ("testing", "*", WRITE),
        ("medications", "*", WRITE),
        ("aftercare", "*", WRITE),
        OUTCOMES_ALL,
        ("scheduling", "*", ALL),
        ("programs", "*", ALL),
        ("accounts", ("user",), READ),
        ("audit", "*", READ),
    ],
    Role.ADMIN: [
        PART2_DISCLOSURE,
        CLINICAL_RECORD_READ,
        ("clinical", ("programdocumentationpolicy",), ALL),
        ("patients", "*", WRITE),
        ("patients", ("patient",), ("merge",)),  # two charts of one person made one (patients/services/merge.py)
        ("testing", "*", WRITE),
        ("medications", "*", WRITE),
        ("aftercare", "*", WRITE),
        OUTCOMES_ALL,
        ("scheduling", "*", ALL),
        ("programs", "*", ALL),
        ("notifications", "*", ALL),
        ("accounts", "*", ALL),
        ("auth", ("group",), ALL),
        ("audit", "*", READ),
        ("django_celery_beat", "*", ALL),
        # Unlock a locked-out username; remove a lost authenticator so its owner re-enrols.
        ("axes", "*", ("view", "delete")),
        ("otp_totp", "*", ("view", "delete")),
        ("otp_static", "*", ("view", "delete")),
    ],
}


def sync_role_permissions(apps=None) -> None:
    """Create every role's group and give it exactly the permissions declared above."""
    from django.apps import apps as global_apps

    apps = apps or global_apps
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, grants in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        wanted = set()
        for app_label, models, actions in grants:
            perms = Permission.objects.filter(content_type__app_label=app_label)
            if models != "*":
                perms = perms.filter(content_type__model__in=models)
            for perm in perms.only("id", "codename"):
                if perm.codename.split("_", 1)[0] in actions:
                    wanted.add(perm.id)
        group.permissions.set(wanted)


def sync_role_permissions_after_migrate(sender, app_config=None, using="default", apps=None, **kwargs):
    from django.apps import apps as global_apps

    # Permissions of apps migrated after this one may not exist yet: make them first.
    for config in global_apps.get_app_configs():
        create_permissions(config, verbosity=0, using=using)
    sync_role_permissions()
