"""The plagiarism check in the demo: a 2024 archive imported from a ZIP and the 2026 scan, both
run through the screening's jobs as the admin's buttons start them (the archive page's import,
the workspace's 运行查重), each run at once inside the demo build instead of by the worker.

What the scan finds is what banzu.demo.materials planted: one application repeats two sentences
of a 2024 archive document with a sentence of its own between them, two applications share a
passage (a mutual pair); every other application writes its own text and comes out near 0%.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

from banzu.accounts.models import User
from banzu.core import zipfiles
from banzu.demo.materials import ARCHIVE, compose, materials_files
from banzu.editions.models import Edition
from banzu.jobs import services as jobs
from banzu.jobs.enums import JobState
from banzu.jobs.models import Job
from banzu.screening import jobs as screening_jobs


def archive_zip() -> bytes:
    """The 2024 archive as an admin would upload it: the Word files and an index of them."""
    index = io.StringIO()
    writer = csv.writer(index)
    writer.writerow(["年份", "单位名称", "班组名称", "经验名称", "文件"])
    out = io.BytesIO()
    with zipfiles.writer(out) as archive:
        for number, (year, enterprise, team, title) in enumerate(ARCHIVE, start=1):
            name = f"{year}/{number:02d}-{team}.docx"
            docx, _pdf = materials_files(
                compose(year=year, enterprise=enterprise, team=team, title=title)
            )
            zipfiles.add_bytes(archive, name, docx)
            writer.writerow([year, enterprise, team, title, name])
        zipfiles.add_bytes(archive, "目录.csv", index.getvalue().encode("utf-8-sig"))
    return out.getvalue()


def build_plagiarism(*, admin: User, edition: Edition, out: Callable[[str], None]) -> None:
    imported = screening_jobs.start_import(edition=edition, user=admin, chunks=[archive_zip()])
    _run_now(imported.pk)
    scan = screening_jobs.start_scan(edition=edition, user=admin)
    summary = _run_now(scan.pk)
    out(
        f"Demo: the plagiarism scan of {edition.year}: {summary['documents']} applications "
        f"against {summary['archive_documents']} archive documents of 2024, "
        f"{summary['flagged']} flagged."
    )


def _run_now(job_pk: int) -> dict[str, object]:
    """The worker's run of a queued job, here and now (its queued task, after the demo commits,
    finds it done and skips it)."""
    jobs.run(job_pk)
    job = Job.objects.get(pk=job_pk)
    assert job.state == JobState.DONE, f"demo job {job.kind}: {job.error}"
    return dict(job.summary)
