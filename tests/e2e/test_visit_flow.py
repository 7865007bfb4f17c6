"""End to end over the real webhook: a bound inspector logs visits with photos and a location, in one message
and by the dialogue; the API shows them; the finding becomes a pending rectification; 本月 counts them; a school
that is not theirs is refused; nobody unbound can log; an urgent matter reaches the office through WeChat."""

from __future__ import annotations

import io
from datetime import date

import pytest
import requests
from PIL import Image
from sqlalchemy import select

from backend.domain.kinds import RectificationState, Role
from backend.jobs.outbox_sender import send_outbox
from backend.services import binding
from backend.services.authority import current_authority
from backend.services.media import fetch_pending
from backend.services.tokens import create_token
from backend.store.models import Assignment, Inspector, Media, Rectification, Unit, Visit, WechatIdentity
from bot.fake_wechat import RunningFakeWeChat
from messages import t
from tests.e2e.webhook_support import SECRET_KEY, Webhook, seed_school

pytestmark = pytest.mark.e2e
pytest_plugins = ["tests.fake_wechat_fixture"]

SCHOOL_AT = (28.4743, 113.1964)  # 城关第一小学
SECOND_AT = (28.4635, 113.2138)  # 城关镇第二小学


def say(hook: Webhook, openid: str, text: str) -> str:
    answer = hook.sender.send(hook.sender.text(openid, text))
    assert answer.status == 200
    return answer.content


def seed(hook: Webhook) -> None:
    """城关第一小学 (from the shared helper) and 城关镇第二小学 for 王建国; 实验小学 for another inspector."""
    seed_school(hook.runtime.db)
    with hook.runtime.db.session() as session:
        authority = current_authority(session)
        wang = session.scalars(select(Inspector).where(Inspector.number == "DX001")).one()
        first = session.scalars(select(Unit).where(Unit.code == "3607010001")).one()
        first.latitude, first.longitude = SCHOOL_AT
        second = Unit(authority_id=authority.id, code="3607010002", name="城关镇第二小学", kind="primary")
        second.latitude, second.longitude = SECOND_AT
        lab = Unit(
            authority_id=authority.id, code="3607010003", name="青禾县实验小学", short_name="实验小学", kind="primary"
        )
        li = Inspector(authority_id=authority.id, number="DX002", name="李秀英", phone="13800000002")
        session.add_all([second, lab, li])
        session.flush()
        session.add_all(
            [
                Assignment(inspector_id=wang.id, unit_id=second.id, starts_on=date(2024, 9, 1)),
                Assignment(inspector_id=li.id, unit_id=lab.id, starts_on=date(2024, 9, 1)),
                WechatIdentity(openid="o-office", role=Role.OFFICE.value, last_inbound_at=hook.runtime.clock.now()),
            ]
        )


