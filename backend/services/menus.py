"""The account's menus kept true: pushed when their version changes, users tagged as they bind and unbind.

Menus (`backend.domain.menus`): the public default menu, and per bound role a conditional menu matched on that
role's user tag. `push_menus` replaces them all (re-running is harmless: it adds the new conditional menus first,
then deletes the old ones, so a tagged user never falls back to the default menu meanwhile). `ensure_menus`,
run by the worker, pushes only when the stored version (the menus' digest, in the key-value store) differs, and
then queues a tag check for every bound user.

Tagging goes through the outbox (kind `menu_tag`, payload `{"role": ...}`), written in the transaction of the
binding change, so it is retried like any push and sent once: `sync_user_tags` makes the user's role tags what
the payload says (untag the others, tag the one), reading the user's tags first, so a retry that finds the work
done does nothing. A row that a newer row for the same user supersedes is marked sent without a call.
"""

from __future__ import annotations

import contextlib
import json
import logging
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.domain.kinds import Role
from backend.domain.menus import TAGGED_ROLES, MenuSet, menu_set, tag_name
from backend.kv import KV, KVUnavailable
from backend.notify import API_UNAUTHORIZED, INVALID_TAG_ID, AccountMenus, NotifyError, RetryLater
from backend.services import outbox
from backend.store.db import Database
from backend.store.models import OutboxMessage, WechatIdentity

log = logging.getLogger(__name__)

KIND = "menu_tag"
TAGS_TTL = 24 * 3600.0  # the role -> tag id cache (tags/get is the truth)
VERSION_TTL = 6 * 3600.0  # the pushed version is checked against WeChat again after this long
PUSH_LOCK_TTL = 120.0


def _tags_key(appid: str) -> str:
    return f"wechat:menu-tags:{appid}"


def _version_key(appid: str) -> str:
    return f"wechat:menu-version:{appid}"


# --- tags ---


def role_tags(api: AccountMenus, kv: KV | None, appid: str, *, fresh: bool = False) -> dict[str, int]:
    """The tag id of each bound role's tag, creating the tags that do not exist yet; cached in `kv`."""
    if kv is not None and not fresh:
        try:
            cached = kv.get(_tags_key(appid))
        except KVUnavailable:
            cached = None
        if cached:
            found = json.loads(cached)
            if isinstance(found, dict) and set(found) == set(TAGGED_ROLES):
                return {str(role): int(tag_id) for role, tag_id in found.items()}
    existing = api.get_tags()
    ids = {}
    for role in TAGGED_ROLES:
        name = tag_name(role)
        if name not in existing:
            try:
                existing[name] = api.create_tag(name)
            except NotifyError:
                existing = api.get_tags()  # another worker created it meanwhile (45157), or a real refusal
                if name not in existing:
                    raise
        ids[role] = existing[name]
    if kv is not None:
        with contextlib.suppress(KVUnavailable):
            kv.set(_tags_key(appid), json.dumps(ids), ttl=TAGS_TTL)
    return ids


def sync_user_tags(api: AccountMenus, kv: KV | None, appid: str, openid: str, role: str) -> tuple[int, int]:
    """Give `openid` exactly the role tag of `role` (none for the public); (tagged, untagged) calls made."""
    try:
        tags = role_tags(api, kv, appid)
        want = tags.get(role)
        ours = set(tags.values())
        have = set(api.user_tags(openid))
        untag = sorted((have & ours) - {want})
        for tag_id in untag:
            api.untag_users(tag_id, [openid])
        tagged = 0
        if want is not None and want not in have:
            api.tag_users(want, [openid])
            tagged = 1
    except NotifyError as exc:
        if exc.code == INVALID_TAG_ID and kv is not None:  # a tag deleted in the console: look them up again
            kv.delete(_tags_key(appid))
            raise RetryLater(str(exc), code=exc.code, path=exc.path) from exc
        if exc.code == API_UNAUTHORIZED:  # an account without tags (not verified): everyone has the default menu
            log.info("menu tag for %s not set: the account may not use tags (%s)", openid, exc)
            return 0, 0
        raise
    return tagged, len(untag)


