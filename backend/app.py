"""`create_app(config)`: the one place that wires the web, the bot and the ports together."""

from __future__ import annotations

import logging

from flask import Flask

from backend.clock import Clock
from backend.config import Config, config_from_env
from backend.runtime import Runtime

log = logging.getLogger(__name__)


def create_app(config: Config | None = None, runtime: Runtime | None = None) -> Flask:
    config = config or (runtime.config if runtime else config_from_env())
    app = Flask(__name__)
    app.config.update(SECRET_KEY=config.secret_key, MAX_CONTENT_LENGTH=20 * 1024 * 1024, JSON_AS_ASCII=False)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    register_runtime(app, runtime or build_runtime(config))
    if config.clock_offset:
        log.warning(
            "the runtime's clock is %+.0f s from the machine's (DUDAO_CLOCK_OFFSET): tests only", config.clock_offset
        )
    register_errors(app)
    register_security(app, config)
    register_blueprints(app)
    register_relative_redirects(app)
    register_metrics(app)
    if config.proxy_hops:
        register_proxy(app, config.proxy_hops)
    if config.demo:
        register_simulator(app)
    register_request_log(app)  # outermost: it times and logs every request, the proxy's fix-ups included
    return app


def build_runtime(config: Config, clock: Clock | None = None) -> Runtime:
    """The ports for `config`, with the WeChat client as the notifier (the CLI builds its runtimes here too).

    `clock` defaults to the system's; `dudao sweep --now` passes a clock set to the moment asked for.
    """
    return wire_notifier(Runtime.from_config(config, clock=clock))


def wire_notifier(runtime: Runtime) -> Runtime:
    """Give a runtime that has none the WeChat client as its notifier."""
    if runtime.notifier_factory is None:
        from bot.wechat import WeChatClient

        runtime.notifier_factory = WeChatClient.from_config
    return runtime


def register_runtime(app: Flask, runtime: Runtime) -> None:
    app.extensions["dudao"] = wire_notifier(runtime)


def register_errors(app: Flask) -> None:
    from backend.web import args
    from backend.web.errors import register

    register(app)
    args.register(app)  # before the blueprints: their `<int:...>` ids are bounded


def register_security(app: Flask, config: Config) -> None:
    """The session cookie's flags (docs/security.md). The `Server` header is the WSGI server's own: `dudao serve`
    sends `dudao` (backend/cli/serve.py), gunicorn `gunicorn`; neither names a version."""
    from backend.web import cookies

    cookies.register(app, config.public_url)


def register_blueprints(app: Flask) -> None:
    from backend.web import (
        api,
        api_rectifications,
        api_tasks,
        api_visits,
        evaluation_pages,
        health,
        home,
        office,
        privacy,
        public,
        public_results,
        task_form,
    )
    from bot import webhook

    for blueprint in (
        health.bp,
        home.bp,  # /: what this is, with the way to /public and /office
        api.bp,  # /api/v1: schools, inspectors, the OpenAPI document
        api_visits.bp,  # /api/v1/visits
        api_rectifications.bp,  # /api/v1/rectifications
        api_tasks.bp,  # /api/v1/tasks, /api/v1/tasks/<id>/results
        public.bp,  # /b/<code>: the board's page and the concern form, /ticket
        public_results.bp,  # /public: results the authority publishes
        privacy.bp,  # /privacy: the notice, and a person's request about their data
        task_form.bp,  # /f/check: a task's check form in WeChat's browser (signed links)
        evaluation_pages.bp,  # /f/evaluation: a unit's 督政 自评 in WeChat; /public/evaluations
        office.bp,  # /office: the office web
        webhook.bp,  # /wechat
    ):
        app.register_blueprint(blueprint)


def register_metrics(app: Flask) -> None:
    """`/metrics`, and the webhook's requests timed from the first hook to the last (docs/operations.md)."""
    import time

    from flask import Response, g, request

    from backend import metrics
    from backend.web import metrics as metrics_page

    app.register_blueprint(metrics_page.bp)

    @app.before_request
    def _start_timer() -> None:
        if request.path == "/wechat":
            g.wechat_started = time.perf_counter()

    @app.after_request
    def _count_webhook(response: Response) -> Response:
        started = g.pop("wechat_started", None)
        if started is not None:
            metrics.webhook_answered(request.method, response.status_code, time.perf_counter() - started)
        return response


def register_proxy(app: Flask, hops: int) -> None:
    """Behind nginx: trust `hops` proxies for the client address, scheme, host and port (per-IP limits need the
    real address; links and redirects the real host, port included)."""
    from werkzeug.middleware.proxy_fix import ProxyFix

    app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
        app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops
    )


def register_relative_redirects(app: Flask) -> None:
    """Redirects within the site carry a path, not a URL: werkzeug's own (`/office` -> `/office/`) are absolute
    and built from the Host the proxy passed on, which may have lost its port (`proxy_set_header Host $host`)."""
    from flask import Response, request

    @app.after_request
    def _relative_location(response: Response) -> Response:
        location = response.headers.get("Location")
        root = request.host_url  # scheme://host[:port]/
        if location and location.startswith(root):
            response.headers["Location"] = "/" + location[len(root) :]
        return response


def register_request_log(app: Flask) -> None:
    """One line per request: method, path without the query string, status, milliseconds (`dudao.request`)."""
    from backend.logging_setup import RequestLog

    app.wsgi_app = RequestLog(app.wsgi_app)  # type: ignore[method-assign]


def register_simulator(app: Flask) -> None:
    """`/sim`, the simulated phones: only in the demo (anyone could bind themselves through it)."""
    from bot.simulator import web

    app.register_blueprint(web.bp)
