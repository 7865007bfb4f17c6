"""`dudao chat`: talk to a running `/wechat` from the terminal, as any WeChat user, the way WeChat relays it."""

from __future__ import annotations

import sys
from collections.abc import Iterator

import click

from backend.config import DEFAULT_API_BASE, Config
from bot.fake_wechat import FakeWeChatControl
from bot.fake_wechat.pusher import WeChatPusher
from bot.simulator.chat import ChatRepl, poll_pushes
from bot.simulator.core import Simulator
from bot.simulator.demo import DemoFile
from messages import t

DEFAULT_OPENID = "o-dudao-chat-user"


@click.command()
@click.option("--url", help="The /wechat URL. Default: the running demo's (instance/demo.json), else DUDAO_PUBLIC_URL.")
@click.option("--openid", default=DEFAULT_OPENID, show_default=True, help="The WeChat user to start as.")
@click.option("--token", help="The account's Token. Default: the demo's, else DUDAO_WECHAT_TOKEN.")
@click.option("--aes-key", help="EncodingAESKey (safe mode). Default: the demo's, else DUDAO_WECHAT_AES_KEY.")
@click.option("--appid", help="The account's appid. Default: the demo's, else DUDAO_WECHAT_APPID.")
@click.option(
    "--fake-api", help="The fake WeChat API (pictures, pushes). Default: the demo's, else DUDAO_WECHAT_API_BASE."
)
@click.pass_obj
def chat(
    config: Config,
    url: str | None,
    openid: str,
    token: str | None,
    aes_key: str | None,
    appid: str | None,
    fake_api: str | None,
) -> None:
    """Chat with the official account from the terminal: plain text is a message, /help lists the commands.

    Lines are read from standard input, so a script can be piped in: `printf '帮助\\n/scan 2199010001\\n' | dudao chat`.
    """
    demo = DemoFile.read(config.instance_dir)
    if demo is not None:
        url = url or demo.wechat_url
        token = token or demo.token
        aes_key = aes_key or demo.aes_key
        appid = appid or demo.appid
        fake_api = fake_api or demo.fake_api
    url = url or f"{config.public_url}/wechat"
    token = token or config.wechat_token
    if not token:
        raise click.ClickException(t("sim.chat.no_token"))
    aes_key = aes_key or config.wechat_aes_key
    appid = appid or config.wechat_appid
    if fake_api is None and config.wechat_api_base != DEFAULT_API_BASE:
        fake_api = config.wechat_api_base
    sender = WeChatPusher(url, token=token, appid=appid, aes_key=aes_key)
    fake = FakeWeChatControl(fake_api) if fake_api else None
    repl = ChatRepl(Simulator(sender, fake), openid, out=click.echo)
    interactive = sys.stdin.isatty()
    stop = poll_pushes(repl) if interactive and fake else None
    try:
        repl.run(_lines(interactive), echo=not interactive)
    finally:
        if stop is not None:
            stop.set()
        sender.http.close()
        if fake is not None:
            fake.close()


def _lines(interactive: bool) -> Iterator[str]:
    """Standard input line by line, with a prompt when a person is typing."""
    while True:
        try:
            line = input("> ") if interactive else sys.stdin.readline()
        except EOFError:
            return
        if not interactive and line == "":
            return
        yield line


COMMANDS = [chat]
