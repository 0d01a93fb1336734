"""The expert pool, the provincial admin's: adding and editing experts, importing them from a
spreadsheet, and inviting them to choose their password.

An expert is a User of role expert (name, e-mail, phone) with an ExpertProfile (where they work,
what they know, whom they belong to). New experts get an unusable password; the invitation's
link (django.contrib.auth's token) lets them choose one, and dies once they have, or after
settings.PASSWORD_RESET_TIMEOUT.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models, transaction
from django.db.models import Q, QuerySet
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from banzu.accounts.enums import Role
from banzu.accounts.models import Enterprise, Recommender, User
from banzu.accounts.validators import is_valid_phone, normalise_phone
from banzu.applications.notices import queue
from banzu.audit.services import record
from banzu.review.models import ExpertProfile

SEPARATORS = re.compile(r"[、，,;；/／\n]+")
MAX_SPECIALITY_LENGTH = 100
PROFILE_FIELDS = ["organisation", "city", "specialities", "employer", "is_available"]


@dataclass(frozen=True)
class ExpertData:
    """Everything the admin says about one expert, from the form or a spreadsheet row."""

    full_name: str
    email: str
    organisation: str
    phone: str = ""
    city: str = ""
    specialities: tuple[str, ...] = ()
    employer: Enterprise | None = None
    recommenders: tuple[Recommender, ...] = ()
    is_available: bool = True


class PoolError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def split_list(text: str) -> list[str]:
    """ "房建、市政, 公路" → ["房建", "市政", "公路"]: trimmed, without blanks or repeats."""
    return _unique(part.strip() for part in SEPARATORS.split(text or ""))


def _unique(values: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for value in values:
        if value:
            seen.setdefault(value, None)
    return list(seen)


# --- reads ---------------------------------------------------------------------------------


def pool_profiles(*, query: str = "", speciality: str = "") -> list[ExpertProfile]:
    """The pool for the admin's list, in one query. The speciality is matched in Python: SQLite
    cannot look inside a JSON list, and the pool is a few hundred people."""
    profiles = ExpertProfile.objects.select_related("user")
    if query := query.strip():
        profiles = profiles.filter(
            Q(user__full_name__icontains=query)
            | Q(user__username__icontains=query)
            | Q(user__email__icontains=query)
            | Q(user__phone__icontains=query)
            | Q(organisation__icontains=query)
            | Q(city__icontains=query)
        )
    found = list(profiles)
    if speciality:
        found = [profile for profile in found if speciality in (profile.specialities or [])]
    return found


def speciality_choices() -> list[str]:
    """The enterprises' industries and the specialities already on profiles (two queries)."""
    known = set(Enterprise.objects.order_by().values_list("industry", flat=True).distinct())
    for specialities in ExpertProfile.objects.values_list("specialities", flat=True):
        known.update(s.strip() for s in specialities or [] if isinstance(s, str))
    known.discard("")
    return sorted(known)


def uninvited_count() -> int:
    return _uninvited().count()


def _uninvited() -> QuerySet[ExpertProfile]:
    return (
        ExpertProfile.objects.select_related("user")
        .filter(invited_at__isnull=True, user__is_active=True, user__role=Role.EXPERT)
        .exclude(user__email="")
    )


# --- one expert ----------------------------------------------------------------------------


def create_expert(*, by: User, data: ExpertData, ip: str | None = None) -> ExpertProfile:
    """A new expert account (unusable password: the invitation sets one) and its profile."""
    with transaction.atomic():
        return _create(by=by, data=data, user=None, ip=ip)


def update_expert(
    *, by: User, profile: ExpertProfile, data: ExpertData, ip: str | None = None
) -> ExpertProfile:
    with transaction.atomic():
        return _update(by=by, profile=profile, data=data, ip=ip)


