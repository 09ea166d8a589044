"""Issue a one-time MFA enrolment code from the server: the first admin's, or when no admin can sign in."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accounts.mfa import mfa_enrolment_code_issue
from accounts.models import User


class Command(BaseCommand):
    help = (
        "Print a one-time code with which USERNAME sets up a first authenticator app at the next sign-in "
        "(any earlier open code of theirs stops working)."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username: str, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named {username!r}.")
        try:
            row, code = mfa_enrolment_code_issue(user=user, issued_by=None)
        except ValidationError as error:
            raise CommandError(error.messages[0]) from error
        expires = timezone.localtime(row.expires_at).strftime("%Y-%m-%d %H:%M %Z")
        self.stdout.write(f"Enrolment code for {user.get_username()}: {code} (works once, until {expires})")