def queue_tag_sync(session: Session, *, openid: str, role: str, cause: str) -> bool:
    """An outbox row that makes `openid`'s menu tag match `role`; `cause` makes its dedupe key (one per change)."""
    return outbox.enqueue(
        session, openid=openid, kind=KIND, payload={"role": role}, dedupe_key=f"{KIND}:{openid}:{cause}"
    )


def superseded(db: Database, message_id: int, openid: str) -> int | None:
    """A newer tag row for the same user, which makes row `message_id` moot (its role is out of date)."""
    with db.session() as session:
        return session.scalar(
            select(OutboxMessage.id)
            .where(OutboxMessage.openid == openid, OutboxMessage.kind == KIND, OutboxMessage.id > message_id)
            .order_by(OutboxMessage.id.desc())
            .limit(1)
        )


# --- menus ---


@dataclass
class PushReport:
    digest: str
    tags: dict[str, int]
    conditional: int
    deleted: int
    queued: int = 0
    menuids: list[str] = field(default_factory=list)
    conditional_refused: bool = False  # 48001: the account may not use tags (not verified)


def push_menus(api: AccountMenus, kv: KV | None, appid: str, public_url: str) -> PushReport:
    """Push every menu now (the default one, then a conditional menu per role tag), replacing what was there.

    An account that may not use tags and conditional menus (48001: not verified) keeps the default menu only.
    """
    menus: MenuSet = menu_set(public_url)
    before = api.get_menu()
    old = [str(m["menuid"]) for m in before.get("conditionalmenu") or [] if m.get("menuid") is not None]
    api.create_menu(menus.default)
    tags: dict[str, int] = {}
    added: list[str] = []
    refused = False
    try:
        tags = role_tags(api, kv, appid, fresh=True)
        added = [
            api.add_conditional_menu(buttons, {"tag_id": str(tags[role])})
            for role, (_, buttons) in menus.by_role.items()
        ]
    except NotifyError as exc:
        if exc.code != API_UNAUTHORIZED:
            raise
        log.warning("menus: the account may not use tags or conditional menus (%s); default menu only", exc)
        refused = True
    deleted = 0
    for menuid in old:  # after the new ones: WeChat matches the newest first, so nobody sees a gap
        if menuid not in added and not refused:
            api.delete_conditional_menu(menuid)
            deleted += 1
    if kv is not None:
        with contextlib.suppress(KVUnavailable):
            kv.set(_version_key(appid), menus.digest, ttl=VERSION_TTL)
    log.info("menus pushed: version %s, %d conditional menus, %d old ones deleted", menus.digest, len(added), deleted)
    return PushReport(menus.digest, tags, len(added), deleted, menuids=added, conditional_refused=refused)


def queue_all_bound(db: Database, digest: str) -> int:
    """A tag check for every bound user (once per menu version): users bound before the menus existed get theirs."""
    with db.session() as session:
        rows = session.execute(
            select(WechatIdentity.openid, WechatIdentity.role).where(WechatIdentity.role != Role.PUBLIC.value)
        ).all()
        queued = sum(queue_tag_sync(session, openid=openid, role=role, cause=f"v{digest}") for openid, role in rows)
    return queued


def push_and_retag(db: Database, api: AccountMenus, kv: KV | None, appid: str, public_url: str) -> PushReport:
    """`dudao wechat menu`: push the menus and queue a tag check for every bound user."""
    report = push_menus(api, kv, appid, public_url)
    if not report.conditional_refused:
        report.queued = queue_all_bound(db, report.digest)
    return report


def ensure_menus(db: Database, api: AccountMenus, kv: KV, appid: str, public_url: str) -> PushReport | None:
    """The worker's check: push the menus when the stored version is not the current one (else nothing)."""
    digest = menu_set(public_url).digest
    if kv.get(_version_key(appid)) == digest:
        return None
    with kv.lock(f"wechat:menu-push:{appid}", ttl=PUSH_LOCK_TTL):
        if kv.get(_version_key(appid)) == digest:  # another worker did it while we waited
            return None
        return push_and_retag(db, api, kv, appid, public_url)


__all__ = [
    "KIND",
    "PushReport",
    "ensure_menus",
    "push_and_retag",
    "push_menus",
    "queue_all_bound",
    "queue_tag_sync",
    "role_tags",
    "superseded",
    "sync_user_tags",
]
