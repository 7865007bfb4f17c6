"""The office web's password rules (issue 16, 等保 身份鉴别): long enough, three kinds of characters, not the
username, not one of the passwords guessed first (`data/common_passwords.txt`). Pure: the service raises."""

from __future__ import annotations

import functools
import re
from importlib import resources

MIN_LENGTH = 10
MIN_KINDS = 3  # of: capital letters, small letters, digits, other characters (symbols, spaces, Chinese…)
MAX_LENGTH = 128


@functools.cache
def common_passwords() -> frozenset[str]:
    text = resources.files("backend.domain").joinpath("data/common_passwords.txt").read_text(encoding="utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines() if line.strip() and not line.startswith("#"))


def kinds_of_characters(password: str) -> int:
    kinds = (
        any(c.isascii() and c.isupper() for c in password),
        any(c.isascii() and c.islower() for c in password),
        any(c.isdigit() for c in password),
        any(not (c.isascii() and c.isalnum()) for c in password),
    )
    return sum(kinds)


def _core(password: str) -> str:
    """The password without the digits and symbols around it ("Admin@123456" → "admin")."""
    return re.sub(r"^[^a-z]+|[^a-z]+$", "", password.lower())


def problem(password: str, username: str = "") -> str | None:
    """The message key of the first rule `password` breaks (`office.user.password_*`), or None."""
    if len(password) < MIN_LENGTH:
        return "office.user.password_short"
    if len(password) > MAX_LENGTH:
        return "office.user.password_long"
    if kinds_of_characters(password) < MIN_KINDS:
        return "office.user.password_kinds"
    name = username.strip().lower()
    if len(name) >= 3 and name in password.lower():
        return "office.user.password_username"
    common = common_passwords()
    lowered = password.lower()
    if lowered in common or _core(password) in common or re.sub(r"[^a-z0-9]", "", lowered) in common:
        return "office.user.password_common"
    return None
