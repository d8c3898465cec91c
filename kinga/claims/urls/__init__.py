"""The claims pages' addresses: entry (a FOSA enters, edits, submits and prints its claims) and
control (the search with its bulk actions, returns for completion, review and feedback)."""
