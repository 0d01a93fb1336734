"""The event's pages, one module per part: setup, live, scoring, results."""
