"""One error class for refused operations, rendered by forms, pages and APIs alike."""

from __future__ import annotations


class Refused(Exception):
    """A service refuses an operation: `message` is for the user (already translated), `field`
    names the input at fault when there is one."""

    def __init__(self, message: str, field: str | None = None, code: str = "refused"):
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code

    def add_to_form(self, form) -> None:
        """Show the refusal on a Django form, under the field it names."""
        field = self.field if self.field in getattr(form, "fields", {}) else None
        form.add_error(field, self.message)
