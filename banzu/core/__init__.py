"""Shared infrastructure with no domain in it: errors, the workflow engine, access and denial,
the file store, the mail outbox, download responses and the hooks that let a later stage react
to an earlier one. Everything in banzu may import it; it imports nothing above banzu.audit."""
