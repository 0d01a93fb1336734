from __future__ import annotations

import io
import subprocess
import zipfile
from pathlib import Path

from banzu.certificates.pdf import render, zip_bytes
from banzu.certificates.services import verification_url


def _run(tool: str, pdf: Path) -> str:
    return subprocess.run(
        [tool, str(pdf), *(["-"] if tool == "pdftotext" else [])],
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def test_the_pdf_is_a4_landscape_reads_its_fields_back_and_embeds_its_fonts(
    issued, edition, tmp_path, settings
):
    settings.SITE_URL = "https://banzu.example.org"
    certificate = issued[0]
    pdf = tmp_path / "c.pdf"
    pdf.write_bytes(render(certificate))
    text = "".join(_run("pdftotext", pdf).split())
    for expected in (
        "荣誉证书",
        "浙江省工程建设质量管理协会",
        "".join(edition.title.split()),
        "甲班组",
        "浙江甲建设有限公司",
        "一等奖",
        "浙质协〔2026〕15号",  # the publication's commendation notice and its date
        "2026年12月15日",
        "ZJQC-2026-001",
    ):
        assert expected in text, expected
    assert certificate.token not in text  # the token is in the QR code only
    info = _run("pdfinfo", pdf)
    assert "Pages:           1" in info
    assert "841.89 x 595.276 pts (A4)" in info
    fonts = _run("pdffonts", pdf).splitlines()[2:]
    assert fonts
    assert all(line.split()[-5] == "yes" for line in fonts)  # emb
    assert verification_url(certificate) == (
        f"https://banzu.example.org/certificates/v/{certificate.token}/"
    )


def test_the_zip_holds_one_pdf_per_certificate(issued):
    with zipfile.ZipFile(io.BytesIO(zip_bytes(issued))) as archive:
        names = archive.namelist()
        assert names == [
            "ZJQC-2026-001-甲班组.pdf",
            "ZJQC-2026-002-乙班组.pdf",
            "ZJQC-2026-003-丁班组.pdf",
            "ZJQC-2026-004-戊班组.pdf",
            "ZJQC-2026-005-己班组.pdf",
        ]
        assert all(archive.read(name).startswith(b"%PDF-") for name in names)


def test_render_for_a_look(issued, tmp_path):
    """Writes the first certificate as PNG under test-artifacts/ when BANZU_LOOK is set."""
    import os

    target = os.environ.get("BANZU_LOOK")
    if not target:
        return
    pdf = Path(target) / "certificate.pdf"
    pdf.write_bytes(render(issued[0]))
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-singlefile", str(pdf), str(Path(target) / "cert")],
        check=True,
    )


def test_the_qr_code_is_that_of_the_public_verification_url(issued, settings):
    from banzu.certificates.pdf import qr_svg, to_html

    settings.SITE_URL = "https://banzu.example.org"
    url = f"https://banzu.example.org/certificates/v/{issued[0].token}/"
    assert qr_svg(url) in to_html(issued[0])
    assert qr_svg(url) != qr_svg(url.replace(issued[0].token, issued[1].token))
