"""The fake WeChat API server: WeChat's answers for the calls dudao makes, plus `/_fake/` controls for tests.

API (as WeChat): `/cgi-bin/token`, `/cgi-bin/stable_token`, `/cgi-bin/message/custom/send`,
`/cgi-bin/message/template/send`, `/cgi-bin/qrcode/create`, `/cgi-bin/media/get`, `/cgi-bin/media/upload`;
the user tags (`tags/create`, `tags/get`, `tags/members/batchtagging`, `tags/members/batchuntagging`,
`tags/getidlist`) and the menus (`menu/create`, `menu/addconditional`, `menu/delconditional`, `menu/get`,
`menu/delete`, `menu/trymatch`: a conditional menu matched on the user's tags, newest first).
Controls: `POST /_fake/interaction {openid, at?, kind?}`, `POST /_fake/follow {openid, following}`,
`GET /_fake/sent?openid=`, `GET /_fake/menu?openid=` (the menu that user sees, and their tags),
`GET /_fake/requests?path=`, `GET /_fake/stats`,
`POST /_fake/fail {path, count?, errcode?, delay?, status?}`, `POST /_fake/token/expire`,
`POST /_fake/token/invalidate`, `POST /_fake/media {content_base64, content_type, filename?, media_id?}`,
`POST /_fake/clock {advance}`, `POST /_fake/reset`.
"""

from __future__ import annotations

import base64
import time
from datetime import datetime
from typing import Any

from flask import Flask, Response, jsonify, request

from bot.fake_wechat.state import Failure, FakeWeChat, WeChatError

DEFAULT_APPID = "wxfakeappid000001"
DEFAULT_SECRET = "fake-secret"  # noqa: S105 - the fake server's own credential


def _error(code: int, message: str) -> Response:
    # WeChat answers errors with HTTP 200 and an errcode
    return jsonify({"errcode": code, "errmsg": message})


def _ok(result: dict[str, Any]) -> Response:
    return jsonify({"errcode": 0, "errmsg": "ok", **result})


def _body() -> dict[str, Any]:
    body = request.get_json(force=True, silent=True)
    return body if isinstance(body, dict) else {}


def _parse_at(value: Any) -> float | None:
    if value in (None, ""):
        return None
    if isinstance(value, int | float):
        return float(value)
    return datetime.fromisoformat(str(value)).timestamp()


