"""Empty since each attachment's layout moved to the app that owns it; kept until the package
build moves to jobs (see attachment2.py)."""
