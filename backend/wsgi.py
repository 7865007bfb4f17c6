"""The WSGI entry point for production: `gunicorn 'backend.wsgi:app'` (with `dudao worker` beside it).

Importing this module, and only this one, builds the app from the environment (and `.env`). Building it opens
no connection: the database and Redis are reached on the first request.
"""

from __future__ import annotations

from backend.app import create_app
from backend.config import config_from_env, load_dotenv_file
from backend.logging_setup import configure_logging
from messages import t

load_dotenv_file()
_config = config_from_env()
configure_logging(_config.log_level)  # gunicorn configures its own loggers only: ours would lose time and INFO
if _config.unsafe_secret:
    raise SystemExit(t("cli.serve.unsafe_secret"))
app = create_app(_config)
