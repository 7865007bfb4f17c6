"""The `dudao` command line. Each command group lives in its own module and is registered here."""

from __future__ import annotations

import importlib
import logging

import click

from backend.config import config_from_env, load_dotenv_file
from backend.logging_setup import configure_logging


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("-v", "--verbose", is_flag=True, help="Log more (debug level).")
@click.pass_context
def main(ctx: click.Context, verbose: bool) -> None:
    """督导通 dudao: county education supervision through a WeChat official account."""
    load_dotenv_file()
    config = config_from_env()
    configure_logging("DEBUG" if verbose else config.log_level)
    if verbose:
        logging.getLogger("alembic").setLevel(logging.DEBUG)
    ctx.obj = config


# each module exports COMMANDS
COMMAND_MODULES = (
    "audit",
    "binding",
    "boards",
    "calendar",
    "chat",
    "checklists",
    "concerns",
    "db",
    "evaluation",
    "importing",
    "outbox",
    "privacy",
    "rectifications",
    "serve",
    "staff",
    "sweep",
    "tasks",
    "tokens",
    "users",
    "visits",
    "wechat",
)


def _register() -> None:
    for name in COMMAND_MODULES:
        for command in importlib.import_module(f"{__name__}.{name}").COMMANDS:
            main.add_command(command)


_register()
