"""The media job: keep what users sent before WeChat forgets it (3 days)."""

from __future__ import annotations

from backend.jobs import Job
from backend.runtime import Runtime
from backend.services.media import fetch_pending


def fetch_media(runtime: Runtime) -> int:
    if not runtime.config.wechat_appid:
        return 0
    return fetch_pending(runtime.db, runtime.notifier, runtime.config.media_dir)


JOB = Job(name="media", every_seconds=3.0, run=fetch_media)
