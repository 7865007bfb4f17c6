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


class TransitionRefused(DomainError):
    """A record is not in a state that allows the step: the one idiom of the concern and rectification lifecycles.

    `subject` is the record's prefix in messages/ ("concern", "rect"); `step` what was asked (an action or the
    state it leads to); `state` where the record stands.
    """

    def __init__(self, subject: str, step: str, state: str) -> None:
        super().__init__(f"{subject}.error.state", state=t(f"{subject}.state.{state}"))
        self.subject, self.step, self.state = subject, step, state
