"""The similarity engine for the plagiarism check: pure Python and numpy, no Django."""
