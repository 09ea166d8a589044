"""Staff factories: every user has the shared demo password and any roles asked for."""

import factory
from django.contrib.auth.models import Group

from accounts.constants import Role
from accounts.models import User

# Same as demo.management.commands.demo_logins.DEMO_PASSWORD (test_seed_demo checks they agree).
DEMO_PASSWORD = "Demo-Clinic-2026!"


def roles_hook(*default_roles: str) -> factory.PostGeneration:
    """Post-generation ``roles``: the names passed, or else ``default_roles``, as groups."""

    def add_roles(user, create, extracted, **kwargs):
        names = default_roles if extracted is None else extracted
        if not (create and names):
            return
        user.groups.add(*(Group.objects.get_or_create(name=str(name))[0] for name in names))
        # The cached role names would otherwise miss the groups just added.
        user.__dict__.pop("_role_names", None)

    return factory.PostGeneration(add_roles)


class UserFactory(factory.django.DjangoModelFactory):
    """A staff member; ``UserFactory(roles=[Role.COUNSELOR])`` adds the role's group."""

    class Meta:
        model = User
        # The password hook saves on its own; no blanket second save after post-generation.
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"staff{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    is_active = True
    password = factory.PostGenerationMethodCall("set_password", DEMO_PASSWORD)

    roles = roles_hook()

    @factory.post_generation
    def programs(self, create, extracted, **kwargs):
        if create and extracted:
            self.programs.add(*extracted)

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        if create:
            instance.save(update_fields=["password"])


class IntakeCoordinatorFactory(UserFactory):
    username = factory.Sequence(lambda n: f"intake{n}")
    credentials = "CADC"
    roles = roles_hook(Role.INTAKE)


class CounselorFactory(UserFactory):
    username = factory.Sequence(lambda n: f"counselor{n}")
    credentials = "LADC"
    roles = roles_hook(Role.COUNSELOR)


class PrescriberFactory(UserFactory):
    username = factory.Sequence(lambda n: f"prescriber{n}")
    credentials = "MD"
    roles = roles_hook(Role.PRESCRIBER)


class SupervisorFactory(UserFactory):
    username = factory.Sequence(lambda n: f"supervisor{n}")
    credentials = "LICSW"
    roles = roles_hook(Role.SUPERVISOR)


class DirectorFactory(UserFactory):
    username = factory.Sequence(lambda n: f"director{n}")
    credentials = "LMHC"
    roles = roles_hook(Role.DIRECTOR)


class AdminFactory(UserFactory):
    username = factory.Sequence(lambda n: f"admin{n}")
    is_staff = True
    roles = roles_hook(Role.ADMIN)
