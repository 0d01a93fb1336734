"""A backup's manifest.json: every file with its size and SHA-256, the journal's head, the
migration state, the software and the time, sealed with the journal's key (banzu.audit.keys) so
that neither a file nor the manifest itself can be changed unnoticed."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from banzu.audit.keys import seal, seal_matches

NAME = "manifest.json"
FORMAT = "banzu-backup/1"
CHUNK = 1024 * 1024


class ManifestError(Exception):
    pass


def copy_hashing(source: Path, target: Path) -> tuple[str, int]:
    """Copy a file, fsynced, and return the SHA-256 and size of the bytes written."""
    digest = hashlib.sha256()
    size = 0
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    with source.open("rb") as src, target.open("xb") as out:
        while chunk := src.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
        out.flush()
        os.fsync(out.fileno())
    os.chmod(target, 0o600)
    return digest.hexdigest(), size


def hash_file(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as src:
        while chunk := src.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def entry(path: str, sha256: str, size: int) -> dict[str, Any]:
    return {"path": path, "sha256": sha256, "size": size}


def _canonical(data: dict[str, Any]) -> str:
    body = {key: value for key, value in data.items() if key != "seal"}
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def write(directory: Path, data: dict[str, Any]) -> Path:
    data = {**data, "format": FORMAT}
    data["seal"] = seal("manifest\n" + _canonical(data))
    path = directory / NAME
    with path.open("x", encoding="utf-8") as out:
        json.dump(data, out, ensure_ascii=False, indent=1, sort_keys=True)
        out.write("\n")
        out.flush()
        os.fsync(out.fileno())
    os.chmod(path, 0o600)
    return path


def read(directory: Path) -> dict[str, Any]:
    path = directory / NAME
    if not path.is_file():
        raise ManifestError(f"{path} does not exist: {directory} is not a banzu backup.")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except ValueError:
        raise ManifestError(f"{path} is not readable JSON: the backup is damaged.") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ManifestError(f"{path} is not a {FORMAT} manifest.")
    if not seal_matches("manifest\n" + _canonical(data), str(data.get("seal", ""))):
        raise ManifestError(
            f"{path} does not match its seal: it was altered, or BANZU_AUDIT_KEY is not the "
            "key of the server that made the backup."
        )
    return data


def damaged(directory: Path, files: Iterable[dict[str, Any]]) -> list[str]:
    """Every listed file that is missing, has another size or another SHA-256, named."""
    problems = []
    for item in files:
        path = directory / str(item["path"])
        if not path.resolve().is_relative_to(directory.resolve()):
            problems.append(f"{item['path']}: outside the backup")
            continue
        if not path.is_file():
            problems.append(f"{item['path']}: missing")
            continue
        sha256, size = hash_file(path)
        if size != item["size"]:
            problems.append(f"{item['path']}: {size} bytes, the manifest says {item['size']}")
        elif sha256 != item["sha256"]:
            problems.append(f"{item['path']}: its SHA-256 does not match the manifest")
    return problems
