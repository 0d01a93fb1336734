"""Importing experts from a spreadsheet (the rows read by banzu.review.forms.pool): a plan that
writes nothing for the preview, then the import of every valid row in one transaction, and the
template the admin fills in."""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from banzu.accounts.enums import Role
from banzu.accounts.models import Recommender, User
from banzu.accounts.validators import is_valid_phone, normalise_phone
from banzu.audit import actions
from banzu.audit.services import record
from banzu.review.models import ExpertProfile
from banzu.review.pool import (
    MAX_SPECIALITY_LENGTH,
    ExpertData,
    _create,
    _update,
    speciality_choices,
    split_list,
)
from banzu.uploads.spreadsheets import Record

actions.register("expert.import")

TEMPLATE_HEADERS = ("姓名", "工作单位", "所在城市", "专业领域", "手机", "电子邮箱", "所属推荐单位")

# A spreadsheet row as banzu.review.forms.pool reads it: its number and {column: text}, the
# columns being name, email, organisation, city, phone, specialities and recommenders.
Row = Record


@dataclass
class PlannedRow:
    number: int
    full_name: str
    email: str
    organisation: str
    reasons: list[str] = field(default_factory=list)
    data: ExpertData | None = None
    profile: ExpertProfile | None = None
    user: User | None = None  # an expert account without a profile yet

    @property
    def action(self) -> str:
        if self.reasons or self.data is None:
            return "refuse"
        return "update" if self.profile is not None else "create"


@dataclass
class ImportPlan:
    rows: list[PlannedRow]

    def _with(self, action: str) -> list[PlannedRow]:
        return [row for row in self.rows if row.action == action]

    @property
    def created(self) -> list[PlannedRow]:
        return self._with("create")

    @property
    def updated(self) -> list[PlannedRow]:
        return self._with("update")

    @property
    def refused(self) -> list[PlannedRow]:
        return self._with("refuse")


def plan_import(rows: Sequence[Row]) -> ImportPlan:
    """What importing the rows would do, row by row; nothing is written. A new e-mail makes a
    new expert; an expert's e-mail updates that expert (empty cells keep what was there)."""
    recommenders: dict[str, Recommender] = {}
    for recommender in Recommender.objects.all():
        recommenders.setdefault(recommender.short_name, recommender)
        recommenders[recommender.name] = recommender
    emails = {values.get("email", "").lower() for _number, values in rows} - {""}
    owners: dict[str, list[User]] = {}
    for user in (
        User.objects.annotate(email_lower=Lower("email"))
        .filter(email_lower__in=emails)
        .select_related("expert_profile__employer")
        .prefetch_related("expert_profile__recommenders")
    ):
        owners.setdefault(user.email.lower(), []).append(user)
    seen: dict[str, int] = {}
    planned = []
    for number, values in rows:
        row = _plan_row(number, values, recommenders=recommenders, owners=owners, seen=seen)
        planned.append(row)
    return ImportPlan(rows=planned)


def _plan_row(
    number: int,
    values: Mapping[str, str],
    *,
    recommenders: Mapping[str, Recommender],
    owners: Mapping[str, list[User]],
    seen: dict[str, int],
) -> PlannedRow:
    get = values.get
    name, email, organisation = get("name", ""), get("email", ""), get("organisation", "")
    row = PlannedRow(number=number, full_name=name, email=email, organisation=organisation)
    reasons = row.reasons
    if not name:
        reasons.append(_("the name is missing"))
    user = profile = None
    if not email:
        reasons.append(_("the e-mail is missing"))
    elif not _is_email(email):
        reasons.append(_("the e-mail %(email)s is not valid") % {"email": email})
    elif email.lower() in seen:
        reasons.append(_("the e-mail is also on row %(row)d") % {"row": seen[email.lower()]})
    else:
        seen[email.lower()] = number
        accounts = owners.get(email.lower(), [])
        others = [account for account in accounts if account.role != Role.EXPERT]
        if others:
            reasons.append(
                _("the e-mail belongs to the account %(username)s, which is not an expert")
                % {"username": others[0].username}
            )
        elif len(accounts) > 1:
            reasons.append(_("several expert accounts use this e-mail"))
        elif accounts:
            user = accounts[0]
            profile = getattr(user, "expert_profile", None)
    phone = get("phone", "")
    if phone and not is_valid_phone(phone):
        reasons.append(_("the phone number %(phone)s is not valid") % {"phone": phone})
    chosen = []
    for label in split_list(get("recommenders", "")):
        if label in recommenders:
            chosen.append(recommenders[label])
        else:
            reasons.append(_("the recommender %(name)s is unknown") % {"name": label})
    if profile is None and not organisation:
        reasons.append(_("the organisation is missing"))
    if reasons:
        return row
    specialities = tuple(split_list(get("specialities", "")))
    if profile is None:
        row.user = user
        row.data = ExpertData(
            full_name=name,
            email=email,
            organisation=organisation,
            phone=phone,
            city=get("city", ""),
            specialities=specialities,
            recommenders=tuple(_unique_recommenders(chosen)),
        )
    else:
        row.profile = profile
        same_place = not organisation or _compact(organisation) == _compact(profile.organisation)
        row.data = ExpertData(
            full_name=name,
            email=email,
            organisation=organisation or profile.organisation,
            phone=phone or profile.user.phone,
            city=get("city", "") or profile.city,
            specialities=specialities or tuple(profile.specialities or []),
            employer=profile.employer if same_place else None,
            recommenders=tuple(_unique_recommenders(chosen)) or tuple(profile.recommenders.all()),
            is_available=profile.is_available,
        )
        row.organisation = row.data.organisation
    reasons.extend(_field_problems(row.data))
    return row


