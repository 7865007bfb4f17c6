"""The fake WeChat API server behaves as WeChat does, over real HTTP: from the CLI and in a thread."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import requests

from backend.kv import MemoryKV
from backend.notify import FallBack, GiveUp, RetryLater
from bot.fake_wechat import FakeWeChatControl, RunningFakeWeChat
from bot.wechat import WeChatClient
from tests.e2e.conftest import dudao_env, dudao_executable

pytest_plugins = ["tests.fake_wechat_fixture"]  # the fake_wechat fixtures

pytestmark = pytest.mark.e2e

USER = "o_teacher_0007"


def api(fake: RunningFakeWeChat, method: str, path: str, token: str | None = None, **kw: Any) -> dict[str, Any]:
    params = dict(kw.pop("params", {}))
    if token:
        params["access_token"] = token
    response = requests.request(method, f"{fake.base_url}/cgi-bin/{path}", params=params, timeout=5, **kw)
    assert response.status_code == 200
    return dict(response.json())


TOKEN_ERRORS = (40001, 41001, 42001)


def token(fake: RunningFakeWeChat) -> str:
    params = {"grant_type": "client_credential", "appid": fake.appid, "secret": fake.secret}
    return str(api(fake, "GET", "token", params=params)["access_token"])


def text(openid: str, content: str = "您好") -> dict[str, Any]:
    return {"touser": openid, "msgtype": "text", "text": {"content": content}}


def test_the_cli_serves_a_fake_wechat_the_client_can_use(tmp_path: Path) -> None:
    process = subprocess.Popen(
        [dudao_executable(), "fake-wechat", "--port", "0", "--appid", "wxe2eappid", "--secret", "e2e-secret"],
        cwd=tmp_path,
        env=dudao_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        first_line = process.stdout.readline()
        found = re.search(r"http://127\.0\.0\.1:\d+", first_line)
        assert found, first_line
        base = found.group(0)
        control = FakeWeChatControl(base)
        control.interact(USER)
        client = WeChatClient("wxe2eappid", "e2e-secret", api_base=base, kv=MemoryKV(), timeout=(2, 5))

        client.send_text(USER, "模拟微信已就绪")
        qr = client.create_permanent_qr("s:3301020001")

        assert [m["body"]["text"]["content"] for m in control.sent(USER)] == ["模拟微信已就绪"]
        assert qr.url.startswith("http://weixin.qq.com/q/")
        assert control.stats()["stable_token_calls"] == 1
        control.close()
        wrong = WeChatClient("wxe2eappid", "nope", api_base=base, kv=MemoryKV(), timeout=(2, 5))
        with pytest.raises(RetryLater):
            wrong.send_text(USER, "x")
    finally:
        process.terminate()
        process.communicate(timeout=10)  # also closes the pipe


def test_token_credentials_are_checked(fake_wechat: RunningFakeWeChat) -> None:
    bad_appid = api(
        fake_wechat, "GET", "token", params={"grant_type": "client_credential", "appid": "x", "secret": "y"}
    )
    assert bad_appid["errcode"] == 40013
    params = {"grant_type": "client_credential", "appid": fake_wechat.appid, "secret": "wrong"}
    assert api(fake_wechat, "GET", "token", params=params)["errcode"] == 40125
    params["secret"] = fake_wechat.secret
    good = api(fake_wechat, "GET", "token", params=params)
    assert good["expires_in"] == 7200 and good["access_token"]


def test_the_old_token_works_five_more_minutes_after_a_refresh(fake_wechat: RunningFakeWeChat) -> None:
    fake_wechat.interact(USER)
    old = token(fake_wechat)
    new = token(fake_wechat)
    assert old != new
    assert api(fake_wechat, "POST", "message/custom/send", old, json=text(USER))["errcode"] == 0

    fake_wechat.advance_clock(301)

    assert api(fake_wechat, "POST", "message/custom/send", old, json=text(USER))["errcode"] == 42001
    assert api(fake_wechat, "POST", "message/custom/send", new, json=text(USER))["errcode"] == 0


def test_a_token_expires_after_7200_seconds(fake_wechat: RunningFakeWeChat) -> None:
    current = token(fake_wechat)
    fake_wechat.advance_clock(7201)
    assert api(fake_wechat, "POST", "qrcode/create", current, json={})["errcode"] == 42001
    assert api(fake_wechat, "POST", "qrcode/create", "made-up", json={})["errcode"] == 40001
    assert api(fake_wechat, "POST", "qrcode/create", None, json={})["errcode"] == 41001


def test_the_stable_token_is_kept_unless_a_refresh_is_forced(fake_wechat: RunningFakeWeChat) -> None:
    body = {"grant_type": "client_credential", "appid": fake_wechat.appid, "secret": fake_wechat.secret}
    first = api(fake_wechat, "POST", "stable_token", json=body)
    again = api(fake_wechat, "POST", "stable_token", json=body)
    forced = api(fake_wechat, "POST", "stable_token", json={**body, "force_refresh": True})

    assert first["access_token"] == again["access_token"] != forced["access_token"]
    assert 7190 <= again["expires_in"] <= 7200
    assert fake_wechat.stats()["stable_token_calls"] == 3
    assert api(fake_wechat, "POST", "stable_token", json={**body, "secret": "x"})["errcode"] == 40125
    # a forced refresh invalidates the previous token at once, and may not come again within 30 s
    assert api(fake_wechat, "POST", "qrcode/create", first["access_token"], json={})["errcode"] == 40001
    assert api(fake_wechat, "POST", "stable_token", json={**body, "force_refresh": True})["errcode"] == 45009


def test_the_stable_token_is_renewed_in_its_last_five_minutes_and_the_old_one_still_works(
    fake_wechat: RunningFakeWeChat,
) -> None:
    body = {"grant_type": "client_credential", "appid": fake_wechat.appid, "secret": fake_wechat.secret}
    first = api(fake_wechat, "POST", "stable_token", json=body)["access_token"]
    fake_wechat.advance_clock(7200 - 299)
    renewed = api(fake_wechat, "POST", "stable_token", json=body)["access_token"]
    assert api(fake_wechat, "POST", "stable_token", json=body)["access_token"] == renewed != first
    assert api(fake_wechat, "POST", "qrcode/create", first, json={})["errcode"] not in TOKEN_ERRORS  # until it expires


def test_the_token_endpoint_and_the_stable_token_do_not_touch_each_other(fake_wechat: RunningFakeWeChat) -> None:
    body = {"grant_type": "client_credential", "appid": fake_wechat.appid, "secret": fake_wechat.secret}
    stable = api(fake_wechat, "POST", "stable_token", json=body)["access_token"]
    plain = token(fake_wechat)
    newer = token(fake_wechat)  # each /cgi-bin/token call starts a new token: the previous one has 5 minutes left
    fake_wechat.advance_clock(301)
    assert api(fake_wechat, "POST", "qrcode/create", plain, json={})["errcode"] == 42001  # its 5 minutes are up
    assert api(fake_wechat, "POST", "qrcode/create", newer, json={})["errcode"] not in TOKEN_ERRORS
    assert api(fake_wechat, "POST", "qrcode/create", stable, json={})["errcode"] not in TOKEN_ERRORS
    assert api(fake_wechat, "POST", "stable_token", json=body)["access_token"] == stable


def test_a_follow_or_scan_opens_a_one_minute_window_for_three_messages(fake_wechat: RunningFakeWeChat) -> None:
    access = token(fake_wechat)
    fake_wechat.interact(USER, kind="event")
    codes = [api(fake_wechat, "POST", "message/custom/send", access, json=text(USER))["errcode"] for _ in range(4)]
    assert codes == [0, 0, 0, 45047]

    fake_wechat.interact(USER, kind="event")
    fake_wechat.advance_clock(61)
    assert api(fake_wechat, "POST", "message/custom/send", access, json=text(USER))["errcode"] == 45015


def test_an_interaction_can_be_dated(fake_wechat: RunningFakeWeChat) -> None:
    access = token(fake_wechat)
    fake_wechat.interact(USER, at=fake_wechat.state.now() - 49 * 3600)
    assert api(fake_wechat, "POST", "message/custom/send", access, json=text(USER))["errcode"] == 45015
    fake_wechat.interact(USER, at=fake_wechat.state.now() - 47 * 3600)
    assert api(fake_wechat, "POST", "message/custom/send", access, json=text(USER))["errcode"] == 0


def test_a_repeated_client_msg_id_is_dropped_for_ten_minutes(fake_wechat: RunningFakeWeChat) -> None:
    access = token(fake_wechat)
    body = {"touser": USER, "template_id": "tpl", "data": {"thing1": {"value": "x"}}, "client_msg_id": "c1"}
    first = api(fake_wechat, "POST", "message/template/send", access, json=body)
    again = api(fake_wechat, "POST", "message/template/send", access, json=body)
    other_user = api(fake_wechat, "POST", "message/template/send", access, json={**body, "touser": "o_other_0001"})
    assert first["msgid"] == again["msgid"] != other_user["msgid"]
    assert len(fake_wechat.sent(USER)) == 1

    fake_wechat.advance_clock(601)
    late = api(fake_wechat, "POST", "message/template/send", access, json=body)
    assert late["msgid"] != first["msgid"] and len(fake_wechat.sent(USER)) == 2
    no_template = api(fake_wechat, "POST", "message/template/send", access, json={**body, "template_id": ""})
    assert no_template["errcode"] == 40037


def test_qr_codes_permanent_and_temporary(fake_wechat: RunningFakeWeChat) -> None:
    access = token(fake_wechat)
    permanent = {"action_name": "QR_LIMIT_STR_SCENE", "action_info": {"scene": {"scene_str": "s:1"}}}
    first = api(fake_wechat, "POST", "qrcode/create", access, json=permanent)
    assert "expire_seconds" not in first and first["url"].startswith("http://weixin.qq.com/q/")
    too_long = {"action_name": "QR_LIMIT_STR_SCENE", "action_info": {"scene": {"scene_str": "x" * 65}}}
    assert api(fake_wechat, "POST", "qrcode/create", access, json=too_long)["errcode"] == 40097
    temporary = {"action_name": "QR_STR_SCENE", "expire_seconds": 99 * 24 * 3600, "action_info": {"scene": {}}}
    assert api(fake_wechat, "POST", "qrcode/create", access, json=temporary)["expire_seconds"] == 30 * 24 * 3600


def test_media_upload_and_get_over_http(fake_wechat: RunningFakeWeChat) -> None:
    access = token(fake_wechat)
    files = {"media": ("v.amr", b"#!AMR voice", "audio/amr")}
    uploaded = api(fake_wechat, "POST", "media/upload", access, params={"type": "voice"}, files=files)
    assert uploaded["type"] == "voice"
    got = requests.get(
        f"{fake_wechat.base_url}/cgi-bin/media/get",
        params={"access_token": access, "media_id": uploaded["media_id"]},
        timeout=5,
    )
    assert got.content == b"#!AMR voice" and got.headers["Content-Type"] == "audio/amr"
    wrong_type = api(fake_wechat, "POST", "media/upload", access, params={"type": "pdf"}, files=files)
    assert wrong_type["errcode"] == 40004


def test_injected_failures_then_normal_answers(fake_wechat: RunningFakeWeChat) -> None:
    fake_wechat.interact(USER)
    access = token(fake_wechat)
    fake_wechat.fail("message/custom/send", errcode=-1, count=2)
    codes = [api(fake_wechat, "POST", "message/custom/send", access, json=text(USER))["errcode"] for _ in range(3)]
    assert codes == [-1, -1, 0]
    fake_wechat.fail("/cgi-bin/message/custom/send", status=503)
    response = requests.post(
        f"{fake_wechat.base_url}/cgi-bin/message/custom/send",
        params={"access_token": access},
        json=text(USER),
        timeout=5,
    )
    assert response.status_code == 503
    stats = fake_wechat.stats()
    assert stats["failures_injected"] == 3 and stats["calls"]["/cgi-bin/message/custom/send"] == 4
    assert len(fake_wechat.requests("/cgi-bin/message/custom/send")) == 4


def test_reset_forgets_everything(fake_wechat: RunningFakeWeChat) -> None:
    fake_wechat.interact(USER)
    client = WeChatClient(fake_wechat.appid, fake_wechat.secret, api_base=fake_wechat.base_url, kv=MemoryKV())
    client.send_text(USER, "x")
    fake_wechat.reset()
    assert fake_wechat.sent() == [] and fake_wechat.stats()["stable_token_calls"] == 0
    with pytest.raises(FallBack):  # the old token is unknown now (refreshed once), and so is the user's window
        client.send_text(USER, "x")
    assert fake_wechat.stats()["stable_token_calls"] == 1
    fake_wechat.set_following(USER, False)
    with pytest.raises(GiveUp):
        client.send_template(USER, "tpl", {"thing1": "x"})
