from urllib.parse import urlencode

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm

from accounts.models import AuditAction, Role, User
from accounts.validators import reject_control_characters


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
