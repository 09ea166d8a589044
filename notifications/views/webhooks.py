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

from iop.params import BadParameter, text_param

from .. import services

logger = logging.getLogger(__name__)

# E.164 is at most 15 digits; providers add a '+' and sometimes spaces. A text is at most 10
# concatenated segments (1,600 characters) at the providers we know.
PHONE_MAX_LENGTH = 40
SMS_BODY_MAX_LENGTH = 1600


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
        if not isinstance(payload, dict):
            return JsonResponse({"error": "body is not a JSON object"}, status=400)
        phone, text = payload.get("from", ""), payload.get("text", "")
    else:
        # Form-encoded, as most providers post (From / Body).
        try:
            phone = text_param(request.POST, "From", max_length=PHONE_MAX_LENGTH)
            text = text_param(request.POST, "Body", max_length=SMS_BODY_MAX_LENGTH)
        except BadParameter as error:
            return JsonResponse({"error": error.message}, status=400)
    if not phone:
        return JsonResponse({"error": "from is required"}, status=400)
    try:
        action, charts = services.sms_inbound(phone=str(phone), text=str(text))
    except ValidationError:
        return JsonResponse({"action": "ignored", "charts": 0, "reason": "unrecognised number"})
    logger.info("Inbound SMS keyword handled: %s (%s charts)", action, charts)
    return JsonResponse({"action": action, "charts": charts})
