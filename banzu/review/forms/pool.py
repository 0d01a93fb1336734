"""The expert pool's forms: the filter, one expert, and the spreadsheet import (reading the
upload into rows, and carrying the previewed rows, signed, to the confirmation)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core import signing
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from banzu.accounts.models import Enterprise, Recommender
from banzu.accounts.validators import validate_phone
from banzu.applications.messages import upload_message
from banzu.core.forms import SearchableModelChoiceField
from banzu.review import pool, pool_import
from banzu.review.models import ExpertProfile
from banzu.uploads import spreadsheets
from banzu.uploads.validation import Limits


class PoolFilterForm(forms.Form):
    q = forms.CharField(
        label=gettext_lazy("Search"),
        required=False,
        max_length=100,
        help_text=gettext_lazy("Name, organisation, city, e-mail or phone."),
    )
    speciality = forms.ChoiceField(label=gettext_lazy("Speciality"), required=False)

    def __init__(self, *args: Any, specialities: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["speciality"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("All specialities")), *((s, s) for s in specialities)]


class ExpertForm(forms.Form):
    full_name = forms.CharField(label=gettext_lazy("Full name"), max_length=50)
    email = forms.EmailField(
        label=gettext_lazy("E-mail"),
        help_text=gettext_lazy("The invitation goes here; no other account may use it."),
    )
    phone = forms.CharField(
        label=gettext_lazy("Phone"),
        required=False,
        max_length=30,
        validators=[validate_phone],
        widget=forms.TextInput(attrs={"type": "tel"}),
    )
    organisation = forms.CharField(label=gettext_lazy("Organisation"), max_length=200)
    city = forms.CharField(
        label=pgettext_lazy("where someone lives", "City"), required=False, max_length=20
    )
    specialities = forms.MultipleChoiceField(
        label=gettext_lazy("Specialities"),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "pool-choices"}),
    )
    new_specialities = forms.CharField(
        label=gettext_lazy("Other specialities"),
        required=False,
        max_length=500,
        help_text=gettext_lazy("Not in the list: type them, separated by commas or 、."),
    )
    employer = SearchableModelChoiceField(
        label=gettext_lazy("Applying enterprise they work for"),
        queryset=Enterprise.objects.order_by("name"),
        required=False,
        help_text=gettext_lazy(
            "Their applications are never given to them. Left empty, it is found from the "
            "organisation when that is exactly an enterprise's name."
        ),
    )
    recommenders = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Recommenders they belong to"),
        queryset=Recommender.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "pool-choices"}),
    )
    is_available = forms.BooleanField(
        label=gettext_lazy("Available for assignment"), required=False, initial=True
    )

    def __init__(self, *args: Any, profile: ExpertProfile | None = None, **kwargs: Any) -> None:
        if profile is not None:
            user = profile.user
            kwargs.setdefault(
                "initial",
                {
                    "full_name": user.full_name,
                    "email": user.email,
                    "phone": user.phone,
                    "organisation": profile.organisation,
                    "city": profile.city,
                    "specialities": list(profile.specialities or []),
                    "employer": profile.employer_id,
                    "recommenders": list(profile.recommenders.all()),
                    "is_available": profile.is_available,
                },
            )
        super().__init__(*args, **kwargs)
        field = self.fields["specialities"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(s, s) for s in pool.speciality_choices()]

    def clean_new_specialities(self) -> list[str]:
        names = pool.split_list(self.cleaned_data["new_specialities"])
        too_long = [name for name in names if len(name) > pool.MAX_SPECIALITY_LENGTH]
        if too_long:
            raise forms.ValidationError(
                _("A speciality has at most %(count)d characters: %(name)s")
                % {"count": pool.MAX_SPECIALITY_LENGTH, "name": too_long[0]}
            )
        return names

    def expert_data(self) -> pool.ExpertData:
        data = self.cleaned_data
        return pool.ExpertData(
            full_name=data["full_name"],
            email=data["email"],
            phone=data["phone"],
            organisation=data["organisation"],
            city=data["city"],
            specialities=tuple(
                pool.split_list("\n".join([*data["specialities"], *data["new_specialities"]]))
            ),
            employer=data["employer"],
            recommenders=tuple(data["recommenders"]),
            is_available=data["is_available"],
        )


# --- the import file -----------------------------------------------------------------------

IMPORT_MAX_BYTES = 5 * 1024 * 1024
IMPORT_MAX_ROWS = 2000
_MAX_SHEET_ROWS = 20_000
_MAX_COLUMNS = 40
XLSX_LIMITS = Limits(
    max_bytes=IMPORT_MAX_BYTES, max_zip_entries=300, max_uncompressed_bytes=60 * 1024 * 1024
)
COLUMNS = {
    "姓名": "name",
    "专家姓名": "name",
    "name": "name",
    "fullname": "name",
    "工作单位": "organisation",
    "单位": "organisation",
    "organisation": "organisation",
    "organization": "organisation",
    "城市": "city",
    "所在城市": "city",
    "所在地市": "city",
    "city": "city",
    "专业": "specialities",
    "专业领域": "specialities",
    "行业": "specialities",
    "specialities": "specialities",
    "speciality": "specialities",
    "specialties": "specialities",
    "手机": "phone",
    "手机号码": "phone",
    "电话": "phone",
    "联系电话": "phone",
    "phone": "phone",
    "mobile": "phone",
    "邮箱": "email",
    "电子邮箱": "email",
    "电子邮件": "email",
    "email": "email",
    "e-mail": "email",
    "所属推荐单位": "recommenders",
    "推荐单位": "recommenders",
    "recommenders": "recommenders",
    "recommender": "recommenders",
}
REQUIRED_COLUMNS = {"name": "姓名 (name)", "email": "电子邮箱 (email)"}
# Why the file cannot be read, by banzu.uploads.spreadsheets' code; other codes are the upload
# checks', worded as for any upload.
FILE_MESSAGES = {
    "extension": gettext_lazy("Upload an Excel workbook (.xlsx) or a CSV file."),
    "empty": gettext_lazy("The file is empty."),
    "unreadable": gettext_lazy("The file is not a readable Excel workbook."),
    "macro": gettext_lazy(
        "The workbook contains macros. Save it as a plain .xlsx and upload it again."
    ),
    "csv": gettext_lazy("The CSV file cannot be read."),
    "encoding": gettext_lazy("The CSV file is neither UTF-8 nor GBK text."),
}
PREVIEW_SALT = "banzu.review.pool.import"
PREVIEW_MAX_AGE = 3600


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Spreadsheet of experts (.xlsx or .csv)"),
        help_text=gettext_lazy(
            "First row: the column names 姓名, 工作单位, 所在城市, 专业领域, 手机, 电子邮箱, "
            "所属推荐单位 (or name, organisation, city, specialities, phone, email, "
            "recommenders). Several specialities or recommenders are separated by 、 or commas. "
            "At most 5 MB."
        ),
    )

    def clean_file(self) -> list[pool_import.Row]:
        upload = self.cleaned_data["file"]
        name = (upload.name or "").lower()
        if not name.endswith((".xlsx", ".csv")):
            raise forms.ValidationError(
                _("Upload an Excel workbook (.xlsx) or a CSV file."), code="extension"
            )
        if upload.size > IMPORT_MAX_BYTES:
            raise forms.ValidationError(upload_message("too_large", IMPORT_MAX_BYTES))
        try:
            return read_table(name, b"".join(upload.chunks()))
        except ImportFileError as error:
            raise forms.ValidationError(error.message, code="unreadable") from error


class ImportConfirmForm(forms.Form):
    """The previewed rows come back signed (and bound to the admin): nothing else is imported,
    and the service plans them again before writing."""

    payload = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, user_pk: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user_pk = user_pk

    @staticmethod
    def sign(rows: list[pool_import.Row], *, user_pk: int) -> str:
        return signing.dumps({"user": user_pk, "rows": rows}, salt=PREVIEW_SALT, compress=True)

    def clean_payload(self) -> list[pool_import.Row]:
        expired = _("The preview has expired; upload the file again.")
        try:
            value = signing.loads(
                self.cleaned_data["payload"], salt=PREVIEW_SALT, max_age=PREVIEW_MAX_AGE
            )
        except signing.BadSignature as error:
            raise forms.ValidationError(expired) from error
        if not isinstance(value, dict) or value.get("user") != self.user_pk:
            raise forms.ValidationError(expired)
        return [(int(number), dict(values)) for number, values in value["rows"]]


class ImportFileError(Exception):
    """The file as a whole cannot be read; the message says why, for the admin."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def read_table(name: str, content: bytes) -> list[pool_import.Row]:
    """(row number as the spreadsheet shows it, {column: text}) for each non-blank row."""
    try:
        table = spreadsheets.read_table(
            name, content, limits=XLSX_LIMITS, max_rows=_MAX_SHEET_ROWS, max_columns=_MAX_COLUMNS
        )
    except spreadsheets.SpreadsheetError as error:
        raise ImportFileError(_file_message(error.code)) from error
    header, rows = spreadsheets.records(table, COLUMNS)
    missing = [label for column, label in REQUIRED_COLUMNS.items() if column not in header]
    if missing:
        raise ImportFileError(
            _("The first row must name the columns; missing: %(columns)s.")
            % {"columns": ", ".join(missing)}
        )
    if len(rows) > IMPORT_MAX_ROWS:
        raise ImportFileError(
            _("The file lists more than %(count)d experts; split it.") % {"count": IMPORT_MAX_ROWS}
        )
    return rows


def _file_message(code: str) -> str:
    message = FILE_MESSAGES.get(code)
    return str(message) if message else upload_message(code, IMPORT_MAX_BYTES)