def _create(*, by: User, data: ExpertData, user: User | None, ip: str | None) -> ExpertProfile:
    """With `user`, an expert account made elsewhere (the accounts page) gets its profile."""
    if user is None:
        user = User(username=_new_username(data.email), role=Role.EXPERT, is_staff=False)
        user.set_unusable_password()
    profile = ExpertProfile(user=user)
    _assign(user, profile, data)
    _validate(user, profile)
    if user.pk is None:
        user.save()
    else:
        user.save(update_fields=["full_name", "email", "phone"])
    profile.user = user
    profile.save()
    profile.recommenders.set(data.recommenders)
    record(
        action="expert.create",
        actor=by,
        target=profile,
        data={"user": user.pk, "username": user.username, "email": user.email},
        ip=ip,
    )
    return profile


def _update(*, by: User, profile: ExpertProfile, data: ExpertData, ip: str | None) -> ExpertProfile:
    user = profile.user
    before = _snapshot(profile)
    _assign(user, profile, data)
    _validate(user, profile)
    # Only these columns: the expert may be choosing a password at the same moment.
    user.save(update_fields=["full_name", "email", "phone"])
    profile.save(update_fields=PROFILE_FIELDS)
    profile.recommenders.set(data.recommenders)
    after = _snapshot(profile)
    record(
        action="expert.update",
        actor=by,
        target=profile,
        data={"fields": sorted(name for name in after if after[name] != before[name])},
        ip=ip,
    )
    return profile


def _snapshot(profile: ExpertProfile) -> dict[str, Any]:
    user = profile.user
    return {
        "full_name": user.full_name,
        "email": user.email,
        "phone": user.phone,
        "organisation": profile.organisation,
        "city": profile.city,
        "specialities": list(profile.specialities or []),
        "employer": profile.employer_id,
        "recommenders": sorted(profile.recommenders.values_list("pk", flat=True)),
        "is_available": profile.is_available,
    }


def _assign(user: User, profile: ExpertProfile, data: ExpertData) -> None:
    user.full_name = data.full_name.strip()
    user.email = data.email.strip()
    user.phone = normalise_phone(data.phone)
    profile.organisation = data.organisation.strip()
    profile.city = data.city.strip()
    profile.specialities = _unique(s.strip() for s in data.specialities)
    profile.employer = data.employer or find_employer(profile.organisation)
    profile.is_available = data.is_available


def find_employer(organisation: str) -> Enterprise | None:
    """The applying enterprise whose name is exactly the organisation (spaces aside)."""
    names = {organisation.strip(), re.sub(r"\s+", "", organisation)} - {""}
    if not names:
        return None
    return Enterprise.objects.filter(name__in=names).order_by("pk").first()


def _validate(user: User, profile: ExpertProfile) -> None:
    errors: dict[str, list[str]] = {}
    if not user.email:
        errors["email"] = [_("The e-mail is required: the invitation goes there.")]
    else:
        owner = User.objects.filter(email__iexact=user.email).exclude(pk=user.pk).first()
        if owner is not None:
            errors["email"] = [
                _("The account “%(username)s” already uses this e-mail.")
                % {"username": owner.username}
            ]
    too_long = [s for s in profile.specialities if len(s) > MAX_SPECIALITY_LENGTH]
    if too_long:
        errors["specialities"] = [
            _("A speciality has at most %(count)d characters: %(name)s")
            % {"count": MAX_SPECIALITY_LENGTH, "name": too_long[0]}
        ]
    for instance, exclude in ((user, ["password"]), (profile, ["user"])):
        try:
            instance.full_clean(exclude=exclude)
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                errors.setdefault(name, []).extend(messages)
    if errors:
        raise ValidationError(errors)


def _new_username(email: str) -> str:
    """The e-mail's local part, made unique with a number: zhang.wei, zhang.wei2, …"""
    local = email.strip().split("@", 1)[0].lower()
    base = re.sub(r"[^a-z0-9._+-]", "", local)[:140] or "expert"
    taken = {
        name.lower()
        for name in User.objects.filter(username__istartswith=base).values_list(
            "username", flat=True
        )
    }
    candidate, number = base, 2
    while candidate in taken:
        candidate, number = f"{base}{number}", number + 1
    return candidate


