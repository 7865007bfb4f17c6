"""Words as typed: the folded copy is as long as the text, and cuts made on it keep the typed words."""

from __future__ import annotations

import re

from backend.domain.typed import Typed, fold
from bot.router import Router


def test_the_folded_copy_is_as_long_as_the_text_and_reads_full_width_as_ascii() -> None:
    typed = "晨檢記錄缺了３天；留樣櫃（僅２℃）…😓"
    assert len(fold(typed)) == len(typed)
    assert fold(typed) == "晨檢記錄缺了3天;留樣櫃(僅2℃)…😓"  # `℃` and `…` fold to two characters: left as typed
    assert fold(typed, simplify=True).startswith("晨检记录缺了3天;留样柜")


def test_cuts_on_the_copy_keep_the_typed_words() -> None:
    said = Typed.of("今天在城關一小，留樣櫃溫度不夠（僅２℃）").without("城关一小")
    assert said.typed == "今天在，留樣櫃溫度不夠（僅２℃）"
    assert [p.typed for p in said.split(re.compile(r"[,，]"))] == ["今天在", "留樣櫃溫度不夠（僅２℃）"]
    assert Typed.of("城关 一小 食堂").without("城关一小").typed == " 食堂"
    assert Typed.of("，，要求尽快补齐！").strip("，,!！").typed == "要求尽快补齐"


def test_the_router_matches_the_folded_text_and_hands_over_the_typed_words() -> None:
    kind, text, typed = Router.routed("text", "  已整改 ＺＧ－２０２６－０００００１ 已補齊，共３頁；✅ ")
    assert kind == "text" and len(text) == len(typed)
    assert text.startswith("已整改 ZG-2026-000001 ") and typed.endswith("已補齊，共３頁；✅")
