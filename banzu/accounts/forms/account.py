from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, SetPasswordForm, UserCreationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from banzu.accounts.models import Enterprise, User
from banzu.accounts.validators import normalise_phone, validate_phone
from banzu.core.forms import PlainWordsMixin

# One answer for a wrong password, an unknown name and an account not confirmed yet: the log-in
# page must not tell which user names exist.
LOGIN_REFUSED = _(
    "The user name or the password is not right. If you registered recently, first open the "
    "link in the mail we sent to confirm your e-mail address."
)


class LoginForm(AuthenticationForm):
    error_messages = {"invalid_login": LOGIN_REFUSED, "inactive": LOGIN_REFUSED}


class PasswordErrorsOnFirstField:
    """A password that is too short, too common or too like the name is said under the password
    itself, not under its confirmation (where Django puts it)."""

    cleaned_data: dict[str, Any]
    if TYPE_CHECKING:

        def add_error(self, field: str | None, error: Any) -> None: ...  # forms.BaseForm's

    def validate_password_for_user(
        self,
        user: User,
        password_field_name: str = "password2",  # noqa: S107 - a field name
        **kwargs: Any,
    ) -> None:
        password = self.cleaned_data.get(password_field_name)
        if not password:
            return
        try:
            password_validation.validate_password(password, user)
        except ValidationError as error:
            self.add_error(password_field_name.removesuffix("2") + "1", error)


class RegistrationForm(PasswordErrorsOnFirstField, PlainWordsMixin, UserCreationForm[User]):
    """The account's fields, checked as usual except that the name is not looked up: whether it
    is free is said only by mail (banzu.accounts.registration)."""

    full_name = forms.CharField(label=_("Your name"), max_length=50)
    email = forms.EmailField(
        label=_("E-mail"),
        help_text=_("A link to confirm it is mailed here; status notices are sent here too."),
    )
    phone = forms.CharField(label=_("Mobile phone"), max_length=30, validators=[validate_phone])

    class Meta(UserCreationForm.Meta):  # type: ignore[name-defined]
        model = User
        fields = ("username", "full_name", "email", "phone")

    def clean_username(self) -> str:
        # UserCreationForm refuses a name in use here, which would reveal that it exists.
        return str(self.cleaned_data["username"])

    def validate_unique(self) -> None:
        """Not here: the name's uniqueness is the registration service's (see above)."""

    def clean_phone(self) -> str:
        return normalise_phone(self.cleaned_data["phone"])


class PasswordResetRequestForm(PlainWordsMixin, forms.Form):
    email = forms.EmailField(
        label=_("E-mail"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text=_("The address of your account: the link to set a new password is mailed there."),
    )


class NewPasswordForm(PasswordErrorsOnFirstField, SetPasswordForm):
    """The mailed link's form. Saving is the view's (banzu.accounts.password_reset)."""


class EnterpriseForm(PlainWordsMixin, forms.ModelForm[Enterprise]):
    class Meta:
        model = Enterprise
        fields = (
            "name",
            "industry",
            "ownership",
            "address",
            "supervising_department",
            "supervising_contact",
            "supervising_phone",
        )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["industry"].widget.attrs["list"] = "industries"
        self.fields["name"].widget.attrs["autocomplete"] = "organization"

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if len(name) < 4:
            raise forms.ValidationError(
                _("Enter the enterprise's full name, exactly as on its official seal.")
            )
        return name

    def clean_supervising_phone(self) -> str:
        return normalise_phone(self.cleaned_data["supervising_phone"])


INDUSTRIES = [
    "房屋建筑工程",
    "市政公用工程",
    "公路工程",
    "水利水电工程",
    "电力工程",
    "铁路工程",
    "港口与航道工程",
    "机电安装工程",
    "建筑装饰装修工程",
    "钢结构工程",
    "建筑材料生产",
    "工程勘察设计",
    "工程监理",
]
