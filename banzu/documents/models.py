"""The document renderers keep no rows: the package builds they once kept are banzu.jobs jobs."""
