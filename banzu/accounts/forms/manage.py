"""The provincial admin's forms for recommenders and accounts."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from banzu.accounts.enums import Role
from banzu.accounts.manage_services import RECOMMENDER_FIELDS, own_account_errors
from banzu.accounts.models import Enterprise, Recommender, User
from banzu.core.forms import PlainWordsMixin, SearchableModelChoiceField


class RecommenderForm(PlainWordsMixin, forms.ModelForm):
    class Meta:
        model = Recommender
        fields = list(RECOMMENDER_FIELDS)
        widgets = {"contact_phone": forms.TextInput(attrs={"type": "tel"})}
        help_texts = {
            "sort_order": _(
                "Lists show recommenders by this number, smallest first. In the notice's order: "
                "the city associations 1 to 11, the provincial professional associations from "
                "100, the provincial construction investment group 900."
            )
        }

    def all_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in RECOMMENDER_FIELDS}

    def changed_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.changed_data}


class UserFilterForm(forms.Form):
    role = forms.ChoiceField(
        label=_("Role"), choices=[("", _("All roles")), *Role.choices], required=False
    )
    recommender = forms.ModelChoiceField(
        label=_("Recommender"),
        queryset=Recommender.objects.all(),
        required=False,
        empty_label=_("All recommenders"),
    )
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        help_text=_("Username, full name, e-mail, phone or enterprise."),
    )

    def filters(self) -> dict[str, Any]:
        """The selector's arguments; none when the query string is not valid."""
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {"role": data["role"], "recommender": data["recommender"], "query": data["q"]}


class _AccountForm(PlainWordsMixin, forms.ModelForm):
    """Role and binding must agree: recommender staff belong to a recommender, and only
    applicants belong to an enterprise (the User model's check constraints)."""

    class Meta:
        model = User
        fields = ["username", "full_name", "email", "phone", "role", "recommender", "enterprise"]
        widgets = {"phone": forms.TextInput(attrs={"type": "tel"})}
        field_classes = {"enterprise": SearchableModelChoiceField}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["full_name"].required = True
        recommenders = Q(is_active=True)
        if self.instance.recommender_id is not None:
            recommenders |= Q(pk=self.instance.recommender_id)
        recommender = self.fields["recommender"]
        assert isinstance(recommender, forms.ModelChoiceField)
        recommender.queryset = Recommender.objects.filter(recommenders)
        recommender.help_text = _("Required for recommender staff; leave empty for other roles.")
        enterprise = self.fields["enterprise"]
        assert isinstance(enterprise, forms.ModelChoiceField)
        enterprise.queryset = Enterprise.objects.order_by("name")
        enterprise.help_text = _(
            "Only for applicants, and optional: an applicant can register the enterprise later. "
            "Type part of the name to find it."
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        role = cleaned.get("role")
        if not role:
            return cleaned
        if role == Role.RECOMMENDER and cleaned.get("recommender") is None:
            self.add_error("recommender", _("Choose the recommender this staff member works for."))
        if role != Role.RECOMMENDER and cleaned.get("recommender") is not None:
            self.add_error(
                "recommender",
                _(
                    "Only recommender staff belong to a recommender: clear this field "
                    "or choose the role “%(role)s”."
                )
                % {"role": Role.RECOMMENDER.label},
            )
        if role != Role.APPLICANT and cleaned.get("enterprise") is not None:
            self.add_error(
                "enterprise",
                _(
                    "Only applicants belong to an enterprise: clear this field "
                    "or choose the role “%(role)s”."
                )
                % {"role": Role.APPLICANT.label},
            )
        return cleaned

    def _validate_password(self, field: str) -> None:
        password = self.cleaned_data.get(field)
        if not password:
            return
        # Compare against what the account will be called, not what it was called.
        probe = User(
            username=self.cleaned_data.get("username", self.instance.username),
            full_name=self.cleaned_data.get("full_name", self.instance.full_name),
            email=self.cleaned_data.get("email", self.instance.email),
        )
        try:
            password_validation.validate_password(password, user=probe)
        except ValidationError as error:
            self.add_error(field, error)


class AccountCreateForm(_AccountForm):
    password = forms.CharField(
        label=_("Initial password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_(
            "At least 8 characters, not mostly numbers, not a common password and not like "
            "the username. Pass it to the person in a safe way."
        ),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        self._validate_password("password")
        return cleaned

    def create_kwargs(self) -> dict[str, Any]:
        names = ["username", "password", "role", "full_name", "email", "phone"]
        names += ["recommender", "enterprise"]
        return {name: self.cleaned_data[name] for name in names}


class AccountEditForm(_AccountForm):
    new_password = forms.CharField(
        label=_("Set a new password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Leave empty to keep the current password."),
    )

    class Meta(_AccountForm.Meta):
        fields = [*_AccountForm.Meta.fields, "is_active"]
        help_texts = {"is_active": _("Clear to deactivate the account: it can no longer log in.")}

    def __init__(self, *args: Any, by: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.by = by

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        errors = own_account_errors(
            by=self.by,
            user=self.instance,
            role=cleaned.get("role") or self.instance.role,
            is_active=cleaned.get("is_active", self.instance.is_active),
        )
        for field, message in errors.items():
            self.add_error(field, message)
        self._validate_password("new_password")
        return cleaned

    def changed_fields(self) -> dict[str, Any]:
        return {
            name: self.cleaned_data[name] for name in self.changed_data if name in self.Meta.fields
        }

    def new_password_value(self) -> str:
        value: str = self.cleaned_data.get("new_password") or ""
        return value


def add_service_error(form: forms.BaseForm, error: ValidationError) -> None:
    """Show a service's refusal on the form: on the field it names, or above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, messages in error.message_dict.items():
        known = field in form.fields and field != NON_FIELD_ERRORS
        form.add_error(field if known else None, messages)
