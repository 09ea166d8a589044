"""The SMS provider's inbound webhook: STOP and START from patients' phones."""

import hmac
import json
import logging

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .. import services

logger = logging.getLogger(__name__)


@csrf_exempt
@login_not_required
@require_POST
def sms_inbound(request):
    """Inbound texts from the provider: STOP opts the number out, START opts it back in."""
    secret = settings.SMS_INBOUND_SECRET
    offered = request.headers.get("X-Inbound-Secret", "")
    if not secret or not hmac.compare_digest(offered.encode(), secret.encode()):
        return JsonResponse({"error": "forbidden"}, status=403)
    if request.content_type == "application/json":
        try:
            payload = json.loads(request.body or b"{}")
        except ValueError:
            return JsonResponse({"error": "body is not JSON"}, status=400)
        phone, text = payload.get("from", ""), payload.get("text", "")
    else:
        # Form-encoded, as most providers post (From / Body).
        phone, text = request.POST.get("From", ""), request.POST.get("Body", "")
    if not phone:
        return JsonResponse({"error": "from is required"}, status=400)
    try:
        action, charts = services.sms_inbound(phone=str(phone), text=str(text))
    except ValidationError:
        return JsonResponse({"action": "ignored", "charts": 0, "reason": "unrecognised number"})
    logger.info("Inbound SMS keyword handled: %s (%s charts)", action, charts)
    return JsonResponse({"action": action, "charts": charts})
