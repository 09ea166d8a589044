"""Migration operations for moving a model to another app in place: no table is copied or renamed.

A move is three steps in the migrations (see programs/migrations/0001_initial.py):

1. the new app creates the model in the migration state only (``SeparateDatabaseAndState``),
   with ``Meta.db_table`` naming the table it already has;
2. ``RenameConstraints`` gives the database's constraints the names the new app's models
   declare (``%(app_label)s_%(class)s_<rule>``), and ``MoveContentTypes`` relabels the
   model's content type, so its permissions, role grants and admin history follow it;
3. the old app deletes the model from the state only, after every foreign key pointing at
   it has been re-pointed (state only as well: the referenced table is the same).
"""

from django.db import models
from django.db.migrations.operations.base import Operation
from django.utils import timezone


class MoveContentTypes(Operation):
    """Relabel the content types (and so the permissions) of models moved from one app to another."""

    reversible = True
    reduces_to_sql = False

    def __init__(self, from_app: str, to_app: str, models: list[str]):
        self.from_app = from_app
        self.to_app = to_app
        self.models = [name.lower() for name in models]

    def deconstruct(self):
        return self.__class__.__name__, [], {"from_app": self.from_app, "to_app": self.to_app, "models": self.models}

    def state_forwards(self, app_label, state):
        pass

    def _relabel(self, apps, schema_editor, from_app: str, to_app: str) -> None:
        content_type = apps.get_model("contenttypes", "ContentType")
        rows = content_type.objects.using(schema_editor.connection.alias)
        for model in self.models:
            moving = rows.filter(app_label=from_app, model=model)
            if not moving.exists():
                continue
            # A content type already made under the new label (by a post_migrate run between
            # the two releases) holds no grants; the old one carries the permissions roles use.
            rows.filter(app_label=to_app, model=model).delete()
            moving.update(app_label=to_app)
        content_type.objects.clear_cache()

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        self._relabel(from_state.apps, schema_editor, self.from_app, self.to_app)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        self._relabel(from_state.apps, schema_editor, self.to_app, self.from_app)

    def describe(self):
        return f"Move content types of {', '.join(self.models)} from {self.from_app} to {self.to_app}"


class RenameConstraints(Operation):
    """Rename a moved model's constraints from the old app's prefix to the new one's, in the database only.

    PostgreSQL renames in place (``RENAME CONSTRAINT``, or ``ALTER INDEX`` for a partial
    unique index). SQLite keeps check and plain unique constraints inside the table's
    definition, where Django never looks a name up (it rebuilds the table from the
    migration state when one changes); a partial unique index is an index there too, so
    it is dropped and made again under its new name.
    """

    reversible = True
    reduces_to_sql = False

    def __init__(self, model_name: str, old_prefix: str, new_prefix: str):
        self.model_name = model_name
        self.old_prefix = old_prefix
        self.new_prefix = new_prefix

    def deconstruct(self):
        kwargs = {"model_name": self.model_name, "old_prefix": self.old_prefix, "new_prefix": self.new_prefix}
        return self.__class__.__name__, [], kwargs

    def state_forwards(self, app_label, state):
        pass

    def _renames(self, model, from_prefix: str, to_prefix: str):
        for constraint in model._meta.constraints:
            if constraint.name.startswith(self.new_prefix):
                suffix = constraint.name[len(self.new_prefix) :]
                yield constraint, from_prefix + suffix, to_prefix + suffix

    def _apply(self, schema_editor, state, from_prefix: str, to_prefix: str) -> None:
        model = state.apps.get_model(self._app_label, self.model_name)
        quote = schema_editor.quote_name
        table = model._meta.db_table
        vendor = schema_editor.connection.vendor
        for constraint, old, new in self._renames(model, from_prefix, to_prefix):
            if vendor == "postgresql":
                with schema_editor.connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT 1 FROM pg_constraint WHERE conname = %s AND conrelid = %s::regclass", [old, table]
                    )
                    is_table_constraint = cursor.fetchone() is not None
                if is_table_constraint:
                    schema_editor.execute(f"ALTER TABLE {quote(table)} RENAME CONSTRAINT {quote(old)} TO {quote(new)}")
                else:
                    schema_editor.execute(f"ALTER INDEX IF EXISTS {quote(old)} RENAME TO {quote(new)}")
            elif vendor == "sqlite" and isinstance(constraint, models.UniqueConstraint) and constraint.condition:
                schema_editor.execute(f"DROP INDEX IF EXISTS {quote(old)}")
                renamed = constraint.clone()
                renamed.name = new
                schema_editor.add_constraint(model, renamed)

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        self._app_label = app_label
        self._apply(schema_editor, to_state, self.old_prefix, self.new_prefix)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        self._app_label = app_label
        self._apply(schema_editor, from_state, self.new_prefix, self.old_prefix)

    def describe(self):
        return f"Rename constraints of {self.model_name} from {self.old_prefix}… to {self.new_prefix}…"


class RenamePeriodicTasks(Operation):
    """Point django-celery-beat's schedule rows at a task's new module path (the rows, their times and
    any edits admins made to them stay)."""

    reversible = True
    reduces_to_sql = False

    def __init__(self, renames: dict[str, str]):
        self.renames = renames

    def deconstruct(self):
        return self.__class__.__name__, [], {"renames": self.renames}

    def state_forwards(self, app_label, state):
        pass

    def _rename(self, apps, schema_editor, renames: dict[str, str]) -> None:
        periodic_task = apps.get_model("django_celery_beat", "PeriodicTask")
        rows = periodic_task.objects.using(schema_editor.connection.alias)
        renamed = sum(rows.filter(task=old).update(task=new) for old, new in renames.items())
        if renamed:
            # Tell a running beat that the schedule changed (django-celery-beat's own signal row).
            apps.get_model("django_celery_beat", "PeriodicTasks").objects.using(
                schema_editor.connection.alias
            ).update_or_create(ident=1, defaults={"last_update": timezone.now()})

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        self._rename(from_state.apps, schema_editor, self.renames)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        self._rename(from_state.apps, schema_editor, {new: old for old, new in self.renames.items()})

    def describe(self):
        return f"Move {len(self.renames)} scheduled task(s) to their new module paths"
