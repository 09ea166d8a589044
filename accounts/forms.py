from django import forms


class OTPTokenForm(forms.Form):
    """A 6-digit code from the authenticator app, or one of the one-time recovery codes."""

    token = forms.CharField(
        label="Code",
        max_length=16,
        strip=True,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True, "spellcheck": "false"}
        ),
        help_text="The 6-digit code your authenticator app shows, or one of your recovery codes.",
    )

    def clean_token(self) -> str:
        # People type codes with spaces ("123 456") as the apps display them.
        return "".join(self.cleaned_data["token"].split()).lower()


class OTPEnrolForm(forms.Form):
    token = forms.CharField(
        label="First code from the app",
        max_length=6,
        min_length=6,
        strip=True,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )

    def clean_token(self) -> str:
        token = "".join(self.cleaned_data["token"].split())
        if not token.isdigit():
            raise forms.ValidationError("Enter the 6 digits the app shows.")
        return token


class EnrolmentCodeForm(forms.Form):
    code = forms.CharField(
        label="Enrolment code",
        max_length=32,
        strip=True,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "autofocus": True, "spellcheck": "false"}
        ),
        help_text="The one-time code an administrator gave you, such as ABCD-EFGH-JKLM.",
    )


class FreshTOTPForm(OTPEnrolForm):
    """A code from the authenticator app, asked again before a sensitive change (not a recovery code)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["token"].label = "Code from your authenticator app"
        self.fields["token"].widget.attrs.pop("autofocus", None)
