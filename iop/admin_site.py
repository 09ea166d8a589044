"""The project's admin site: secrets and restricted fields are never a filter, a search, a sort or a column.

Django's admin lets anyone who can open a list filter it on any of the model's own fields,
shown or not (``?key__startswith=a1`` guesses a hidden TOTP secret one character at a time;
``?content__startswith=`` did the same to SUD counseling notes). Django's user admin refuses
``password`` lookups; this site does the same for every field declared sensitive, for every
registered ModelAdmin, third-party ones included: such a lookup is refused with 400, and
search fields, list filters, sorting and list columns on them are dropped.

What is sensitive is declared in one place per model: a ``sensitive_fields`` attribute on the
project's models, and ``THIRD_PARTY_SENSITIVE_FIELDS`` for models the project does not own.

A signed-in user who is not an admin gets a page that says so (403), not the admin's redirect
to a sign-in page that sends a signed-in user straight back (a redirect loop).
"""

from collections.abc import Iterable
from functools import wraps

from django.apps import apps
from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.contrib.admin.views.main import ChangeList
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.decorators import login_not_required
from django.core import checks
from django.core.exceptions import FieldDoesNotExist
from django.db.models import F
from django.db.models.constants import LOOKUP_SEP
from django.http import HttpResponseRedirect
from django.shortcuts import resolve_url
from django.template.response import TemplateResponse
from django.urls import Resolver404, resolve, reverse
from django.utils.http import url_has_allowed_host_and_scheme

# Secrets of models the project does not own (app_label.model_name: field names).
THIRD_PARTY_SENSITIVE_FIELDS: dict[str, frozenset[str]] = {
    # The TOTP secret: whoever has it makes valid codes for its owner.
    "otp_totp.totpdevice": frozenset({"key"}),
    # One-time recovery codes, stored as typed.
    "otp_static.statictoken": frozenset({"token"}),
}
# Search fields may start with one of these to choose the lookup (ModelAdmin.search_fields).
SEARCH_PREFIXES = "^=@"


def sensitive_fields(model) -> frozenset[str]:
    """The names of this model's fields that no admin may filter, search, sort or list by."""
    # A django-simple-history table keeps a copy of every field of the model it follows.
    model = getattr(model, "instance_type", model)
    declared = frozenset(getattr(model, "sensitive_fields", ()))
    return declared | THIRD_PARTY_SENSITIVE_FIELDS.get(model._meta.concrete_model._meta.label_lower, frozenset())


def touches_sensitive_field(model, path: str) -> bool:
    """Whether a lookup path (``user__totpdevice__key__startswith``) reaches a sensitive field."""
    for part in path.split(LOOKUP_SEP):
        if part == "pk":
            part = model._meta.pk.name
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            # A lookup or transform (startswith, lower, year): the path of fields ends here.
            return False
        if field.name in sensitive_fields(model):
            return True
        if not field.is_relation or field.related_model is None:
            return False
        model = field.related_model
    return False


def _ordering_names(item) -> list[str]:
    """The field paths an ordering item sorts by: ``-name``, ``F("name")``, ``F("name").desc()``."""
    if isinstance(item, str):
        return [item.lstrip("-?")]
    if isinstance(item, F):
        return [item.name]
    if hasattr(item, "flatten"):
        return [node.name for node in item.flatten() if isinstance(node, F)]
    return []


def _list_filter_path(item) -> str | None:
    if isinstance(item, str):
        return item
    if isinstance(item, (list, tuple)) and item and isinstance(item[0], str):
        return item[0]
    # A SimpleListFilter names its own query parameter; its queryset is the admin author's code.
    return getattr(item, "parameter_name", None)


class SensitiveFieldsChangeList(ChangeList):
    def get_ordering_field(self, field_name):
        # ?o=<column> sorts by the column's field or its admin_order_field: never a secret.
        order_field = super().get_ordering_field(field_name)
        if any(touches_sensitive_field(self.model, name) for name in _ordering_names(order_field)):
            return None
        return order_field


class SensitiveFieldsAdminMixin:
    """Mixed into every ModelAdmin registered on the site: sensitive fields are refused or dropped."""

    def _touches_sensitive_field(self, path) -> bool:
        # Columns and sort keys may be callables: only names are paths of fields.
        return isinstance(path, str) and bool(path) and touches_sensitive_field(self.model, path)

    def lookup_allowed(self, lookup, value, request):
        # Refused lookups end in DisallowedModelAdminLookup: a 400, never a filtered list.
        return not self._touches_sensitive_field(lookup) and super().lookup_allowed(lookup, value, request)

    def to_field_allowed(self, request, to_field):
        return not self._touches_sensitive_field(to_field) and super().to_field_allowed(request, to_field)

    def get_search_fields(self, request):
        fields = super().get_search_fields(request)
        return type(fields)(name for name in fields if not self._touches_sensitive_field(name.lstrip(SEARCH_PREFIXES)))

    def get_list_filter(self, request):
        filters = super().get_list_filter(request)
        return type(filters)(item for item in filters if not self._touches_sensitive_field(_list_filter_path(item)))

    def get_list_display(self, request):
        columns = super().get_list_display(request)
        return type(columns)(name for name in columns if not self._touches_sensitive_field(name))

    def get_sortable_by(self, request):
        sortable = super().get_sortable_by(request)
        return type(sortable)(name for name in sortable if not self._touches_sensitive_field(name))

    def get_ordering(self, request):
        ordering = super().get_ordering(request) or ()
        return type(ordering)(
            item for item in ordering if not any(self._touches_sensitive_field(name) for name in _ordering_names(item))
        )

    def get_changelist(self, request, **kwargs):
        changelist = super().get_changelist(request, **kwargs)
        if issubclass(changelist, SensitiveFieldsChangeList):
            return changelist
        return type(changelist.__name__, (SensitiveFieldsChangeList, changelist), {})