# --- invitations ---------------------------------------------------------------------------


def invite_expert(*, by: User, profile: ExpertProfile, ip: str | None = None) -> None:
    """Mail the expert a link to choose their password (again, if they were invited before)."""
    user = profile.user
    if not user.is_active:
        raise PoolError(_("The account of %(name)s is deactivated.") % {"name": user})
    if not user.email:
        raise PoolError(_("%(name)s has no e-mail address.") % {"name": user})
    with transaction.atomic():
        _invite(by=by, profile=profile, ip=ip)


def invite_all(*, by: User, ip: str | None = None) -> int:
    """Invite every active expert who was never invited; how many were."""
    with transaction.atomic():
        profiles = list(_uninvited())
        for profile in profiles:
            _invite(by=by, profile=profile, ip=ip)
    return len(profiles)


def _invite(*, by: User, profile: ExpertProfile, ip: str | None) -> None:
    profile.invited_at = timezone.now()
    profile.save(update_fields=["invited_at"])
    user = profile.user
    record(
        action="expert.invite",
        actor=by,
        target=profile,
        data={"user": user.pk, "email": user.email},
        ip=ip,
    )
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Invitation: expert review of the Quality Trustworthy Team Activity")
        body = _(
            "Dear %(name)s,\n\n"
            "The Zhejiang Engineering Construction Quality Management Association invites you "
            "to review applications of the Quality Trustworthy Team Activity as an expert.\n\n"
            "Your username: %(username)s\n\n"
            "Choose your password at this address (the link works once, for %(validity)s):\n"
            "%(link)s\n\n"
            "At your first login you will also link an authenticator app, which gives the "
            "six-digit code asked at each login.\n\n"
            "If the link no longer works, ask the association for a new invitation."
        ) % {
            "name": user.full_name or user.username,
            "username": user.username,
            "validity": _validity(),
            "link": settings.SITE_URL + welcome_path(user),
        }
    queue([user.email], subject, body)


def _validity() -> str:
    seconds = int(settings.PASSWORD_RESET_TIMEOUT)
    if seconds >= 86400:
        days = seconds // 86400
        return ngettext("%(count)d day", "%(count)d days", days) % {"count": days}
    hours = max(1, seconds // 3600)
    return ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}


def welcome_path(user: User) -> str:
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return reverse("review:expert_welcome", args=[uidb64, token])


def expert_for_welcome(uidb64: str, token: str) -> User | None:
    """The active expert the link was made for, while the link is valid; else None."""
    try:
        pk = int(urlsafe_base64_decode(uidb64).decode())
    except (TypeError, ValueError, UnicodeDecodeError):
        return None
    if not 0 < pk < 2**63:
        return None
    user = User.objects.filter(pk=pk, role=Role.EXPERT, is_active=True).first()
    if user is None or not default_token_generator.check_token(user, token):
        return None
    return user


def set_expert_password(*, user: User, password: str, ip: str | None = None) -> None:
    """The expert chose a password (validated by the form); the link dies with the old hash."""
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        record(action="expert.password_set", actor=user, target=user, ip=ip)


# --- import --------------------------------------------------------------------------------

TEMPLATE_HEADERS = ("姓名", "工作单位", "所在城市", "专业领域", "手机", "电子邮箱", "所属推荐单位")

# A spreadsheet row as banzu.review.forms_pool reads it: its number and {column: text}, the
# columns being name, email, organisation, city, phone, specialities and recommenders.
Row = tuple[int, dict[str, str]]


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


def _text(sheet: Any, row: int, column: int, value: str) -> None:
    """Data is text, never a formula: "=…", "+…", "-…" and "@…" are kept as strings and marked
    with Excel's quote prefix, so the cell stays text when edited or saved again."""
    cell = sheet.cell(row=row, column=column, value=value)
    if value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        cell.data_type = "s"
        cell.quotePrefix = True
