"""Every character a name may hold prints in the PDFs, with the machine's own CJK fonts hidden.

GB 18030-2022 implementation level 2 (the level for personal names) is level 1, every ideograph
of the BMP, plus the 196 characters of the 通用规范汉字表 beyond it (LEVEL_2_BEYOND_BMP, taken
from the table's three levels). Rarer ideographs of level 3, such as 𠮷 and 𡈽, come from the
rare faces that `prepare_fonts` fetches."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from fontTools.pens.recordingPen import RecordingPen
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from banzu.documents import fonts

LEVEL_2_BEYOND_BMP = (
    "𠅤𠙶𠳐𡎚𡐓𣗋𣲗𣲘𣸣𤧛𤩽𤫉𥔲𥕢𥖨𥻗𦈡𦒍𦙶𦝼𦭜𦰡𧿹𨐈𨙸𨚕𨟠𨭉𨱇𨱏𨱑𨱔𨺙𩽾𩾃𩾌𪟝𪣻𪤗𪨰𪨶𪩘𪾢"
    "𫄧𫄨𫄷𫄸𫇭𫌀𫍣𫍯𫍲𫍽𫐄𫐐𫐓𫑡𫓧𫓯𫓶𫓹𫔍𫔎𫔶𫖮𫖯𫖳𫗧𫗴𫘜𫘝𫘦𫘧𫘨𫘪𫘬𫚕𫚖𫚭𫛭𫞩𫟅𫟦𫟹𫟼"
    "𫠆𫠊𫠜𫢸𫫇𫭟𫭢𫭼𫮃𫰛𫵷𫶇𫷷𫸩𬀩𬀪𬂩𬃊𬇕𬇙𬇹𬉼𬊈𬊤𬌗𬍛𬍡𬍤𬒈𬒔𬒗𬕂𬘓𬘘𬘡𬘩𬘫𬘬𬘭𬘯"
    "𬙂𬙊𬙋𬜬𬜯𬞟𬟁𬟽𬣙𬣞𬣡𬣳𬤇𬤊𬤝𬨂𬨎𬩽𬪩𬬩𬬭𬬮𬬱𬬸𬬹𬬻𬬿𬭁𬭊𬭎𬭚𬭛𬭤𬭩𬭬𬭯𬭳𬭶𬭸𬭼"
    "𬮱𬮿𬯀𬯎𬱖𬱟𬳵𬳶𬳽𬳿𬴂𬴃𬴊𬶋𬶍𬶏𬶐𬶟𬶠𬶨𬶭𬶮𬷕𬸘𬸚𬸣𬸦𬸪𬹼𬺈𬺓"
)

# Names as an association clerk meets them: BMP characters outside GB 2312 (䶮 喆 堃), level 2
# characters beyond the BMP (𠅤 𪨶 𫖯 𬌗 𬴂 𬭁 𫟹 𬘭 𬱖 𫓧), level 3 ones of Japanese and
# Hong Kong names (𠮷 𡈽, 𠁎 𠍿).
NAMES = ("高𠮷", "刘䶮", "张喆", "王堃", "𡈽井", "𠅤明", "𪨶华", "李𫖯", "𬌗生", "陈𬴂")
MORE_NAMES = ("周𬭁", "吴𫟹", "郑𬘭", "赵𬱖", "钱𫓧", "孙𠁎", "冯𠍿")
EMPTY_FONTCONFIG = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<fontconfig><cachedir>{cache}</cachedir></fontconfig>
"""
RENDER = """
import sys
from pathlib import Path
from banzu.documents import fonts, pdf
from banzu.documents.model import Cell, Document, Para, Table
names = sys.argv[3].split()
document = Document(
    title="名单",
    blocks=(
        Para("名单 " + " ".join(names), "title", "center"),
        Para("正文：" + "、".join(names) + "。"),
        Table(widths=(1.0,), rows=((Cell((Para("、".join(names)),)),),)),
    ),
)
Path(sys.argv[2]).write_bytes(pdf.render(document, fonts.prepare(Path(sys.argv[1]))))
"""


def _to_unicode(font: Any) -> dict[int, str]:
    text = font["/ToUnicode"].get_object().get_data().decode("latin-1")
    mapping = {}
    for block in re.findall(r"beginbfchar(.*?)endbfchar", text, re.DOTALL):
        for cid, unicode in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
            mapping[int(cid, 16)] = bytes.fromhex(unicode).decode("utf-16-be")
    return mapping


def _draws_outline(program: TTFont, cid: int) -> bool:
    """WeasyPrint's CIDs are the glyph ids of the embedded font; .notdef is glyph 0, and a
    character no font holds gets an id past the font's glyphs or an empty glyph."""
    order = program.getGlyphOrder()
    if cid == 0 or cid >= len(order):
        return False
    pen = RecordingPen()
    program.getGlyphSet()[order[cid]].draw(pen)
    return bool(pen.value)


