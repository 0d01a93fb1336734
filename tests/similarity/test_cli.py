"""`banzu-similarity scan`: the command line other tools call, its JSON, and hostile inputs."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import pytest
from docx import Document as WordDocument

from banzu.similarity import cli
from tests.uploads.samples import make_zip_bomb


def chinese(seed: int, length: int) -> str:
    rng = random.Random(seed)
    return "".join(chr(rng.randint(0x4E00, 0x9FA5)) for _ in range(length))


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """This year's edition (a.txt copies the archive, b.docx copies a.txt), an archive, and
    a template whose text every document carries."""
    template = chinese(1, 600)
    old = chinese(2, 2000)
    a_text = chinese(3, 500) + template + old[:1000] + chinese(4, 500)
    edition, archive = tmp_path / "edition", tmp_path / "archive"
    (edition / "杭州").mkdir(parents=True)
    archive.mkdir()
    (tmp_path / "notice.txt").write_text(template, encoding="utf-8")
    (archive / "2024-钢筋班.txt").write_text(template + old, encoding="utf-8")
    (edition / "a.txt").write_text(a_text, encoding="utf-8")
    word = WordDocument()
    word.add_paragraph(chinese(5, 300))
    word.add_paragraph(a_text[1100:1900])
    word.save(str(edition / "杭州" / "b.docx"))
    (edition / "c.txt").write_text(chinese(6, 3000), encoding="utf-8")
    return tmp_path


def _scan(corpus: Path, *extra: str) -> dict:
    out = corpus / "out.json"
    code = cli.main(
        [
            "scan",
            str(corpus / "edition"),
            "--archive",
            str(corpus / "archive"),
            "--template",
            str(corpus / "notice.txt"),
            *extra,
            "--json",
            str(out),
        ]
    )
    assert code == 0
    return json.loads(out.read_text(encoding="utf-8"))


def test_scan_writes_the_contract_json(corpus):
    result = _scan(corpus)

    documents = {d["id"]: d for d in result["documents"]}
    assert sorted(documents) == ["a.txt", "c.txt", "杭州/b.docx"]  # archive: sources only
    a = documents["a.txt"]
    assert (a["chars"], a["copied_chars"], a["copy_ratio"]) == (2600, 1000, 0.3846)
    assert a["common_chars"] == 0
    archive_source = next(s for s in a["sources"] if s["archive"])
    assert archive_source == {
        "id": "2024-钢筋班.txt",
        "archive": True,
        "same_owner": False,
        "copied_chars": 1000,
        "ratio": 0.3846,
        "passages": [{"start": 1100, "end": 2100, "source_start": 600, "source_end": 1600}],
    }
    b = documents["杭州/b.docx"]
    assert b["chars"] == 300 + 1 + 800  # two paragraphs joined by a newline
    assert [(s["id"], s["copied_chars"]) for s in b["sources"]] == [
        ("2024-钢筋班.txt", 800),
        ("a.txt", 800),
    ]
    assert documents["c.txt"]["sources"] == []
    assert set(result["stats"]) >= {"documents", "seconds"}
    assert result["stats"]["documents"] == 3


def test_offsets_index_the_extracted_text_of_a_txt_file_unchanged(corpus):
    result = _scan(corpus)

    a = next(d for d in result["documents"] if d["id"] == "a.txt")
    text = (corpus / "edition" / "a.txt").read_text(encoding="utf-8")
    source = (corpus / "archive" / "2024-钢筋班.txt").read_text(encoding="utf-8")
    passage = a["sources"][0]["passages"][0]
    assert (
        text[passage["start"] : passage["end"]]
        == source[passage["source_start"] : passage["source_end"]]
    )


def test_owners_split_self_copies(corpus):
    owners = corpus / "owners.csv"
    owners.write_text("a.txt,甲公司\n2024-钢筋班.txt,甲公司\n", encoding="utf-8")

    a = next(d for d in _scan(corpus, "--owners", str(owners))["documents"] if d["id"] == "a.txt")

    # 800 of the 1,000 characters are also in b.docx, another enterprise's: only 200 are the
    # enterprise's own text alone.
    assert (a["copied_chars"], a["self_copied_chars"], a["copy_ratio_excluding_self"]) == (
        1000,
        200,
        0.3077,
    )
    assert {(s["id"], s["same_owner"]) for s in a["sources"]} == {
        ("2024-钢筋班.txt", True),
        ("杭州/b.docx", False),
    }


def test_hostile_files_each_get_an_error_and_the_scan_goes_on(corpus):
    edition = corpus / "edition"
    (edition / "empty.txt").write_bytes(b"")
    (edition / "one-char.txt").write_text("啊" * 100_000, encoding="utf-8")
    (edition / "long-line.txt").write_text(chinese(7, 1_700_000), encoding="utf-8")  # 5 MB
    (edition / "broken.pdf").write_bytes(b"%PDF-1.7\n1 0 obj <<")
    make_zip_bomb(edition / "bomb.docx")
    (edition / "latin1.txt").write_bytes("班组".encode("gb18030"))

    documents = {d["id"]: d for d in _scan(corpus)["documents"]}

    errors = {doc_id: d.get("error") for doc_id, d in documents.items()}
    assert errors["empty.txt"] == "the file is empty"
    assert errors["one-char.txt"] == "the text is one repeated character or phrase"
    assert errors["broken.pdf"].startswith("could not read the PDF")
    assert errors["bomb.docx"] is not None
    assert errors["latin1.txt"] == "not valid UTF-8 text"
    assert errors["long-line.txt"] is None
    assert documents["long-line.txt"]["chars"] == 1_700_000
    assert documents["a.txt"]["copied_chars"] == 1000  # the others were still checked


def test_the_console_script_is_installed_and_answers(corpus, tmp_path):
    script = Path(sys.prefix) / "bin" / "banzu-similarity"
    out = tmp_path / "script.json"

    done = subprocess.run(
        [str(script), "scan", str(corpus / "edition"), "--json", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )

    assert (done.returncode, done.stderr) == (0, "")
    assert json.loads(out.read_text(encoding="utf-8"))["stats"]["documents"] == 3


def test_a_missing_folder_is_refused(tmp_path, capsys):
    code = cli.main(["scan", str(tmp_path / "nope"), "--json", str(tmp_path / "o.json")])

    assert code == 2
    assert "not a folder" in capsys.readouterr().err


def test_a_cache_reads_and_fingerprints_each_file_once(corpus, monkeypatch):
    cache = corpus / "cache"
    first = _scan(corpus, "--cache", str(cache))
    reads = []
    monkeypatch.setattr(cli, "_read", lambda path: reads.append(path) or ("", "unexpected"))

    second = _scan(corpus, "--cache", str(cache))

    assert reads == []
    # Three edition documents, one archive document and the template.
    assert len(list(cache.glob("*.npz"))) == 5
    assert [d["sources"] for d in second["documents"]] == [d["sources"] for d in first["documents"]]
