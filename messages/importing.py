"""Words of importing."""

MESSAGES: dict[str, str] = {}