def drawn_with(path: Path) -> dict[str, set[tuple[str, bool]]]:
    """Each character drawn in the PDF → the embedded fonts drawing it, each with whether its
    glyph there has an outline (a real glyph, not .notdef)."""
    found: dict[str, set[tuple[str, bool]]] = {}
    for page in PdfReader(path).pages:
        resources: Any = page["/Resources"]
        for ref in resources["/Font"].values():
            font: Any = ref.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
            key = "/FontFile2" if "/FontFile2" in descriptor else "/FontFile3"
            program = TTFont(io.BytesIO(descriptor[key].get_object().get_data()))
            name = str(font["/BaseFont"]).split("+")[-1]
            for cid, text in _to_unicode(font).items():
                found.setdefault(text, set()).add((name, _draws_outline(program, cid)))
    return found


@pytest.fixture(scope="module")
def prepared() -> fonts.FontSet:
    fonts.prepare_rare(settings.DOCUMENT_FONT_DIR)  # fetched once per machine by prepare_fonts
    return fonts.prepare(settings.DOCUMENT_FONT_DIR)


def cmap(path: Path) -> set[int]:
    with TTFont(path, lazy=True) as font:
        return set(font.getBestCmap())


def test_full_fonts_hold_every_ideograph_of_gb18030_level_2(prepared: fonts.FontSet) -> None:
    level_1_ideographs = {*range(0x3400, 0x4DB6), *range(0x4E00, 0x9FF0)}
    level_2_beyond_bmp = {ord(ch) for ch in LEVEL_2_BEYOND_BMP}

    assert len(level_2_beyond_bmp) == 196
    assert min(level_2_beyond_bmp) >= fonts.SUPPLEMENTARY_START
    for full in (prepared.serif_full, prepared.sans_full):
        assert level_1_ideographs - cmap(full) == set()
        assert level_2_beyond_bmp - cmap(full) == set()


def test_rare_faces_hold_only_ideographs_beyond_the_bmp_that_the_fonts_before_them_lack(
    prepared: fonts.FontSet,
) -> None:
    families = [family for family, _ in prepared.rare]
    hong_kong, japan = (cmap(path) for _, path in prepared.rare)

    assert families == ["BZ Serif Rare HK", "BZ Serif Rare JP"]
    assert min(hong_kong | japan) >= fonts.SUPPLEMENTARY_START
    assert hong_kong & cmap(prepared.serif_full) == set()
    assert japan & (cmap(prepared.serif_full) | hong_kong) == set()
    assert {ord("𠮷"), ord("𡈽")} <= japan
    assert {ord("𠁎"), ord("𠍿")} <= hong_kong


def test_rare_name_characters_print_as_real_glyphs_with_system_fonts_hidden(
    prepared: fonts.FontSet, tmp_path: Path
) -> None:
    config = tmp_path / "fonts.conf"
    config.write_text(EMPTY_FONTCONFIG.format(cache=tmp_path / "fontconfig-cache"))
    output = tmp_path / "names.pdf"
    names = NAMES + MORE_NAMES

    subprocess.run(
        [sys.executable, "-c", RENDER, str(settings.DOCUMENT_FONT_DIR), output, " ".join(names)],
        env={**os.environ, "FONTCONFIG_FILE": str(config)},
        check=True,
        capture_output=True,
    )

    drawn = drawn_with(output)
    rare = "𠮷䶮喆堃𡈽𠅤𪨶𫖯𬌗𬴂𬭁𫟹𬘭𬱖𫓧𠁎𠍿"
    full = {("BZ-Serif-Full", True), ("BZ-Sans-Full", True)}  # body text serif, title sans
    assert {ch: drawn[ch] for ch in rare} == {
        "𠮷": {("BZ-Serif-Rare-JP", True)},
        "䶮": full,
        "喆": full,
        "堃": full,
        "𡈽": {("BZ-Serif-Rare-JP", True)},
        "𠅤": full,
        "𪨶": full,
        "𫖯": full,
        "𬌗": full,
        "𬴂": full,
        "𬭁": full,
        "𫟹": full,
        "𬘭": full,
        "𬱖": full,
        "𫓧": full,
        "𠁎": {("BZ-Serif-Rare-HK", True)},
        "𠍿": {("BZ-Serif-Rare-HK", True)},
    }
    assert {ch for ch, used in drawn.items() for _, real in used if not real} == {" "}
    text = "".join(page.extract_text() for page in PdfReader(output).pages)
    assert all(name in text for name in names)