def _is_email(value: str) -> bool:
    try:
        validate_email(value)
    except ValidationError:
        return False
    return True


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _unique_recommenders(chosen: list[Recommender]) -> list[Recommender]:
    return list({recommender.pk: recommender for recommender in chosen}.values())


def _field_problems(data: ExpertData) -> list[str]:
    """Lengths and formats the models refuse, said per row before anything is written."""
    values: dict[tuple[type[models.Model], str], str] = {
        (User, "full_name"): data.full_name,
        (User, "email"): data.email,
        (User, "phone"): normalise_phone(data.phone),
        (ExpertProfile, "organisation"): data.organisation,
        (ExpertProfile, "city"): data.city,
    }
    problems: list[str] = []
    for (model, name), value in values.items():
        model_field = model._meta.get_field(name)
        assert isinstance(model_field, models.Field)
        try:
            model_field.clean(value, None)
        except ValidationError as error:
            problems.extend(f"{model_field.verbose_name}: {message}" for message in error.messages)
    problems.extend(
        _("the speciality %(name)s is too long") % {"name": s[:20]}
        for s in data.specialities
        if len(s) > MAX_SPECIALITY_LENGTH
    )
    return problems


def import_experts(*, by: User, rows: Sequence[Row], ip: str | None = None) -> ImportPlan:
    """Plan the rows again (the pool may have changed since the preview) and write every valid
    one in one transaction; a row the models still refuse joins the refused ones."""
    with transaction.atomic():
        plan = plan_import(rows)
        for row in plan.rows:
            if row.data is None or row.reasons:
                continue
            try:
                with transaction.atomic():
                    if row.profile is not None:
                        _update(by=by, profile=row.profile, data=row.data, ip=ip)
                    else:
                        _create(by=by, data=row.data, user=row.user, ip=ip)
            except ValidationError as error:
                row.reasons.extend(" ".join(m) for m in error.message_dict.values())
        record(
            action="expert.import",
            actor=by,
            data={
                "created": len(plan.created),
                "updated": len(plan.updated),
                "refused": [row.number for row in plan.refused],
            },
            ip=ip,
        )
    return plan


def import_template() -> bytes:
    """The workbook the admin fills in: the headers, and the values the columns accept."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "专家名单"
    for column, header in enumerate(TEMPLATE_HEADERS, start=1):
        sheet.cell(row=1, column=column, value=header).font = Font(bold=True)
        sheet.column_dimensions[chr(64 + column)].width = 24 if column in (2, 4, 7) else 14
    sheet.freeze_panes = "A2"
    values = workbook.create_sheet("可选值")
    for column, header in enumerate(("推荐单位", "简称", "专业领域"), start=1):
        values.cell(row=1, column=column, value=header).font = Font(bold=True)
        values.column_dimensions[chr(64 + column)].width = 30
    for number, recommender in enumerate(Recommender.objects.all(), start=2):
        _text(values, number, 1, recommender.name)
        _text(values, number, 2, recommender.short_name)
    for number, speciality in enumerate(speciality_choices(), start=2):
        _text(values, number, 3, speciality)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


EXPORT_HEADERS = (*TEMPLATE_HEADERS, "是否可用", "评审中（项）", "账户状态")


def pool_export(profiles: Sequence[ExpertProfile]) -> bytes:
    """The pool as the admin sees it, in the import template's columns first (so the file can
    be edited and imported again), then whether each expert is available, how many applications
    they review now (`reviewing`, from banzu.review.pool.pool_profiles) and their account."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "专家库"
    for column, header in enumerate(EXPORT_HEADERS, start=1):
        sheet.cell(row=1, column=column, value=header).font = Font(bold=True)
        sheet.column_dimensions[chr(64 + column)].width = 24 if column in (2, 4, 6, 7) else 12
    sheet.freeze_panes = "A2"
    for number, profile in enumerate(profiles, start=2):
        user = profile.user
        values = (
            user.full_name,
            profile.organisation,
            profile.city,
            "、".join(profile.specialities or []),
            user.phone,
            user.email,
            "、".join(r.name for r in profile.recommenders.all()),
            "是" if profile.is_available else "否",
        )
        for column, value in enumerate(values, start=1):
            _text(sheet, number, column, value)
        sheet.cell(row=number, column=9, value=getattr(profile, "reviewing", 0))
        _text(sheet, number, 10, _account(profile))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _account(profile: ExpertProfile) -> str:
    user = profile.user
    if not user.is_active:
        return "已停用"
    if user.last_login:
        return f"已登录 {timezone.localtime(user.last_login):%Y-%m-%d}"
    if profile.invited_at:
        return f"已邀请 {timezone.localtime(profile.invited_at):%Y-%m-%d}"
    return "已设密码，未登录" if user.has_usable_password() else "未邀请"


def _text(sheet: Any, row: int, column: int, value: str) -> None:
    """Data is text, never a formula: "=…", "+…", "-…" and "@…" are kept as strings and marked
    with Excel's quote prefix, so the cell stays text when edited or saved again."""
    cell = sheet.cell(row=row, column=column, value=value)
    if value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        cell.data_type = "s"
        cell.quotePrefix = True
