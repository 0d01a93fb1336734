"""`banzu-similarity`: the command line of the similarity engine (a contract: other tools call it).

    banzu-similarity scan DIR [DIR ...] [--archive DIR ...] [--template FILE ...]
                     [--common-df N] [--owners CSV] --json OUT

Checks every document under the DIRs against each other and against the archive and writes the
JSON report described in the README. Documents under archive DIRs are only sources. A document
that cannot be read gets an "error" and the scan goes on.
"""

from __future__ import annotations

import argparse
import csv
import json
import resource
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from banzu.similarity.engine import COMMON_DF, Corpus, Document, Report


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="banzu-similarity", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    scan = commands.add_parser("scan", help="check documents against each other and an archive")
    scan.add_argument("dirs", nargs="+", type=Path, metavar="DIR")
    scan.add_argument("--archive", action="append", default=[], type=Path, metavar="DIR")
    scan.add_argument("--template", action="append", default=[], type=Path, metavar="FILE")
    scan.add_argument("--common-df", type=int, default=COMMON_DF, metavar="N")
    scan.add_argument(
        "--owners",
        type=Path,
        metavar="CSV",
        help="a CSV of document id,owner: copies from the same owner are reported apart",
    )
    scan.add_argument("--json", required=True, type=Path, metavar="OUT")
    return parser


def _read(path: Path) -> tuple[str, str | None]:
    from banzu.similarity.extract import extract

    extracted = extract(path)
    return extracted.text, extracted.error


def _documents(root: Path, *, archive: bool) -> list[tuple[str, Path, bool]]:
    from banzu.similarity.extract import iter_documents

    return [(doc_id, path, archive) for doc_id, path in iter_documents(root)]


def _owners(path: Path | None) -> dict[str, str]:
    if path is None:
        return {}
    with path.open(newline="", encoding="utf-8") as handle:
        return {row[0]: row[1] for row in csv.reader(handle) if len(row) >= 2}


def report_json(report: Report) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": report.id,
        "chars": report.chars,
        "copied_chars": report.copied_chars,
        "copy_ratio": report.copy_ratio,
        "max_source_ratio": report.max_source_ratio,
        "common_chars": report.common_chars,
        "self_copied_chars": report.self_copied_chars,
        "copy_ratio_excluding_self": report.copy_ratio_excluding_self,
        "sources": [
            {
                "id": source.id,
                "archive": source.archive,
                "same_owner": source.same_owner,
                "copied_chars": source.copied_chars,
                "ratio": source.ratio,
                "passages": [
                    {
                        "start": p.start,
                        "end": p.end,
                        "source_start": p.source_start,
                        "source_end": p.source_end,
                    }
                    for p in source.passages
                ],
            }
            for source in report.sources
        ],
    }
    if report.error:
        data["error"] = report.error
    return data


def scan(
    dirs: Sequence[Path],
    *,
    archive: Sequence[Path] = (),
    templates: Sequence[Path] = (),
    common_df: int = COMMON_DF,
    owners: dict[str, str] | None = None,
) -> dict[str, Any]:
    started = time.perf_counter()
    owners = owners or {}
    corpus = Corpus(common_df=common_df)
    for template in templates:
        text, error = _read(template)
        if error:
            raise SystemExit(f"banzu-similarity: template {template}: {error}")
        corpus.add_template(text)
    listed = [item for root in dirs for item in _documents(root, archive=False)]
    listed += [item for root in archive for item in _documents(root, archive=True)]
    # Extraction waits on child processes (PDF) and I/O: a few threads overlap it.
    with ThreadPoolExecutor(max_workers=4) as pool:
        texts = list(pool.map(lambda item: _read(item[1]), listed))
    for (doc_id, _path, is_archive), (text, error) in zip(listed, texts, strict=True):
        corpus.add(
            Document(doc_id, text, archive=is_archive, owner=owners.get(doc_id), error=error)
        )
    reports = corpus.scan()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "documents": [report_json(report) for report in reports],
        "stats": {
            "documents": len(reports),
            "archive_documents": sum(1 for item in listed if item[2]),
            "errors": sum(1 for report in reports if report.error),
            "seconds": round(time.perf_counter() - started, 2),
            "peak_memory_mb": round(peak_mb, 1),
        },
    }


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    for folder in [*args.dirs, *args.archive]:
        if not folder.is_dir():
            print(f"banzu-similarity: not a folder: {folder}", file=sys.stderr)
            return 2
    result = scan(
        args.dirs,
        archive=args.archive,
        templates=args.template,
        common_df=args.common_df,
        owners=_owners(args.owners),
    )
    args.json.write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
