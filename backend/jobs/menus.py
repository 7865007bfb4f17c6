"""The menu job: the account's menus pushed whenever their version changes (and checked again every few hours).

Without an appid, or with a WeChat client that has no menu API, it does nothing. `DUDAO_WECHAT_MENUS=off` leaves
the account's menus to someone else (see docs/wechat.md).
"""

from __future__ import annotations

import logging

from backend.jobs import Job
from backend.notify import AccountMenus
from backend.runtime import Runtime
from backend.services.menus import PushReport, ensure_menus

log = logging.getLogger(__name__)

EVERY_SECONDS = 300.0


def keep_menus(runtime: Runtime) -> PushReport | None:
    config = runtime.config
    if not config.wechat_appid or not config.wechat_menus:
        return None
    api = runtime.notifier
    if not isinstance(api, AccountMenus):
        return None
    report = ensure_menus(runtime.db, api, runtime.kv, config.wechat_appid, config.public_url)
    if report is not None:
        log.info("menus: version %s pushed, %d bound user(s) queued for their tag", report.digest, report.queued)
    return report


JOB = Job(name="menus", every_seconds=EVERY_SECONDS, run=keep_menus)
