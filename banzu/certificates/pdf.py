"""The certificate as PDF: A4 landscape, the printed fields and a QR code of the public
verification link. Rendered by WeasyPrint with the documents kernel's CJK fonts
(banzu.documents.render.font_set), embedded as subsets; the QR code is segno's inline SVG."""

from __future__ import annotations

import html
import io
from collections.abc import Callable, Sequence
from typing import IO

import segno

from banzu.certificates.models import Certificate
from banzu.certificates.services import printed, verification_url
from banzu.core import zipfiles
from banzu.documents.model import chinese_date
from banzu.documents.pdf import font_faces
from banzu.documents.render import font_set, safe_filename

STYLE = """
@page { size: A4 landscape; margin: 0; }
body { margin: 0; font-family: "BZ Serif", "BZ Serif Full", "BZ Serif Rare HK", "BZ Serif Rare JP";
       color: #222; }
.sheet { box-sizing: border-box; width: 297mm; height: 210mm; padding: 12mm; }
.frame { box-sizing: border-box; height: 186mm; border: 3mm double #a5372b;
         padding: 14mm 22mm 10mm; position: relative; }
h1 { font-size: 40pt; letter-spacing: 18pt; text-align: center; color: #a5372b; margin: 0 0 8mm; }
.body { font-size: 17pt; line-height: 1.9; }
.team { font-size: 20pt; font-weight: bold; }
.award { font-size: 26pt; font-weight: bold; color: #a5372b; text-align: center; margin: 4mm 0; }
.sign { position: absolute; right: 24mm; bottom: 22mm; text-align: center; font-size: 15pt;
        line-height: 1.7; }
.meta { position: absolute; left: 22mm; bottom: 8mm; font-family: "BZ Sans", "BZ Sans Full";
        font-size: 9pt; color: #555; line-height: 1.4; }
.qr { position: absolute; left: 22mm; bottom: 20mm; width: 30mm; height: 30mm; }
.qr svg { width: 30mm; height: 30mm; }
"""


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def qr_svg(url: str) -> str:
    return str(segno.make(url, error="m").svg_inline(scale=4, border=0, dark="#111", light="#fff"))


def to_html(certificate: Certificate) -> str:
    fields = printed(certificate)
    date = fields["date"]
    url = verification_url(certificate)
    return (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{_esc(certificate.serial)}</title>"
        f'<meta name="author" content="{_esc(fields["association"])}"></head><body>'
        '<div class="sheet"><div class="frame">'
        "<h1>荣誉证书</h1>"
        '<div class="body">'
        f'<p><span class="team">{_esc(fields["enterprise"])}&#8194;'
        f"{_esc(fields['team'])}</span>：</p>"
        f"<p>&#12288;&#12288;在{_esc(fields['edition'])}中成绩优异，"
        f"经评审，根据《{_esc(fields['notice_number'])}》，荣获</p>"
        f'<p class="award">{_esc(fields["award"])}</p>'
        "<p>&#12288;&#12288;特发此证，以资鼓励。</p></div>"
        f'<div class="sign">{_esc(fields["association"])}<br>'
        f"{chinese_date(date)}</div>"
        f'<div class="qr">{qr_svg(url)}</div>'
        f'<div class="meta">证书编号：{_esc(certificate.serial)}<br>'
        f"扫码查验证书真伪与状态</div>"
        "</div></div></body></html>"
    )


def render(certificate: Certificate) -> bytes:
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import URLFetcher

    # Our own escaped text and SVG; the only resources are the local font files.
    fetcher = URLFetcher(allowed_protocols=["file"])
    font_config = FontConfiguration()
    stylesheet = CSS(
        string=font_faces(font_set()) + STYLE, font_config=font_config, url_fetcher=fetcher
    )
    pdf: bytes | None = HTML(string=to_html(certificate), url_fetcher=fetcher).write_pdf(
        stylesheets=[stylesheet], font_config=font_config
    )
    assert pdf is not None
    return pdf


def filename(certificate: Certificate) -> str:
    return safe_filename(f"{certificate.serial}-{certificate.fields.get('team', '')}") + ".pdf"


def write_zip(
    out: IO[bytes],
    certificates: Sequence[Certificate],
    progress: Callable[[int, int], None] | None = None,
) -> None:
    """One PDF per certificate, named by serial and team."""
    total = len(certificates)
    with zipfiles.writer(out) as archive:
        for done, certificate in enumerate(certificates, start=1):
            zipfiles.add_bytes(archive, filename(certificate), render(certificate))
            if progress is not None:
                progress(done, total)


def zip_bytes(certificates: Sequence[Certificate]) -> bytes:
    buffer = io.BytesIO()
    write_zip(buffer, certificates)
    return buffer.getvalue()
