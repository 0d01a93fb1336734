"""Signals the later stages send about an edition, for the earlier stages to act on without
importing upwards (banzu's layers point down the pipeline)."""

from django.dispatch import Signal

# Sent after the transaction that published an edition's final results has committed, with
# `edition` and `by` (the admin who published). banzu.screening adds the published materials to
# the plagiarism archive.
edition_published = Signal()
