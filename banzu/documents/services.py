"""Until the package build moves to jobs: the names `banzu.documents.package` imports from here.
New code imports `banzu.documents.render` and the app that owns each attachment."""

from banzu.applications.attachment1 import attachment1_file
from banzu.documents.render import FORMATS, Rendered, render, safe_filename

__all__ = ["FORMATS", "Rendered", "attachment1_file", "render", "safe_filename"]
