"""The provincial screening (形式审查): compliance and completeness checks, the plagiarism
report, and passing or eliminating applications with a reason."""
