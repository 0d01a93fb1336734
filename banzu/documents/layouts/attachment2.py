"""Until the package build moves to jobs: `banzu.documents.package` reads Attachment 2's layout
here. It lives in `banzu.recommendations.attachment2`."""

from banzu.recommendations.attachment2 import build, filename_stem

__all__ = ["build", "filename_stem"]