def create_fake_app(appid: str = DEFAULT_APPID, secret: str = DEFAULT_SECRET, state: FakeWeChat | None = None) -> Flask:
    """The fake server's Flask app; its `FakeWeChat` is at `app.extensions["fake_wechat"]`."""
    fake = state or FakeWeChat(appid, secret)
    app = Flask(__name__)
    app.extensions["fake_wechat"] = fake

    @app.before_request
    def record_and_inject() -> Response | None:
        if not request.path.startswith("/cgi-bin/"):
            return None
        # multipart uploads are recorded without their content (request.files parses them first)
        body = _body() if request.method == "POST" and not request.files else None
        failure = fake.record(request.method, request.path, dict(request.args), body)
        if failure is None:
            return None
        if failure.delay:
            time.sleep(failure.delay)  # outside the state's lock: other calls go on meanwhile
        if failure.status:
            return Response("injected failure", status=failure.status)
        if failure.errcode is not None:
            return _error(failure.errcode, "injected failure")
        return None

    @app.errorhandler(WeChatError)
    def wechat_error(exc: WeChatError) -> Response:
        return _error(exc.code, exc.message)

    def authorised() -> None:
        fake.check_token(request.args.get("access_token"))

    # --- the API ---

    @app.get("/cgi-bin/token")
    def token() -> Response:
        args = request.args
        return jsonify(fake.token(args.get("appid", ""), args.get("secret", ""), args.get("grant_type", "")))

    @app.post("/cgi-bin/stable_token")
    def stable_token() -> Response:
        body = _body()
        result = fake.stable_token(
            str(body.get("appid", "")),
            str(body.get("secret", "")),
            str(body.get("grant_type", "")),
            bool(body.get("force_refresh", False)),
        )
        return jsonify(result)

    @app.post("/cgi-bin/message/custom/send")
    def custom_send() -> Response:
        authorised()
        return _ok(fake.custom_send(_body()))

    @app.post("/cgi-bin/message/template/send")
    def template_send() -> Response:
        authorised()
        return _ok(fake.template_send(_body()))

    @app.post("/cgi-bin/qrcode/create")
    def qrcode_create() -> Response:
        authorised()
        return jsonify(fake.qrcode_create(_body()))

    @app.get("/cgi-bin/media/get")
    def media_get() -> Response:
        authorised()
        media = fake.get_media(request.args.get("media_id", ""))
        return Response(
            media.content,
            content_type=media.content_type,
            headers={"Content-Disposition": f'attachment; filename="{media.filename}"'},
        )

    @app.post("/cgi-bin/media/upload")
    def media_upload() -> Response:
        authorised()
        kind = request.args.get("type", "")
        if kind not in ("image", "voice", "video", "thumb"):
            raise WeChatError(40004, "invalid media type")
        upload = request.files.get("media")
        if upload is None:
            raise WeChatError(41005, "media data missing")
        content = upload.read()
        media_id = fake.store_media(content, upload.mimetype or "application/octet-stream", upload.filename or "")
        return jsonify({"type": kind, "media_id": media_id, "created_at": int(fake.now())})

    @app.post("/cgi-bin/tags/create")
    def tags_create() -> Response:
        authorised()
        return jsonify(fake.tags_create(_body()))

    @app.get("/cgi-bin/tags/get")
    def tags_get() -> Response:
        authorised()
        return jsonify(fake.tags_get())

    @app.post("/cgi-bin/tags/members/batchtagging")
    def batch_tagging() -> Response:
        authorised()
        return _ok(fake.batch_tagging(_body()))

    @app.post("/cgi-bin/tags/members/batchuntagging")
    def batch_untagging() -> Response:
        authorised()
        return _ok(fake.batch_untagging(_body()))

    @app.post("/cgi-bin/tags/getidlist")
    def tags_of_user() -> Response:
        authorised()
        return jsonify({"tagid_list": fake.tag_ids_of(str(_body().get("openid", "")))})

    @app.post("/cgi-bin/menu/create")
    def menu_create() -> Response:
        authorised()
        return _ok(fake.menu_create(_body()))

    @app.post("/cgi-bin/menu/addconditional")
    def menu_add_conditional() -> Response:
        authorised()
        return jsonify(fake.menu_add_conditional(_body()))

    @app.post("/cgi-bin/menu/delconditional")
    def menu_delete_conditional() -> Response:
        authorised()
        return _ok(fake.menu_delete_conditional(_body()))

    @app.get("/cgi-bin/menu/get")
    def menu_get() -> Response:
        authorised()
        return jsonify(fake.menu_get())

    @app.get("/cgi-bin/menu/delete")
    def menu_delete() -> Response:
        authorised()
        return _ok(fake.menu_delete())

    @app.post("/cgi-bin/menu/trymatch")
    def menu_trymatch() -> Response:
        authorised()
        return jsonify(fake.menu_trymatch(_body()))

    # --- the controls ---

    @app.post("/_fake/interaction")
    def interaction() -> Response:
        body = _body()
        fake.interaction(str(body["openid"]), _parse_at(body.get("at")), str(body.get("kind", "message")))
        return jsonify({"ok": True})

    @app.post("/_fake/follow")
    def follow() -> Response:
        body = _body()
        fake.set_following(str(body["openid"]), bool(body.get("following", True)))
        return jsonify({"ok": True})

    @app.get("/_fake/sent")
    def sent() -> Response:
        return jsonify(fake.sent_to(request.args.get("openid")))

    @app.get("/_fake/requests")
    def requests_made() -> Response:
        path = request.args.get("path")
        with fake.lock:
            made = [r for r in fake.requests if path is None or r["path"] == path]
        return jsonify(made)

    @app.get("/_fake/menu")
    def menu_of_user() -> Response:
        """The menu `openid` sees (by their tags), and the names of their tags; `{"button": null}` without menus."""
        openid = request.args.get("openid", "")
        with fake.lock:
            names = [fake.tags.get(i, str(i)) for i in sorted(fake.user_tags.get(openid, set()))]
            return jsonify({"button": fake.menu_for(openid), "tags": names})

    @app.get("/_fake/stats")
    def stats() -> Response:
        return jsonify(fake.stats())

    @app.post("/_fake/fail")
    def fail() -> Response:
        body = _body()
        path = str(body["path"])
        path = path if path.startswith("/") else f"/cgi-bin/{path}"
        errcode = body.get("errcode")
        failure = Failure(
            errcode=None if errcode is None else int(errcode),
            delay=float(body.get("delay", 0)),
            status=None if body.get("status") is None else int(body["status"]),
        )
        fake.fail(path, int(body.get("count", 1)), failure)
        return jsonify({"ok": True, "path": path})

    @app.post("/_fake/token/expire")
    def expire_token() -> Response:
        fake.expire_token()
        return jsonify({"ok": True})

    @app.post("/_fake/token/invalidate")
    def invalidate_token() -> Response:
        fake.invalidate_tokens()
        return jsonify({"ok": True})

    @app.post("/_fake/media")
    def seed_media() -> Response:
        body = _body()
        content = base64.b64decode(str(body["content_base64"]))
        media_id = fake.store_media(
            content, str(body.get("content_type", "image/jpeg")), str(body.get("filename", "")), body.get("media_id")
        )
        return jsonify({"media_id": media_id})

    @app.post("/_fake/clock")
    def clock() -> Response:
        with fake.lock:
            fake.clock_offset += float(_body().get("advance", 0))
        return jsonify({"now": fake.now()})

    @app.post("/_fake/reset")
    def reset() -> Response:
        fake.reset()
        return jsonify({"ok": True})

    return app
