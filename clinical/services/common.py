"""Helpers the plan and note services share."""

from django.core.exceptions import ValidationError

from accounts.constants import Role


def save_valid(instance):
    """Validate fields and database constraints with readable messages, then save."""
    instance.full_clean()
    instance.save()
    return instance


def check_cosigner(*, signer, by) -> None:
    """A co-signature comes from the signer's supervisor (or, when none is named, any clinical supervisor)."""
    if by.pk == signer.pk:
        raise ValidationError("A co-signature must come from someone other than the signer.")
    if signer.supervisor_id:
        if by.pk != signer.supervisor_id:
            raise ValidationError(f"Only {signer.supervisor} (the signer's supervisor) can co-sign.")
    elif not by.has_role(Role.SUPERVISOR):
        raise ValidationError("Only a clinical supervisor can co-sign.")
