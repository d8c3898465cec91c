"""The claims' pure rules: no ORM, no request, no clock (dataclass facts in, results out).

- `checks`: the submission checks and their rejection codes;
- `admin`: the administrative check (timeliness, completeness);
- `selection`: the selection of claims for review or feedback;
- `numbers`: the proposed claim number.
"""
