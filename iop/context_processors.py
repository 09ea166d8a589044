from django.conf import settings

from .navigation import nav_items


def clinic(request):
    context = {"CLINIC_NAME": settings.CLINIC_NEUTRAL_NAME}
    if getattr(request, "user", None) is not None and request.user.is_authenticated:
        context["nav_items"] = nav_items(request)
    return context