def not_an_admin_response(request) -> TemplateResponse:
    """The answer to a signed-in user who is not an admin: a page that says so."""
    return TemplateResponse(request, "admin/not_an_admin.html", status=403)


class ProtectedAdminSite(admin.AdminSite):
    """Django's admin site, holding every registered ModelAdmin to the sensitive-field rules."""

    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, SensitiveFieldsAdminMixin):
            admin_class = type(
                admin_class.__name__,
                (SensitiveFieldsAdminMixin, admin_class),
                {"__module__": admin_class.__module__, "__doc__": admin_class.__doc__},
            )
        super().register(model_or_iterable, admin_class, **options)

    def admin_view(self, view, cacheable=False):
        protected = super().admin_view(view, cacheable)

        @wraps(protected)
        def view_or_refusal(request, *args, **kwargs):
            # Django sends a user without admin rights to the admin's sign-in page; one who is
            # already signed in would be sent straight back (issue 16): tell them instead.
            if request.user.is_authenticated and not self.has_permission(request):
                return not_an_admin_response(request)
            return protected(request, *args, **kwargs)

        return view_or_refusal


@login_not_required
def admin_login(request):
    """The admin's sign-in address: the site's own sign-in page, or on to the admin once signed in."""
    if not request.user.is_authenticated:
        query = request.META.get("QUERY_STRING", "")
        return HttpResponseRedirect(resolve_url("login") + (f"?{query}" if query else ""))
    target = request.GET.get(REDIRECT_FIELD_NAME, "")
    hosts = {request.get_host()}
    safe = url_has_allowed_host_and_scheme(target, allowed_hosts=hosts, require_https=request.is_secure())
    if not safe or _is_admin_login(target):
        target = reverse("admin:index")
    # The admin answers a non-admin with the page that says so; a second factor still pending
    # is asked for on the way (accounts.middleware.MFARequiredMiddleware).
    return HttpResponseRedirect(target)


def _is_admin_login(target: str) -> bool:
    try:
        return resolve(target.split("?", 1)[0]).func is admin_login
    except Resolver404:
        return False


class ProtectedAdminConfig(AdminConfig):
    """``django.contrib.admin`` with ProtectedAdminSite as ``admin.site``."""

    default_site = "iop.admin_site.ProtectedAdminSite"

    def ready(self):
        super().ready()
        checks.register(check_sensitive_fields_declared, checks.Tags.models)
        checks.register(check_admins_leave_sensitive_fields_alone, checks.Tags.admin)


def check_sensitive_fields_declared(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """A misspelt declaration would protect nothing: every declared field must exist."""
    errors = []
    for model in apps.get_models():
        for name in sorted(sensitive_fields(model)):
            try:
                model._meta.get_field(name)
            except FieldDoesNotExist:
                errors.append(
                    checks.Error(
                        f"{model._meta.label} declares '{name}' sensitive, but has no such field.",
                        obj=model,
                        id="iop.E101",
                    )
                )
    return errors


def check_admins_leave_sensitive_fields_alone(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Say at start-up what the site would otherwise silently drop at run time."""
    errors = []
    for model, model_admin in admin.site._registry.items():
        declared: Iterable[tuple[str, Iterable]] = (
            ("search_fields", (name.lstrip(SEARCH_PREFIXES) for name in model_admin.search_fields)),
            ("list_filter", (_list_filter_path(item) for item in model_admin.list_filter)),
            ("list_display", (name for name in model_admin.list_display if isinstance(name, str))),
            ("list_editable", model_admin.list_editable),
            ("readonly_fields", (name for name in model_admin.readonly_fields if isinstance(name, str))),
            ("ordering", (name for item in (model_admin.ordering or ()) for name in _ordering_names(item))),
            ("date_hierarchy", (model_admin.date_hierarchy,)),
        )
        for option, names in declared:
            for name in names:
                if name and touches_sensitive_field(model, name):
                    errors.append(
                        checks.Error(
                            f"{type(model_admin).__name__}.{option} names '{name}', a sensitive field.",
                            hint="Sensitive fields (iop.admin_site.sensitive_fields) are never shown, "
                            "searched, filtered or sorted in the admin.",
                            obj=type(model_admin),
                            id="iop.E102",
                        )
                    )
    return errors
