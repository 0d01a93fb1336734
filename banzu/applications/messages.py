"""User-facing text for the codes that the pure cores return."""

from __future__ import annotations

from django.utils.translation import gettext as _

from banzu.accounts.models import Enterprise
from banzu.applications.enums import DocumentKind
from banzu.applications.models import Application
from banzu.applications.rules import Problem


def refusal_message(code: str) -> str:
    messages = {
        "not_allowed": _("This step is not possible in the application's current state."),
        "forbidden": _("You may not take this step for this application."),
        "deadline": _(
            "The deadline of this edition has passed (or registration has not opened yet); "
            "the change was not made."
        ),
        "reason": _("Please give a reason."),
    }
    return messages.get(code, _("The change was refused."))


def upload_message(code: str, max_bytes: int) -> str:
    messages = {
        "empty": _("The file is empty."),
        "too_large": _("The file is too large: at most %(mb)s MB is allowed.")
        % {"mb": max_bytes // (1024 * 1024)},
        "extension": _("This kind of file is not accepted here. Please check the file type."),
        "magic": _(
            "The file's content does not match its extension (for example a renamed file). "
            "Please save it again in the right format."
        ),
        "zip_bomb": _("The file is malformed or unreasonably compressed and was refused."),
        "path": _("The file contains unsafe internal paths and was refused."),
        "macro": _(
            "The file contains macros or ActiveX controls. Save it as a plain .docx or .pptx "
            "without macros and upload it again."
        ),
        "doctype": _("The file contains forbidden XML declarations and was refused."),
        "parse": _("The file could not be opened; it may be damaged or encrypted."),
        "name": _("The file name is not valid."),
        "external": _(
            "The file loads content from outside itself (for example a remote template or a "
            "linked object). Remove the links, save it again and upload it."
        ),
        "embedded": _(
            "The file contains embedded objects or files (for example an OLE object, a "
            "program or an attachment). Insert such content as pictures and upload again."
        ),
        "active_content": _(
            "The PDF contains scripts, automatic actions, forms or multimedia. Print it to a "
            "new PDF and upload that."
        ),
        "too_complex": _(
            "The file is too complex to check (for example pages with an extreme number of "
            "drawing operations). Save or print it to a new PDF and upload again."
        ),
        "busy": _(
            "Another of your files is still being checked. Upload this one when it has finished."
        ),
        "overloaded": _(
            "The server is checking many files right now. Please try again in a minute."
        ),
    }
    return messages.get(code, _("The file was refused."))


def _field_label(model: type[Application] | type[Enterprise], name: str) -> str:
    field = model._meta.get_field(name)
    return str(getattr(field, "verbose_name", name))


def problem_message(problem: Problem) -> str:
    if problem.code == "missing_field":
        return _("Fill in: %(field)s") % {"field": _field_label(Application, problem.field)}
    if problem.code == "missing_enterprise_field":
        return _("Complete the enterprise data: %(field)s") % {
            "field": _field_label(Enterprise, problem.field)
        }
    if problem.code == "missing_document":
        return _("Upload: %(kind)s") % {"kind": DocumentKind(problem.field).label}
    if problem.code == "accidents":
        return _(
            "The team reports quality or safety accidents this year. Only teams without any "
            "quality, safety or environmental accident in the last three years are eligible."
        )
    if problem.code == "no_accident_declaration":
        return _(
            "Declare that the team had no quality, safety or environmental accident in the "
            "last three years."
        )
    if problem.code == "originality_pledge":
        return _("Sign the originality pledge: the materials are the team's own work.")
    if problem.code == "team_name":
        return team_name_message()
    return problem.code


def team_name_message(part: str = "") -> str:
    """The refusal of a team name that carries a unit above the team; `part` is that unit."""
    if part:
        return _(
            "The team name must not include the enterprise's name or a unit above the team "
            "(here “%(part)s”): give the team's own name only, e.g. 钢筋加工班 (不挂上级单位)."
        ) % {"part": part}
    return _(
        "The team name must not include the enterprise's name or a unit above the team, such "
        "as a project department or branch: give the team's own name only (不挂上级单位)."
    )


def duplicate_team_message() -> str:
    return _("This team already has an application in this edition.")
