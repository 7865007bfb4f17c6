"""Configuration from the environment (and a `.env` file): the one place that reads `DUDAO_*`."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

DEFAULT_API_BASE = "https://api.weixin.qq.com"
DEV_SECRET_KEY = "dev-not-secret"  # noqa: S105 - the built-in development secret: never served outside the demo


def _instance_dir() -> Path:
    return Path(os.environ.get("DUDAO_INSTANCE_DIR", "instance")).resolve()


@dataclass(frozen=True)
class Config:
    database_url: str
    redis_url: str | None = None
    secret_key: str = DEV_SECRET_KEY  # replaced by DUDAO_SECRET_KEY in any real deployment
    public_url: str = "http://127.0.0.1:5000"
    wechat_appid: str = ""
    wechat_secret: str = ""
    wechat_token: str = ""
    wechat_aes_key: str | None = None
    wechat_api_base: str = DEFAULT_API_BASE
    wechat_menus: bool = True  # the worker keeps the account's menus (DUDAO_WECHAT_MENUS=off: someone else does)
    instance_dir: Path = field(default_factory=_instance_dir)
    demo: bool = False
    run_worker: bool = False
    testing: bool = False
    proxy_hops: int = 0  # proxies in front of the app (nginx: 1); their X-Forwarded-* headers are trusted
    # seconds between the runtime's clock and the machine's: 0 in production; set by tests for the processes they
    # start, so that a `dudao worker` or `dudao serve` runs on the test's pinned clock
    clock_offset: float = 0.0
    # issue 17: /healthz answers 503 when fewer workers beat than expected (the serve thread counts as one), or when
    # a due push has waited longer than `health_backlog_seconds`; /metrics wants this token unless asked on loopback
    workers_expected: int = 0
    health_backlog_seconds: float = 300.0
    metrics_token: str = ""
    # template ids per notice kind, e.g. DUDAO_TEMPLATE_CONCERN_RECEIVED=<id>; see README
    templates: dict[str, str] = field(default_factory=dict)
    log_level: str = "INFO"  # DUDAO_LOG_LEVEL: DEBUG, INFO, WARNING or ERROR (backend/logging_setup.py)
    # issue 16 (等保): an office session ends after this many minutes without a request, and this many hours after
    # its sign-in whatever happens (DUDAO_OFFICE_IDLE_MINUTES, DUDAO_OFFICE_SESSION_HOURS)
    office_idle_minutes: float = 30.0
    office_session_hours: float = 12.0
    # a password older than this many days must be changed at the next sign-in (0: never; 等保 asks 定期更换: 90)
    office_password_days: int = 0

    @property
    def unsafe_secret(self) -> bool:
        """The built-in development secret (or a short one) outside the demo: sessions, form tokens and bind
        codes could be forged by anyone who read the source."""
        return not self.demo and (self.secret_key == DEV_SECRET_KEY or len(self.secret_key) < 16)

    @property
    def safe_mode(self) -> bool:
        return bool(self.wechat_aes_key)

    @property
    def media_dir(self) -> Path:
        return self.instance_dir / "media"

    def with_(self, **changes: Any) -> Config:
        return replace(self, **changes)


def load_dotenv_file(path: str | Path = ".env") -> None:
    """Read `.env` into the environment without overriding what is already set."""
    from dotenv import load_dotenv

    load_dotenv(path, override=False)


def config_from_env(env: dict[str, str] | None = None, **overrides: Any) -> Config:
    env = dict(os.environ if env is None else env)
    instance = Path(env.get("DUDAO_INSTANCE_DIR", "instance")).resolve()
    templates = {
        k.removeprefix("DUDAO_TEMPLATE_").lower(): v for k, v in env.items() if k.startswith("DUDAO_TEMPLATE_")
    }
    cfg = Config(
        database_url=env.get("DUDAO_DATABASE_URL") or f"sqlite:///{instance / 'dudao.sqlite3'}",
        redis_url=env.get("DUDAO_REDIS_URL") or None,
        secret_key=env.get("DUDAO_SECRET_KEY") or DEV_SECRET_KEY,
        public_url=env.get("DUDAO_PUBLIC_URL", "http://127.0.0.1:5000").rstrip("/"),
        wechat_appid=env.get("DUDAO_WECHAT_APPID", ""),
        wechat_secret=env.get("DUDAO_WECHAT_SECRET", ""),
        wechat_token=env.get("DUDAO_WECHAT_TOKEN", ""),
        wechat_aes_key=env.get("DUDAO_WECHAT_AES_KEY") or None,
        wechat_api_base=env.get("DUDAO_WECHAT_API_BASE", DEFAULT_API_BASE).rstrip("/"),
        wechat_menus=(env.get("DUDAO_WECHAT_MENUS") or "on").strip().lower() not in ("off", "0", "false", "no"),
        instance_dir=instance,
        proxy_hops=int(env.get("DUDAO_PROXY_HOPS") or 0),
        clock_offset=float(env.get("DUDAO_CLOCK_OFFSET") or 0),
        workers_expected=int(env.get("DUDAO_WORKERS_EXPECTED") or 0),
        health_backlog_seconds=float(env.get("DUDAO_HEALTH_BACKLOG_SECONDS") or 300),
        metrics_token=env.get("DUDAO_METRICS_TOKEN", ""),
        templates=templates,
        log_level=(env.get("DUDAO_LOG_LEVEL") or "INFO").upper(),
        office_idle_minutes=float(env.get("DUDAO_OFFICE_IDLE_MINUTES") or 30),
        office_session_hours=float(env.get("DUDAO_OFFICE_SESSION_HOURS") or 12),
        office_password_days=int(env.get("DUDAO_OFFICE_PASSWORD_DAYS") or 0),
    )
    return cfg.with_(**overrides) if overrides else cfg
