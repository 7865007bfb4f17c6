"""The office web's password rules (issue 16, 等保 身份鉴别): each rule refuses what it should, and the messages
say which rule in Chinese."""

from __future__ import annotations

import pytest

from backend.domain import passwords
from backend.services.office_users import UserError, check_password_rules
from messages import t


@pytest.mark.parametrize(
    ("password", "username", "key"),
    [
        ("Ab1-short", "", "office.user.password_short"),  # 9 characters
        ("x" * 120 + "Ab1-Ab1-Ab", "", "office.user.password_long"),
        ("alllowercaseletters", "", "office.user.password_kinds"),
        ("lowercase and spaces", "", "office.user.password_kinds"),  # two kinds: small letters, symbols
        ("1234567890abc", "", "office.user.password_kinds"),
        ("Wangli-2026-dudao", "wangli", "office.user.password_username"),
        ("2026-WANGLI-office", "wangli", "office.user.password_username"),  # whatever the case
        ("Admin@123456", "", "office.user.password_common"),  # a common word with digits and symbols around it
        ("P@ssw0rd2026!", "", "office.user.password_common"),
        ("1qaz@WSX3edc", "", "office.user.password_common"),
        ("Woaini1314!!", "", "office.user.password_common"),
    ],
)
def test_a_password_breaking_a_rule_is_refused_with_its_reason(password: str, username: str, key: str) -> None:
    assert passwords.problem(password, username) == key
    with pytest.raises(UserError) as refused:
        check_password_rules(password, username)
    assert refused.value.key == key
    words = t(refused.value.key, **refused.value.fields)
    assert words and "{" not in words


@pytest.mark.parametrize(
    ("password", "username"),
    [
        ("Long-enough-2026", "admin"),
        ("qinghe-duxue-2026", "zhou"),  # small letters, symbols, digits
        ("青禾县督导室Zhou2026", "admin"),  # Chinese characters count as symbols
        ("demo-office-2026", "admin"),  # the demo's (documented in the README)
        ("demo-zone-2026", "zuzhang"),
    ],
)
def test_a_good_password_passes(password: str, username: str) -> None:
    assert passwords.problem(password, username) is None
    check_password_rules(password, username)


def test_a_short_username_is_not_searched_for_in_the_password() -> None:
    assert passwords.problem("Li-2026-duxue", "li") is None


def test_the_common_list_is_loaded_without_its_comments() -> None:
    common = passwords.common_passwords()
    assert "123456" in common and "woaini1314" in common
    assert not any(word.startswith("#") for word in common)
