"""The zh_Hans catalogue is complete, and the interface speaks Chinese unless asked otherwise."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

PO_FILE = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
PLACEHOLDER = re.compile(r"%(?:\([a-z_]+\))?[sd%]")


def _unquote(lines: list[str]) -> str:
    return "".join(line[line.index('"') + 1 : line.rindex('"')] for line in lines)


def _entries() -> list[dict[str, str]]:
    """Each entry of the .po file: its flags, msgid, msgid_plural ("" when none) and first msgstr
    (msgstr or msgstr[0])."""
    entries = []
    for block in PO_FILE.read_text(encoding="utf-8").split("\n\n"):
        parts: dict[str, list[str]] = {"flags": [], "msgid": [], "plural": [], "msgstr": []}
        key = None
        for line in block.strip().splitlines():
            if line.startswith("#,"):
                parts["flags"].append(line)
            elif line.startswith("#"):
                continue
            elif line.startswith(("msgid ", "msgid_plural ", "msgstr ", "msgstr[")):
                keyword = line.split(" ", 1)[0]
                key = {
                    "msgid": "msgid",
                    "msgid_plural": "plural",
                    "msgstr": "msgstr",
                    "msgstr[0]": "msgstr",
                }.get(keyword)
                if key:
                    parts[key].append(line)
            elif key:
                parts[key].append(line)
        if parts["msgid"]:
            entries.append(
                {
                    "flags": " ".join(parts["flags"]),
                    "msgid": _unquote(parts["msgid"]),
                    "plural": _unquote(parts["plural"]),
                    "msgstr": _unquote(parts["msgstr"]),
                }
            )
    return entries


def test_catalogue_is_complete_and_not_fuzzy():
    entries = _entries()
    header, messages = entries[0], entries[1:]
    assert header["msgid"] == ""
    assert "Plural-Forms: nplurals=1; plural=0;" in header["msgstr"]
    assert len(messages) > 400
    assert [e["msgid"] for e in entries if "fuzzy" in e["flags"]] == []
    assert [e["msgid"] for e in messages if not e["msgstr"]] == []


def test_translations_keep_their_placeholders():
    # Chinese has one plural form: msgstr[0] may follow the singular or the plural (msgfmt
    # wants the plural's when the plural names the count).
    wrong = [
        e["msgid"]
        for e in _entries()[1:]
        if sorted(PLACEHOLDER.findall(e["msgstr"]))
        not in (sorted(PLACEHOLDER.findall(e["msgid"])), sorted(PLACEHOLDER.findall(e["plural"])))
    ]
    assert wrong == []


def test_compiled_catalogue_speaks_the_notice():
    lookup = translation.gettext  # not spelt gettext(...), so makemessages does not scan this file
    with translation.override("zh-hans"):
        assert lookup("Save draft") == "保存草稿"
        assert lookup("quality cost (10k CNY/year)") == "质量成本（万元/年）"
        assert lookup("Submitted to recommender") == "已提交推荐单位"


@pytest.mark.django_db
def test_login_page_is_chinese_by_default(client):
    html = client.get(reverse("accounts:login")).content.decode()
    assert '<html lang="zh-CN">' in html
    assert "<h1>登录</h1>" in html
    assert "<title>登录 · 浙江省工程建设质量管理协会</title>" in html
    assert "注册账号" in html
    assert "Log in" not in html


@pytest.mark.django_db
def test_login_page_speaks_english_when_asked(client):
    html = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="en">' in html
    assert "<h1>Log in</h1>" in html
    assert "Register an account" in html
    assert "登录" not in html
