"""The rectification words reach the right handler, for the right role only; typed dates are understood."""

from __future__ import annotations

from datetime import date

import pytest

from bot.handlers import reinspection, unit
from bot.router import Router

ROUTER = Router()


@pytest.mark.parametrize(
    ("text", "handler", "groups"),
    [
        ("签收", unit.sign, {"number": None}),
        ("签收 ZG-2026-000123", unit.sign, {"number": "ZG-2026-000123"}),
        ("整改", unit.list_open, {}),
        ("已整改 zg-2026-000123", unit.start_report, {"number": "zg-2026-000123", "text": None}),
        ("已整改 123 已清理完毕\n附照片", unit.start_report, {"number": "123", "text": "已清理完毕\n附照片"}),
        ("申请延期 ZG-2026-000123 设备未到货", unit.request_extension, {"reason": "设备未到货"}),
    ],
)
def test_unit_contact_words(text: str, handler: object, groups: dict[str, str | None]) -> None:
    found, match = ROUTER.resolve("text", ROUTER.kind_and_text("text", text)[1], "unit", None)
    assert found is handler
    for name, value in groups.items():
        assert match is not None and match.group(name) == value


@pytest.mark.parametrize(
    ("text", "handler"),
    [
        ("复查 ZG-2026-000123 通过", reinspection.passed),
        ("复查 ZG-2026-000123 不通过 仍有杂物 2026-12-10", reinspection.failed),
        ("同意延期 ZG-2026-000123 2026-12-20", reinspection.grant_extension),
        ("不同意延期 ZG-2026-000123 理由不充分", reinspection.refuse_extension),
    ],
)
def test_inspector_words_and_not_for_the_public(text: str, handler: object) -> None:
    assert ROUTER.resolve("text", text, "inspector", None)[0] is handler
    assert ROUTER.resolve("text", text, "public", None)[0] is not handler
    assert ROUTER.resolve("text", text, "unit", None)[0] is not handler


def test_photos_go_to_the_report_only_while_reporting() -> None:
    assert ROUTER.resolve("image", "", "unit", unit.REPORTING)[0] is unit.report_photo
    assert ROUTER.resolve("image", "", "unit", None)[0] is not unit.report_photo
    assert ROUTER.resolve("text", "消防通道已清理", "unit", unit.REPORTING)[0] is unit.report_text
    assert ROUTER.resolve("text", "提交", "unit", unit.REPORTING)[0] is unit.submit_report
    assert ROUTER.resolve("image", "", "inspector", reinspection.FOLLOW_UP)[0] is reinspection.followup_photo


def test_typed_dates() -> None:
    today = date(2026, 11, 25)
    assert reinspection.parse_date("2026-12-10", today) == date(2026, 12, 10)
    assert reinspection.parse_date("2026年12月10日", today) == date(2026, 12, 10)
    assert reinspection.parse_date("12月10日", today) == date(2026, 12, 10)
    assert reinspection.parse_date("1-5", today) == date(2027, 1, 5)  # the next one to come
    assert reinspection.parse_date("2026-11-01", today) is None  # past
    assert reinspection.parse_date("2026-02-30", today) is None
    assert reinspection.split_trailing_date("仍有杂物 2026-12-10") == ("仍有杂物", "2026-12-10")
    assert reinspection.split_trailing_date("仍有杂物") == ("仍有杂物", "")


def test_an_extension_may_be_granted_for_a_duration() -> None:
    from bot.router import Router

    handler, found = Router().resolve("text", "同意延期 57 两周", "inspector", None)
    assert handler is reinspection.grant_extension and found is not None and found.group("date") == "两周"
