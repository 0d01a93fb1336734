"""Verify the whole journal: the hash chain, every entry's seal, the head, and the anchors.

Shared by `verify_audit`, `anchor_audit` (which anchors only a journal that verifies) and the
restore of a backup (banzu.ops)."""

from __future__ import annotations

from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from typing import cast

from banzu.audit import anchors
from banzu.audit.chain import Link, verify
from banzu.audit.keys import audit_key
from banzu.audit.models import AuditEntry, AuditHead


@dataclass
class Verdict:
    count: int = 0
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def summary(self) -> str:
        if self.problems:
            return self.problems[0]
        return f"Audit chain intact: {self.count} entries verified."


def verify_journal() -> Verdict:
    verdict = Verdict()
    reading = anchors.read()
    verdict.problems.extend(reading.problems)
    wanted = {anchor.seq for anchor in reading.anchors}
    seen: dict[int, str] = {}

    entries = cast(
        Generator[AuditEntry, None, None],
        AuditEntry.objects.order_by("seq").iterator(chunk_size=2000),
    )

    def links() -> Iterator[Link]:
        for entry in entries:
            verdict.count += 1
            if entry.seq in wanted:
                seen[entry.seq] = entry.hash
            yield Link(entry.seq, entry.chain_content(), entry.prev_hash, entry.hash, entry.mac)

    try:
        broken = verify(links(), audit_key())
    finally:
        # Close the server-side cursor (PostgreSQL) now, even when verify stopped early.
        entries.close()
    if broken is not None:
        verdict.problems.insert(0, f"Audit chain broken at entry #{broken.seq}: {broken.reason}")

    last = AuditEntry.objects.order_by("-seq").first()
    last_seq = last.seq if last else 0
    head = AuditHead.objects.filter(pk=1).first()
    if head is not None and (last is None or (last.seq, last.hash) != (head.seq, head.hash)):
        verdict.problems.append(
            f"Audit chain broken after entry #{last_seq}: "
            f"the journal's tip was #{head.seq}; later entries were removed"
        )

    beyond = [a for a in reading.anchors if a.seq > last_seq]
    if beyond:
        latest = max(beyond, key=lambda a: a.seq)
        verdict.problems.append(
            f"Audit chain broken after entry #{last_seq}: the anchor of {latest.at} "
            f"({latest.by}) recorded the journal's head at #{latest.seq}; later entries were "
            "removed"
        )
    if broken is None:
        for anchor in reading.anchors:
            if 0 < anchor.seq <= last_seq and seen.get(anchor.seq) != anchor.hash:
                verdict.problems.append(
                    f"Entry #{anchor.seq} differs from the anchor of {anchor.at} ({anchor.by})"
                )
                break

    verdict.notes.extend(_notes(reading))
    return verdict


def _notes(reading: anchors.Reading) -> list[str]:
    notes = []
    sealed = AuditEntry.objects.filter(action="audit.sealed").order_by("-seq").first()
    if sealed is not None:
        notes.append(
            f"Entries #1–#{sealed.data.get('through')} were written before the journal had a key "
            f"and were sealed on {sealed.created_at:%Y-%m-%d} (entry #{sealed.seq}): before "
            "that date only the hash chain protected them."
        )
    path = anchors.anchor_file()
    if reading.anchors:
        latest = max(reading.anchors, key=lambda a: a.seq)
        notes.append(
            f"Checked against {len(reading.anchors)} anchor(s) in {path}; the latest records "
            f"entry #{latest.seq} ({latest.at}, {latest.by})."
        )
    else:
        notes.append(
            f"No anchor of this database in {path} yet: a removed tail is detected only "
            "from the first anchor on (manage.py anchor_audit)."
        )
    return notes
