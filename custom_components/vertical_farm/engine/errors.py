"""The one error type the engines raise."""

from __future__ import annotations

from collections.abc import Mapping


class FarmError(Exception):
    """A refused domain operation, with a machine-readable code.

    The integration turns `code` into a translated message (the translation key
    is the code) and fills the placeholders from `params`.
    """

    def __init__(self, code: str, **params: str | float) -> None:
        """Store the code and its placeholders."""
        self.code = code
        self.params: Mapping[str, str | float] = params
        detail = ", ".join(f"{key}={value}" for key, value in params.items())
        super().__init__(f"{code}: {detail}" if detail else code)
