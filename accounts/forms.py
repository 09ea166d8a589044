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
