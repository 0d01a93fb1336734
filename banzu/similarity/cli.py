"""`banzu-similarity`: the command line of the similarity engine (a contract: other tools call it).

    banzu-similarity scan DIR [DIR ...] [--archive DIR ...] [--template FILE ...]
                     [--common-df N] [--owners CSV] [--cache DIR] --json OUT

Checks every document under the DIRs against each other and against the archive and writes the
JSON report described in the README. Documents under archive DIRs are only sources. A document
that cannot be read gets an "error" and the scan goes on.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import resource
import sys
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from banzu.similarity.engine import COMMON_DF, Corpus, Document, Report
from banzu.similarity.fingerprint import WINDOW, Fingerprints, K, fingerprint
from banzu.similarity.normalize import normalize


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
    scan.add_argument(
        "--cache",
        type=Path,
        metavar="DIR",
        help="keep each file's extracted text and fingerprints here, by content, for later scans",
    )
    scan.add_argument("--json", required=True, type=Path, metavar="OUT")
    return parser


def _read(path: Path) -> tuple[str, str | None]:
    from banzu.similarity.extract import extract

    extracted = extract(path)
    return extracted.text, extracted.error


class Cache:
    """Extracted text and fingerprints by the file's SHA-256 (and the fingerprint settings), so
    that an archive is read and fingerprinted once. Plain files: text, and an .npz of arrays."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)

    def _key(self, path: Path) -> str:
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
        return f"{digest.hexdigest()}-k{K}-w{WINDOW}"

    def read(self, path: Path) -> tuple[str, str | None, Fingerprints | None]:
        key = self._key(path)
        text_file, prints_file = self.folder / f"{key}.txt", self.folder / f"{key}.npz"
        if text_file.exists() and prints_file.exists():
            with np.load(prints_file, allow_pickle=False) as arrays:
                prints = Fingerprints(arrays["hashes"], arrays["positions"])
            return text_file.read_text(encoding="utf-8"), None, prints
        text, error = _read(path)
        if error is not None:
            return text, error, None
        prints = fingerprint(normalize(text).codes)
        _atomic_write(prints_file, lambda handle: np.savez(handle, **_arrays(prints)))
        _atomic_write(text_file, lambda handle: handle.write(text.encode("utf-8")))
        return text, None, prints


def _arrays(prints: Fingerprints) -> dict[str, Any]:
    return {"hashes": prints.hashes, "positions": prints.positions}


def _atomic_write(target: Path, write: Callable[[Any], object]) -> None:
    partial = target.with_name(f"{target.name}.{os.getpid()}.{threading.get_ident()}.part")
    with partial.open("wb") as handle:
        write(handle)
    os.replace(partial, target)


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
    cache: Path | None = None,
) -> dict[str, Any]:
    started = time.perf_counter()
    store = Cache(cache) if cache else None
    owners = owners or {}
    corpus = Corpus(common_df=common_df)
    for template in templates:
        text, error = store.read(template)[:2] if store else _read(template)
        if error:
            raise SystemExit(f"banzu-similarity: template {template}: {error}")
        corpus.add_template(text)
    listed = [item for root in dirs for item in _documents(root, archive=False)]
    listed += [item for root in archive for item in _documents(root, archive=True)]

    # Extraction waits on child processes (PDF) and I/O: a few threads overlap it.
    def read(item: tuple[str, Path, bool]) -> tuple[str, str | None, Fingerprints | None]:
        if store is not None:
            return store.read(item[1])
        return (*_read(item[1]), None)

    with ThreadPoolExecutor(max_workers=4) as pool:
        texts = list(pool.map(read, listed))
    for (doc_id, _path, is_archive), (text, error, prints) in zip(listed, texts, strict=True):
        corpus.add(
            Document(
                doc_id,
                text,
                archive=is_archive,
                owner=owners.get(doc_id),
                error=error,
                fingerprints=prints,
            )
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
        cache=args.cache,
    )
    args.json.write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
