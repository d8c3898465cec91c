"""Reads of claims: `claims` (the loader CLAIM, reach, search, home-page work) and `facts`
(everything the submission checks need, for many claims in a few queries)."""
