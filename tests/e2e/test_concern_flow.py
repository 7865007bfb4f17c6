"""A parent scans a board, writes, sends two photos, picks the category and gets a ticket; the inspector is told
through the fake WeChat API, answers by chat, and the answer reaches the parent — with WeChat's 48 h window
open (customer-service messages) and closed (template messages). The real path: signed and encrypted pushes
to a server on loopback, the real database, the outbox and media jobs, the real client against the fake API.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from backend.services import media
from backend.store.models import Concern, Media
from bot.fake_wechat import RunningFakeWeChat
from messages import t
from tests.e2e.concern_support import GPS_MARK, INSPECTOR, TEMPLATES, Stage, concern_stage, photo_with_gps
from tests.e2e.webhook_support import Stack

pytestmark = pytest.mark.e2e
pytest_plugins = ["tests.fake_wechat_fixture"]

PARENT = "o-parent-li"
TICKET = re.compile(r"T\d{4}-\d{4}")


@pytest.fixture
def stage(stack: Stack, fake_wechat: RunningFakeWeChat, tmp_path: Path) -> Iterator[Stage]:
    with concern_stage(stack.db, stack.kv, fake_wechat, tmp_path / "instance") as running:
        yield running


def texts(stage: Stage, openid: str) -> list[str]:
    return [m["body"]["text"]["content"] for m in stage.sent(openid) if m["type"] == "text"]


def templates(stage: Stage, openid: str) -> list[dict[str, object]]:
    return [m["body"] for m in stage.sent(openid) if m["type"] == "template"]


@pytest.mark.parametrize("window", ["open", "closed"])
def test_scan_send_photos_ticket_notice_answer_and_query(stage: Stage, window: str) -> None:
    school = stage.school
    # the scan answers everything in one passive reply, and makes the school the parent's current one
    card = stage.scan(PARENT, following=False)
    assert school.name in card and school.inspector_name in card and school.inspector_phone in card
    # the first words open a concern and ask for the category with the authority's numbered items
    opened = stage.say(PARENT, "孩子说最近中午经常吃不饱，分量越来越少，希望督学了解一下情况")
    ticket = TICKET.search(opened)
    assert ticket is not None, opened
    number = ticket.group(0)
    assert "1. 校务管理和制度执行" in opened and "7. 食堂、食品、饮水及宿舍卫生" in opened
    # two photos join the same concern
    assert stage.photo(PARENT, photo_with_gps()) == t("concern.reply.appended_photo", ticket=number, photos=1)
    assert stage.photo(PARENT, photo_with_gps((20, 90, 200))) == t(
        "concern.reply.appended_photo", ticket=number, photos=2
    )
    if window == "closed":
        stage.close_window(INSPECTOR)
    # the category, and with it the inspector is told
    chosen = stage.say(PARENT, "7")
    assert chosen == t(
        "concern.reply.category_set",
        ticket=number,
        category="食堂、食品、饮水及宿舍卫生",
        inspector=school.inspector_name,
    )
    stage.run_jobs()
    stage.run_jobs()
    with stage.db.session() as session:
        concern = session.scalars(select(Concern)).one()
        assert (concern.ticket_no, concern.category, concern.state) == (number, "7", "received")
        assert concern.content.startswith("孩子说最近中午")
        photos = media.media_of(session, "concern", concern.id)
        assert [p.kind for p in photos] == ["image", "image"] and all(p.exif_stripped for p in photos)
        for photo in photos:
            kept = media.path_of(photo, stage.runtime.config.media_dir)
            assert kept is not None and GPS_MARK not in kept.read_bytes()
    if window == "open":
        notice = [m for m in texts(stage, INSPECTOR) if number in m]
        assert len(notice) == 1 and "吃不饱" in notice[0] and "图片：2 张" in notice[0] and PARENT not in notice[0]
        assert templates(stage, INSPECTOR) == []
    else:
        sent = templates(stage, INSPECTOR)
        assert [m["template_id"] for m in sent] == [TEMPLATES["concern_received"]]
        assert sent[0]["data"]["character_string1"]["value"] == number  # type: ignore[index]
        assert sent[0]["data"]["thing2"]["value"] == school.name  # type: ignore[index]
        assert not [m for m in texts(stage, INSPECTOR) if number in m]

    # the inspector lists, takes it up and answers by chat
    if window == "closed":
        stage.close_window(PARENT)
    listed = stage.say(INSPECTOR, "留言")
    assert number in listed and school.name in listed
    assert stage.say(INSPECTOR, f"受理 {number}").startswith(f"已受理留言 {number}")
    answer = "已到校核实，食堂已按标准调整午餐分量，并请家长代表每周陪餐监督。"
    assert stage.say(INSPECTOR, f"回复 {number.lower()} {answer}") == t("concern.inspector.answered", ticket=number)
    stage.run_jobs()
    if window == "open":
        told = texts(stage, PARENT)
        assert any(answer in m and number in m for m in told), stage.sent(PARENT)
        assert any(t("concern.reporter.acknowledged", ticket=number, school=school.name) == m for m in told)
    else:
        sent = templates(stage, PARENT)
        assert [m["template_id"] for m in sent] == [TEMPLATES["concern_acknowledged"], TEMPLATES["concern_answered"]]
        assert sent[1]["data"]["character_string1"]["value"] == number  # type: ignore[index]
        assert not any(answer in m for m in texts(stage, PARENT))
    # whatever the window, the answer is under 查询
    mine = stage.say(PARENT, "查询")
    assert number in mine and answer in mine and t("concern.state.answered") in mine
    with stage.db.session() as session:
        done = session.scalars(select(Concern)).one()
        assert done.state == "answered" and done.answer == answer and done.acknowledged_at is not None


def test_voice_and_more_text_join_the_concern_and_a_keyword_picks_the_category(stage: Stage) -> None:
    stage.scan(PARENT, following=True)
    opened = stage.say(PARENT, "学校门口放学时交通很乱，接送车辆乱停，存在安全隐患")
    number = TICKET.search(opened)
    assert number is not None and "校园及周边安全、学生交通安全" in opened
    voice_id = stage.fake.seed_media(b"#!AMR\n fake voice", "audio/amr", "v.amr")
    stage.fake.interact(PARENT)
    said = stage.sender.send(stage.sender.voice(PARENT, media_id=voice_id, recognition="希望安排交警疏导。"))
    assert said.content == t("concern.reply.appended_voice", ticket=number.group(0))
    # the user corrects the guessed category by its number
    assert stage.say(PARENT, "1") == t(
        "concern.reply.category_changed", ticket=number.group(0), category="校务管理和制度执行"
    )
    stage.run_jobs()
    with stage.db.session() as session:
        concern = session.scalars(select(Concern)).one()
        assert "希望安排交警疏导" in concern.content and concern.category == "1"
        kinds = list(session.scalars(select(Media.kind).where(Media.owner_id == concern.id)))
        assert kinds == ["voice"]
    # the inspector was told once, at once (the guessed category), not again for the correction
    assert len([m for m in texts(stage, INSPECTOR) if number.group(0) in m]) == 1


def test_without_a_scan_a_message_asks_which_school_and_says_to_scan(stage: Stage) -> None:
    # issue 11: the message is kept and the school asked (the question says to scan, as the help did)
    asked = stage.say("o-stranger", "学校食堂饭菜不好吃")
    assert asked == t("concern.school.ask") + t("concern.school.kept") and "二维码" in asked
    with stage.db.session() as session:
        assert session.scalars(select(Concern)).all() == []


def test_a_greeting_without_a_scan_gets_the_help_that_says_to_scan(stage: Stage) -> None:
    assert stage.say("o-greeter", "你好") == t("bot.help.public")
    with stage.db.session() as session:
        assert session.scalars(select(Concern)).all() == []
