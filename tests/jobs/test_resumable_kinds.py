"""Which job kinds are queued again when their worker was killed (banzu.jobs: resumable), and
which are given up with a message. A kind is resumable only when running it again on the same
job ends as one uninterrupted run would."""

from __future__ import annotations

from banzu.jobs import registry


def test_the_idempotent_kinds_are_resumed_the_others_given_up():
    assert sorted(
        kind.name
        for kind in registry.kinds()
        if kind.resumable and not kind.name.startswith("tests.")
    ) == [
        "certificates.zip",
        "jobs.clean_temp",
        "recommendations.package",
        "screening.archive_import",
        "screening.archive_published",
        "screening.checks",
        "screening.rescan",
        "screening.scan",
    ]