def photo_with_exif() -> bytes:
    image = Image.new("RGB", (32, 24), (200, 40, 40))
    exif = Image.Exif()
    exif[0x010F] = "InspectorPhone"  # Make
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def test_an_inspector_logs_visits_both_ways_over_the_webhook(
    hook: Webhook, fake_wechat: RunningFakeWeChat, tmp_path: object
) -> None:
    seed(hook)
    runtime = hook.runtime
    runtime.config = fake_wechat.configure(runtime.config).with_(instance_dir=tmp_path)
    db = runtime.db

    # nobody unbound can log
    stranger = say(hook, "o-stranger", "今天在城关二小看了食堂，晨检记录缺了3天，要求一周内补齐")
    assert "已记录" not in stranger
    with db.session() as session:
        assert session.scalars(select(Visit)).all() == []

    # binding through the real path
    with db.session() as session:
        code = binding.issue_code(
            session, role=Role.INSPECTOR, key="DX001", pepper=SECRET_KEY, actor="office:test"
        ).code
    assert say(hook, "o-wang", f"绑定 {code}") == t("bot.bind.bound.inspector", name="王建国")
    assert "城关镇第二小学" in say(hook, "o-wang", "我的学校")

    # one message, with a photo and a location sent first
    media_1 = fake_wechat.seed_media(photo_with_exif(), "image/jpeg", "a.jpg")
    assert hook.sender.send(hook.sender.image("o-wang", media_id=media_1)).content == t("visits.photo.pending")
    located = hook.sender.send(hook.sender.location("o-wang", lat=SECOND_AT[0] + 0.0005, lng=SECOND_AT[1]))
    assert located.content == t("visits.location.pending")
    summary = say(hook, "o-wang", "今天在城关二小，看了食堂和校门值守，晨检记录缺了3天，要求一周内补齐")
    assert "已记录" in summary and "城关镇第二小学" in summary and "照片 1 张" in summary
    assert "确认整改" in summary
    with db.session() as session:
        draft = session.scalars(select(Rectification)).one()
        assert draft.state == RectificationState.DRAFT  # pending until the inspector confirms
    assert "已发出整改通知" in say(hook, "o-wang", "确认整改")
    with db.session() as session:
        assert session.scalars(select(Rectification.state)).one() == RectificationState.ISSUED

    # the guided dialogue, voice included
    assert "第1步" in say(hook, "o-wang", "记录")
    assert "第2步" in say(hook, "o-wang", "1")
    assert "第3步" in say(hook, "o-wang", "3")
    assert "第4步" in say(hook, "o-wang", "6 7")
    voice = hook.sender.voice("o-wang", recognition="消防器材齐全，灭火器都在有效期内。")
    assert "第5步" in hook.sender.send(voice).content
    media_2 = fake_wechat.seed_media(photo_with_exif(), "image/jpeg", "b.jpg")
    assert "第 1 张" in hook.sender.send(hook.sender.image("o-wang", media_id=media_2)).content
    far = hook.sender.send(hook.sender.location("o-wang", lat=SCHOOL_AT[0] + 0.03, lng=SCHOOL_AT[1]))
    assert far.content == t("visits.dialogue.location_added")
    done = say(hook, "o-wang", "完成")
    assert "城关第一小学" in done and "随机/暗访" in done and "较远" in done

    # 本月 counts both; a school that is not theirs is refused
    assert "本月已督导 2 次，到校 2/2 所" in say(hook, "o-wang", "本月")
    assert say(hook, "o-wang", "今天在实验小学看了食堂") == t("visits.not_yours", school="青禾县实验小学")

    # an urgent matter reaches the office through WeChat
    fake_wechat.interact("o-office")
    assert "督导室" in say(hook, "o-wang", "紧急 城关二小 教学楼楼梯护栏松动")
    send_outbox(runtime)
    assert any("护栏松动" in str(m) for m in fake_wechat.sent("o-office"))

    # the photos are fetched and kept with their EXIF (staff evidence)
    fetch_pending(db, runtime.notifier, runtime.config.media_dir)
    with db.session() as session:
        kept = session.scalars(select(Media).where(Media.owner_type == "visit")).all()
        assert len(kept) == 2 and all(m.path and not m.exif_stripped for m in kept)
        with Image.open(runtime.config.media_dir / kept[0].path) as image:
            assert image.getexif().get(0x010F) == "InspectorPhone"
        token = create_token(session, "e2e")

    # the API shows them
    listed = requests.get(
        f"{hook.url}/api/v1/visits?inspector=DX001", headers={"Authorization": f"Bearer {token}"}, timeout=10
    ).json()
    assert listed["total"] == 3
    by_source = {v["source"]: v for v in listed["items"] if not v["urgent"]}
    assert by_source["chat"]["photos"] and by_source["chat"]["checkin_distance_m"] < 200
    assert by_source["chat"]["rectifications"][0]["state"] == "issued"
    assert by_source["dialogue"]["far_from_school"] and by_source["dialogue"]["items"] == ["6", "7"]
    assert by_source["dialogue"]["kind"] == "unannounced"


def test_an_open_question_survives_a_stray_reply_and_commands_still_answer(hook: Webhook) -> None:
    seed(hook)
    with hook.runtime.db.session() as session:
        code = binding.issue_code(session, role=Role.INSPECTOR, key="DX001", pepper=SECRET_KEY, actor="test").code
    say(hook, "o-wang", f"绑定 {code}")
    question = say(hook, "o-wang", "今天在城关看了食堂，晨检记录缺了3天")  # two of his schools fit: asked
    assert "请回复序号" in question and "已记录" not in question
    again = say(hook, "o-wang", "不知道")  # not an answer: the same question again, not an error
    assert "序号" in again and t("bot.error.fallback") not in again
    vague = say(hook, "o-wang", "城关的")  # still two schools: asked again, not an error
    assert "序号" in vague and t("bot.error.fallback") not in vague
    month = say(hook, "o-wang", "本月")  # a command still answers
    assert "本月还没去" in month and "请回复序号" not in month, month
    assert "城关镇第二小学" in say(hook, "o-wang", "我的学校")
    recorded = say(hook, "o-wang", "2")  # the question is still open: the answer records the visit
    assert "已记录" in recorded
    with hook.runtime.db.session() as session:
        assert len(session.scalars(select(Visit)).all()) == 1
