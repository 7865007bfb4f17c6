"""The one family of refusals a use case raises: a rule said no, and `messages/` says why in Chinese.

Services raise a `DomainError` (or a subclass) with a message key and its fields; the bot's router and the web's
error handlers render it once, with `messages.t`. Nothing else is needed to turn a refusal into words.
"""

from __future__ import annotations

from messages import t


class DomainError(Exception):
    """A refusal a person should read: `key` in `messages/`, with `fields` to fill it."""

    def __init__(self, key: str, **fields: object) -> None:
        super().__init__(key)
        self.key, self.fields = key, fields

    @property
    def message(self) -> str:
        """The refusal in the reader's words."""
        return t(self.key, **self.fields)

    def __str__(self) -> str:
        return self.message
