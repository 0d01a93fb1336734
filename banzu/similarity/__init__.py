"""The similarity engine for the plagiarism check: pure Python and numpy, no Django."""

from banzu.similarity.figures import format_ratio

__all__ = ["format_ratio"]
