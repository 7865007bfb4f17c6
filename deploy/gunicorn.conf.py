"""gunicorn's settings for dudao, installed as /etc/dudao/gunicorn.conf.py and read by dudao-web.service
(`gunicorn -c /etc/dudao/gunicorn.conf.py backend.wsgi:app`). A command-line option overrides the value here
(the e2e test passes `--bind`).
Sizing: about two sync workers per core; every worker holds up to 30 pooled PostgreSQL connections (pool 10 +
overflow 20), so keep workers x 30 (plus the `dudao worker` processes) under PostgreSQL's `max_connections`.
Threaded workers gave much worse tail latency in bench/webhook.py: keep `sync`.
"""

import multiprocessing
import os

# nginx proxies to this address only (deploy/nginx/dudao.conf); never expose it
bind = os.environ.get("DUDAO_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("DUDAO_WEB_WORKERS") or min(2 * multiprocessing.cpu_count(), 8))
worker_class = "sync"
backlog = 2048
# WeChat gives up on /wechat after 5 s and the webhook answers within its own budget; 10 s ends a stuck
# request (a board PDF of a whole county is made by `dudao boards`, not on a request)
timeout = 10
graceful_timeout = 10  # SIGTERM / a HUP: requests in flight finish first (TimeoutStopSec in the unit is longer)
keepalive = 5  # nginx keeps connections to us open (upstream keepalive)
max_requests = 10000
max_requests_jitter = 1000
worker_tmp_dir = "/dev/shm"  # noqa: S108 - the heartbeat file: never on a slow disk
forwarded_allow_ips = "127.0.0.1"  # only nginx, on this machine, may say who the client is
# gunicorn 25+ opens a control socket in $HOME/.gunicorn; systemd's signals (HUP, TERM) are all we use
control_socket_disable = True

# Logging. The app writes one line per request itself (`dudao.request`: method, path WITHOUT the query string,
# status, milliseconds; under `dudao serve` too), so gunicorn's own access log stays off (`gunicorn.access` at
# WARNING below): one line per request. If you turn it on instead, keep `%(U)s` (the path), never `%(r)s`,
# `%(q)s` or `%(f)s`: they carry the query string (WeChat's signature, the user's openid) or a page's URL.
accesslog = None
access_log_format = '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'
errorlog = "-"  # stderr: journald keeps it (journalctl -u dudao-web)
loglevel = "info"
capture_output = False

# gunicorn's own lines (boot, workers, timeouts) in the app's format: time, level, logger, message
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "dudao": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s", "datefmt": "%Y-%m-%dT%H:%M:%S%z"}
    },
    "handlers": {
        "stderr": {"class": "logging.StreamHandler", "formatter": "dudao", "stream": "ext://sys.stderr"},
    },
    # the app's loggers get their handler from backend/wsgi.py (backend/logging_setup.py), in each worker
    "root": {"level": "INFO", "handlers": []},
    "loggers": {
        "gunicorn.error": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
        "gunicorn.access": {"handlers": ["stderr"], "level": "WARNING", "propagate": False},
    },
}

# the app is built in each worker (backend/wsgi.py reads /etc/dudao/dudao.env through the unit's
# EnvironmentFile=); preloading would share one database pool across forks
preload_app = False


# /metrics adds up every process's counters when PROMETHEUS_MULTIPROC_DIR is set (dudao-web.service and
# dudao-worker@.service share /run/dudao-metrics, emptied at boot by deploy/systemd/dudao-tmpfiles.conf):
# prometheus_client's multiprocess mode. A gunicorn worker that exits (max_requests, a timeout, a HUP) is marked
# dead so its live gauges drop out; its counters stay in the sum, as Prometheus expects of a counter.
def child_exit(server, worker):  # gunicorn calls it in the arbiter when a worker has exited
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
