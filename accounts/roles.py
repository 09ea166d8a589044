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
CHART_READ_MODELS = ("patient", "intake", "episode", "insurancepolicy", "authorization")

# (app_label, model names or "*" for every model of the app, actions)
ROLE_PERMISSIONS: dict[str, list[tuple[str, tuple[str, ...] | str, tuple[str, ...]]]] = {
    Role.INTAKE: [
        ("patients", INTAKE_MODELS, WRITE),
        ("scheduling", "*", READ),
    ],
    Role.COUNSELOR: [
        ("patients", CHART_MODELS, WRITE),
        ("patients", CHART_READ_MODELS, READ),
        ("patients", ("patient", "episode"), ("change",)),
        ("scheduling", "*", WRITE),
    ],
    Role.PRESCRIBER: [
        ("patients", CHART_MODELS, WRITE),
        ("patients", CHART_READ_MODELS, READ),
        ("patients", ("patient", "episode"), ("change",)),
        ("scheduling", "*", WRITE),
    ],
    Role.SUPERVISOR: [
        ("patients", CHART_MODELS, WRITE),
        ("patients", CHART_READ_MODELS, READ),
        ("patients", ("patient", "episode"), ("change",)),
        ("scheduling", "*", WRITE),
        ("accounts", ("user",), READ),
    ],
    Role.DIRECTOR: [
        ("patients", "*", WRITE),
        ("scheduling", "*", ALL),
        ("accounts", ("user",), READ),
        ("audit", "*", READ),
    ],
    Role.ADMIN: [
        ("patients", "*", WRITE),
        ("scheduling", "*", ALL),
        ("notifications", "*", ALL),
        ("accounts", "*", ALL),
        ("auth", ("group",), ALL),
        ("audit", "*", READ),
        ("django_celery_beat", "*", ALL),
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
