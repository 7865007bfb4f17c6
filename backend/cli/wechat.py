"""`dudao fake-wechat` (the fake WeChat API server) and `dudao wechat ...` (the outbound client by hand)."""

from __future__ import annotations

import click

from backend.app import build_runtime
from backend.config import Config
from backend.notify import NotifyError
from backend.runtime import Runtime
from bot.wechat import WeChatClient
from messages import t
from messages.templates import TEMPLATE_FIELDS


@click.command("fake-wechat")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=int, default=8901, show_default=True, help="Port to listen on (0: any free port).")
@click.option("--appid", default=None, help="The appid it accepts (default: DUDAO_WECHAT_APPID, else a fake one).")
@click.option("--secret", default=None, help="The secret it accepts (default: DUDAO_WECHAT_SECRET, else a fake one).")
@click.pass_obj
def fake_wechat(config: Config, host: str, port: int, appid: str | None, secret: str | None) -> None:
    """Run the fake WeChat API server (point DUDAO_WECHAT_API_BASE at it)."""
    from werkzeug.serving import make_server

    from bot.fake_wechat import DEFAULT_APPID, DEFAULT_SECRET, create_fake_app

    appid = appid or config.wechat_appid or DEFAULT_APPID
    secret = secret or config.wechat_secret or DEFAULT_SECRET
    server = make_server(host, port, create_fake_app(appid, secret), threaded=True)
    click.echo(t("wechat.cli.fake_listening", url=f"http://{server.host}:{server.port}", appid=appid))
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


@click.group("wechat")
def wechat() -> None:
    """The outbound WeChat client: QR codes, the outbox, the menus, the template configuration."""


def _client(config: Config, runtime: Runtime) -> WeChatClient:
    if not config.wechat_appid or not config.wechat_secret:
        raise click.ClickException(t("wechat.cli.not_configured"))
    return WeChatClient.from_config(config, runtime.kv)


@wechat.command("qr")
@click.argument("scene")
@click.pass_obj
def qr(config: Config, scene: str) -> None:
    """Create (or fetch again) the permanent QR code of SCENE and print the content to draw."""
    runtime = build_runtime(config)
    try:
        code = _client(config, runtime).create_permanent_qr(scene)
    except (NotifyError, ValueError) as exc:
        raise click.ClickException(t("wechat.cli.failed", error=exc)) from exc
    finally:
        runtime.close()
    click.echo(t("wechat.cli.qr", scene=scene, url=code.url))


@wechat.command("send-outbox")
@click.option("--batch", type=int, default=50, show_default=True, help="How many messages to claim.")
@click.pass_obj
def send_outbox(config: Config, batch: int) -> None:
    """Send the due outbox messages once (what the worker does every 2 seconds)."""
    from backend.services.outbox import send_due

    runtime = build_runtime(config)
    try:
        report = send_due(runtime.db, _client(config, runtime), batch=batch, templates=config.templates, kv=runtime.kv)
    finally:
        runtime.close()
    click.echo(
        t(
            "wechat.cli.outbox_sent",
            sent=report.sent,
            retried=report.retried,
            fell_back=report.fell_back,
            given_up=report.given_up,
        )
    )


@wechat.command("menu")
@click.option("--show", is_flag=True, help="Print the menus as they would be pushed, and push nothing.")
@click.pass_obj
def menu(config: Config, show: bool) -> None:
    """Push the account's menus: the public menu, and a menu per role (督学, 单位, 督导室) through user tags.

    Re-running replaces them. Every bound user is queued for their role's tag (the worker sends it).
    """
    from backend.domain.menus import MenuOutOfLimits, menu_set
    from backend.services.menus import push_and_retag

    try:
        menus = menu_set(config.public_url)
    except MenuOutOfLimits as exc:
        raise click.ClickException(t("menu.cli.invalid", error=exc)) from exc
    if show:
        shown = [(t("bot.role.public"), "-", menus.default)]
        shown += [(t(f"bot.role.{role}"), tag, buttons) for role, (tag, buttons) in menus.by_role.items()]
        for role_name, tag, buttons in shown:
            click.echo(t("menu.cli.show_role", role=role_name, tag=tag))
            for button in buttons:
                _echo_button(button, "  ")
        return
    runtime = build_runtime(config)
    try:
        report = push_and_retag(
            runtime.db, _client(config, runtime), runtime.kv, config.wechat_appid, config.public_url
        )
    except NotifyError as exc:
        raise click.ClickException(t("menu.cli.failed", error=exc)) from exc
    finally:
        runtime.close()
    tags = "、".join(f"{t(f'menu.tag.{role}')}={tag_id}" for role, tag_id in report.tags.items())
    if report.conditional_refused:
        click.echo(t("menu.cli.default_only"))
        return
    click.echo(
        t("menu.cli.pushed", conditional=report.conditional, deleted=report.deleted, tags=tags, queued=report.queued)
    )


def _echo_button(button: dict[str, object], indent: str) -> None:
    target = f"  [{button['key']}]" if "key" in button else f"  {button['url']}" if "url" in button else ""
    click.echo(t("menu.cli.show_button", indent=indent, name=button["name"], target=target))
    for sub in button.get("sub_button") or []:  # type: ignore[attr-defined]
        _echo_button(sub, indent + "    ")


@wechat.command("templates")
@click.pass_obj
def templates(config: Config) -> None:
    """List the notice kinds and whether each has a template id configured."""
    from backend.services.outbox import template_env

    for notice in TEMPLATE_FIELDS:
        template_id = config.templates.get(notice)
        status = (
            t("wechat.cli.template_set", template_id=template_id)
            if template_id
            else t("wechat.cli.template_missing", env=template_env(notice))
        )
        click.echo(t("wechat.cli.template_row", notice=notice, label=t(f"notice.{notice}"), status=status))


COMMANDS: list[click.Command] = [fake_wechat, wechat]
