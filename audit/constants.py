from django.db import models


class DataCategory(models.TextChoices):
    """What kind of patient data a request looked at."""

    REGISTRY = "registry", "Registry / search"
    DEMOGRAPHICS = "demographics", "Demographics"
    CONTACTS = "contacts", "Contacts and family"
    INSURANCE = "insurance", "Insurance and authorizations"
    CONSENTS = "consents", "Consents"
    INTAKE = "intake", "Intake"
    ASSESSMENTS = "assessments", "Assessments and instruments"
    DIAGNOSES = "diagnoses", "Diagnoses and substance use"
    EPISODES = "episodes", "Episodes of care"


class Outcome(models.TextChoices):
    ALLOWED = "allowed", "Allowed"
    REFUSED = "refused", "Refused"
