"""Every ZIP the project writes extracts readable by everyone: files 0644, folders 0755
(issue 18, item 11). Python's zipfile alone stores 0600."""

from __future__ import annotations

import io
import os
import re
import stat
import subprocess
import zipfile
from pathlib import Path

from banzu.core import zipfiles

BANZU = Path(__file__).resolve().parents[2] / "banzu"


def mode(info: zipfile.ZipInfo) -> int:
    return stat.S_IMODE(info.external_attr >> 16)


def sample(tmp_path: Path) -> bytes:
    private = tmp_path / "stored"
    private.write_bytes(b"%PDF-1.4 scan")
    private.chmod(0o600)  # as the file store keeps it
    out = io.BytesIO()
    with zipfiles.writer(out) as archive:
        zipfiles.add_folder(archive, "杭-2026-001_钢筋班")
        zipfiles.add_bytes(archive, "杭-2026-001_钢筋班/附件1.docx", b"generated")
        zipfiles.add_file(
            archive,
            "杭-2026-001_钢筋班/附件1（盖章）.pdf",
            private,
            compress_type=zipfile.ZIP_STORED,
        )
    return out.getvalue()


def test_entries_are_0644_and_folders_0755_made_on_unix(tmp_path):
    archive = zipfile.ZipFile(io.BytesIO(sample(tmp_path)))

    seen = [
        (info.filename, oct(mode(info)), info.is_dir(), info.create_system, info.compress_type)
        for info in archive.infolist()
    ]

    assert seen == [
        ("杭-2026-001_钢筋班/", "0o755", True, 3, zipfile.ZIP_STORED),
        ("杭-2026-001_钢筋班/附件1.docx", "0o644", False, 3, zipfile.ZIP_DEFLATED),
        ("杭-2026-001_钢筋班/附件1（盖章）.pdf", "0o644", False, 3, zipfile.ZIP_STORED),
    ]
    assert archive.read("杭-2026-001_钢筋班/附件1（盖章）.pdf") == b"%PDF-1.4 scan"
    # Entries carry the time they were written, not zipfile's default of 1980.
    assert {info.date_time[0] >= 2024 for info in archive.infolist()} == {True}


def test_unzip_extracts_them_readable_by_others_whatever_the_umask(tmp_path):
    path = tmp_path / "package.zip"
    path.write_bytes(sample(tmp_path))
    out = tmp_path / "out"

    subprocess.run(
        ["sh", "-c", f"umask 077 && unzip -q {path} -d {out}"], check=True, capture_output=True
    )

    folder = out / "杭-2026-001_钢筋班"
    assert {
        name: oct(stat.S_IMODE(os.stat(folder / name if name else folder).st_mode))
        for name in ("", "附件1.docx", "附件1（盖章）.pdf")
    } == {"": "0o755", "附件1.docx": "0o644", "附件1（盖章）.pdf": "0o644"}


def test_no_zip_is_written_outside_the_helper():
    """A writer made with zipfile directly would store 0600 again."""
    writes = re.compile(r"ZipFile\([^)]*[\"']w[\"']|\.writestr\(|ZipInfo\(")
    found = sorted(
        str(path.relative_to(BANZU))
        for path in BANZU.rglob("*.py")
        if path.name != "zipfiles.py" and writes.search(path.read_text(encoding="utf-8"))
    )

    assert found == []
