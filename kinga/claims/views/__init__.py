"""The claims pages: entry.py (entry, edit, submission, print) and control.py (search, bulk actions, returns, review, feedback)."""
