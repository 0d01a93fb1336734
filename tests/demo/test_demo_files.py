"""The demo's materials: the PDF copy says what the Word copy says, so the screening's
Word-and-PDF check passes on the demo's applications and its bulk pass has something to offer
(issue 17, item 5)."""

from __future__ import annotations

from pathlib import Path

from banzu.demo.builder import DemoFiles
from banzu.screening.checks import check_word_pdf
from banzu.screening.enums import CheckStatus
from banzu.similarity.extract import extract


def test_the_demo_pdf_agrees_with_its_word_copy(tmp_path: Path) -> None:
    files = DemoFiles.build()
    (tmp_path / "materials.docx").write_bytes(files.docx)
    (tmp_path / "materials.pdf").write_bytes(files.pdf)

    outcome = check_word_pdf(
        extract(tmp_path / "materials.docx"), extract(tmp_path / "materials.pdf"), threshold=0.95
    )

    assert outcome.status == CheckStatus.PASS
