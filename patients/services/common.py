"""What every chart write shares."""


def validated_save(instance):
    """Validate fields and database constraints with readable messages, then save."""
    instance.full_clean()
    instance.save()
    return instance
