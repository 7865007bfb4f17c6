"""The school never learns who reported. A parent reports through WeChat (with a phone number and a photo carrying
GPS and a device name in its EXIF) and through the public page; then everything the school side can receive or
see is searched for the reporter's identifiers: pushes to the school contact's openid, the contact's own chat
replies (whatever they type), the public pages and the API without a token, and the kept photo files."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from sqlalchemy import select

from backend.services import media
from backend.store.models import Media, OutboxMessage
from bot.fake_wechat import RunningFakeWeChat
from tests.e2e.concern_support import CONTACT, GPS_MARK, INSPECTOR, Stage, concern_stage, photo_with_gps

pytestmark = pytest.mark.e2e
pytest_plugins = ["tests.fake_wechat_fixture"]

REPORTER = "o-reporter-7Hq2Xk9Z"
PHONE = "13912345678"
WEB_PHONE = "13687654321"
NICKNAME = "李妈妈"  # what a reporter may be called in WeChat; we never receive it, and nothing may carry it


@pytest.fixture
def stage(sqlite_database: object, fake_wechat: RunningFakeWeChat, tmp_path: Path) -> Iterator[Stage]:
    from backend.kv import MemoryKV
    from backend.store.db import Database

    assert isinstance(sqlite_database, Database)
    with concern_stage(sqlite_database, MemoryKV(), fake_wechat, tmp_path / "instance") as running:
        yield running


def web_report(stage: Stage) -> str:
    """A concern through the public page, as a phone browser sends it."""
    http = requests.Session()
    page = http.get(f"{stage.url}/b/{stage.school.code}", timeout=10)
    token = re.search(r'name="token" value="([^"]+)"', page.text)
    assert token is not None
    done = http.post(
        f"{stage.url}/b/{stage.school.code}",
        data={
            "token": token.group(1),
            "category": "6",
            "content": "校门口接送车辆乱停，孩子过马路很危险",
            "phone": WEB_PHONE,
        },
        files={"photos": ("p.jpg", photo_with_gps((10, 120, 10)), "image/jpeg")},
        headers={"Origin": stage.url},
        timeout=10,
    )
    assert done.status_code == 201, done.text
    return done.text


def test_nothing_the_school_side_receives_or_sees_identifies_the_reporter(stage: Stage) -> None:
    school = stage.school
    stage.scan(REPORTER, following=False)
    opened = stage.say(REPORTER, f"我是{NICKNAME}的家长群里反映过的，孩子说最近中午经常吃不饱，分量越来越少")
    ticket = re.search(r"T\d{4}-\d{4}", opened)
    assert ticket is not None
    number = ticket.group(0)
    stage.photo(REPORTER, photo_with_gps())
    stage.say(REPORTER, "7")
    stage.say(REPORTER, f"电话 {PHONE}")
    web_report(stage)
    stage.run_jobs()
    stage.run_jobs()
    stage.say(INSPECTOR, f"受理 {number}")
    stage.say(INSPECTOR, f"回复 {number} 已到校核实，食堂已整改。")
    stage.run_jobs()

    # the inspector, and only the inspector, has the phone; never the openid
    to_inspector = str(stage.sent(INSPECTOR))
    assert number in to_inspector and PHONE in to_inspector and REPORTER not in to_inspector

    # everything the school side can receive or see
    seen: list[str] = []
    for typed in (
        "帮助",
        "查询",
        "留言",
        f"留言 {number}",
        f"查看 {number}",
        f"回复 {number} 看看",
        "受理 " + number,
        "电话 13800000000",
        "7",
        "学校食堂饭菜很好",
    ):
        seen.append(stage.say(CONTACT, typed))
    stage.run_jobs()
    seen.append(str(stage.sent(CONTACT)))
    with stage.db.session() as session:
        seen += [str(m.payload) for m in session.scalars(select(OutboxMessage).where(OutboxMessage.openid == CONTACT))]
    anonymous = requests.Session()
    for path in (
        f"/b/{school.code}",
        "/ticket",
        "/api/v1/schools",
        f"/api/v1/schools/{school.code}",
        "/api/v1/openapi.json",
        "/api/v1/inspectors",
    ):
        seen.append(anonymous.get(stage.url + path, timeout=10).text)
    everything = "\n".join(seen)
    assert school.name in everything  # the search does cover the school's own pages and replies
    for secret in (REPORTER, PHONE, WEB_PHONE, NICKNAME, "吃不饱", number, GPS_MARK.decode()):
        assert secret not in everything, secret
    # guessing a ticket's secret on the status page shows nothing of it (the form echoes the number typed)
    guessed = anonymous.post(stage.url + "/ticket", data={"ticket": number, "secret": "AAAAAAAA"}, timeout=10)
    assert guessed.status_code == 404
    for secret in (REPORTER, PHONE, WEB_PHONE, "吃不饱", school.name):
        assert secret not in guessed.text, secret

    # the kept photos carry no metadata (the inspector may forward them to the school)
    with stage.db.session() as session:
        kept = list(session.scalars(select(Media).where(Media.owner_type == "concern")))
        assert len(kept) == 2 and all(m.exif_stripped for m in kept)
        for m in kept:
            kept_file = media.path_of(m, stage.runtime.config.media_dir)
            assert kept_file is not None
            assert GPS_MARK not in kept_file.read_bytes() and b"Exif" not in kept_file.read_bytes()
