from urllib.parse import urlencode

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.utils.html import format_html

from accounts.models import AuditAction, Provider, Role, User
from accounts.ratelimits import DEFAULT_RATE_LIMITS, format_rate_limits, parse_rate_limits
from accounts.validators import reject_control_characters

# LinkUp's proxy countries (providers.md, LinkUp "country"); FR is LinkUp's default.
LINKUP_COUNTRIES = ["FR", "US", "UK", "DE", "NL", "IT", "IL", "CA", "BR", "ES", "IN"]


class AccountEmailField(forms.EmailField):
    """An email address as the accounts tables store it: at most 254 characters (the columns' length,
    where Django's form field allows 320) and no control characters (a quoted local part may hold them)."""

    default_validators = [*forms.EmailField.default_validators, reject_control_characters]

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", User._meta.get_field("email").max_length)
        super().__init__(**kwargs)


ROLE_ERRORS = {"invalid_choice": "Choose a role: Admin or Member.", "required": "Choose a role."}


class LoginForm(AuthenticationForm):
    username = AccountEmailField(
        label="Email", widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )

    error_messages = {
        "invalid_login": "That email and password do not match an account.",
        "inactive": "This account is disabled.",
    }

    def clean_username(self):
        return User.objects.normalize_email(self.cleaned_data["username"])


class SignUpForm(forms.Form):
    name = forms.CharField(max_length=150, label="Your name", validators=[reject_control_characters])
    password1 = forms.CharField(
        label="Password",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label="Password again", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def __init__(self, *args, email, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", "The two passwords differ.")
        elif first:
            try:
                password_validation.validate_password(
                    first, User(email=self.email, name=cleaned.get("name", ""))
                )
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class TeamForm(forms.Form):
    name = forms.CharField(max_length=100, label="Team name", validators=[reject_control_characters])


class InviteForm(forms.Form):
    email = AccountEmailField(label="Email address")
    role = forms.ChoiceField(choices=Role.choices, initial=Role.MEMBER, error_messages=ROLE_ERRORS)


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices, error_messages=ROLE_ERRORS)


class AccountPasswordResetForm(PasswordResetForm):
    email = AccountEmailField(label="Email", widget=forms.EmailInput(attrs={"autocomplete": "email"}))


class AuditFilterForm(forms.Form):
    """The audit trail's filters, read from the query string."""

    action = forms.ChoiceField(required=False, choices=[("", "All actions"), *AuditAction.choices])
    person = forms.ChoiceField(required=False, label="Person (by or about)")

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [("", "Everyone"), *((email, email) for email in people)]

    def query(self):
        """The valid filters as a query-string prefix for page links ("action=login&"), or ""."""
        filters = {name: value for name, value in self.cleaned_data.items() if value}
        return f"{urlencode(filters)}&" if filters else ""


class ProviderKeyForm(forms.Form):
    """Add or replace one provider's key, with the options that provider needs."""

    label = forms.CharField(max_length=100, required=False, help_text="Which account or plan this is.")
    secret = forms.CharField(
        label="API key",
        required=False,
        strip=True,
        widget=forms.PasswordInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    uses_lix_key = forms.BooleanField(required=False, label="Use the Lix key (LookC keys are often the same)")
    viewer_id = forms.CharField(
        required=False,
        max_length=200,
        label="Lix viewer_id",
        help_text="The LinkedIn id of your account connected to Lix; needed for LinkedIn searches.",
    )
    country = forms.ChoiceField(
        required=False,
        choices=[(c, c) for c in LINKUP_COUNTRIES],
        initial="FR",
        label="LinkUp proxy country",
    )
    rate_limits = forms.CharField(
        required=False,
        max_length=200,
        label="Rate limits",
        help_text="Your plan's limits, every window applies: e.g. 25/s, 300/min, 1800/h, 18000/day.",
    )

    def __init__(self, *args, provider, existing=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.provider, self.existing = provider, existing
        self.fields["rate_limits"].widget.attrs["placeholder"] = DEFAULT_RATE_LIMITS[provider]
        # Required for a new key, unless LookC may borrow Lix's; an existing key keeps its secret if blank.
        self.fields["secret"].required = existing is None and provider != Provider.LOOKC
        if provider != Provider.LOOKC:
            del self.fields["uses_lix_key"]
        if provider != Provider.LIX:
            del self.fields["viewer_id"]
        if provider != Provider.LINKUP:
            del self.fields["country"]
        if existing:
            # _field.html renders help texts unescaped (password help texts are HTML), and last4 is
            # whatever the key ended with: format_html escapes it.
            self.fields["secret"].help_text = format_html(
                "Current key {}. Leave blank to keep it, or paste a new key to replace it.", existing.masked
            )
            self.initial.update(
                label=existing.label,
                uses_lix_key=existing.uses_lix_key,
                rate_limits=format_rate_limits(existing.options.get("rate_limits")),
                **{k: v for k, v in existing.options.items() if k in ("viewer_id", "country")},
            )

    def clean_rate_limits(self):
        return parse_rate_limits(self.cleaned_data["rate_limits"])

    def clean(self):
        cleaned = super().clean()
        keeps_secret = self.existing is not None and not self.existing.uses_lix_key
        if not cleaned.get("uses_lix_key") and not cleaned.get("secret") and not keeps_secret:
            self.add_error("secret", "Paste the API key.")
        if cleaned.get("uses_lix_key") and cleaned.get("secret"):
            self.add_error("secret", "Either paste a LookC key or use the Lix key, not both.")
        return cleaned

    def options(self):
        cleaned = self.cleaned_data
        options = {"rate_limits": cleaned["rate_limits"]} if cleaned.get("rate_limits") else {}
        if cleaned.get("viewer_id"):
            options["viewer_id"] = cleaned["viewer_id"].strip()
        if self.provider == Provider.LINKUP:
            options["country"] = cleaned.get("country") or "FR"
        return options
