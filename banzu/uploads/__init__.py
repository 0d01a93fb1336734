"""Validation of applicants' uploaded documents (pure Python, no Django)."""
