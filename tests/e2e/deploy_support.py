"""The deployment kit run by a test: nginx (Debian's package) on a loopback port with the kit's own site file,
gunicorn with the kit's config, `dudao worker` processes — each a subprocess whose output is kept.

nginx runs unprivileged in its own prefix (config, pid, logs, temp files under the test's folder). When the
test runs as root (CI containers), nginx's workers stay root rather than switching to `nobody`, who could not
read the test's folder.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

from tests.e2e.conftest import dudao_env, dudao_executable, free_port

REPO = Path(__file__).resolve().parents[2]
KIT = REPO / "deploy"
SITE = KIT / "nginx" / "dudao.conf"
LOG_FORMAT = KIT / "nginx" / "dudao-log-format.conf"
GUNICORN_CONF = KIT / "gunicorn.conf.py"


def nginx_binary() -> str:
    """Debian's nginx (in /usr/sbin, often not on a user's PATH); skipped when absent, except on CI."""
    found = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.access(p, os.X_OK)), None)
    if found:
        return found
    if os.environ.get("CI") == "true":
        pytest.fail("nginx is not installed: scripts/system-deps.sh installs it (apt-get install nginx)", pytrace=False)
    pytest.skip("nginx is not installed (sudo apt-get install nginx, or scripts/system-deps.sh as root)")


@dataclass
class Running:
    """A subprocess and the lines it wrote (stdout and stderr together)."""

    name: str
    process: subprocess.Popen[str]
    output: list[str] = field(default_factory=list)
    _reader: threading.Thread | None = None

    @property
    def text(self) -> str:
        return "".join(self.output)

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 20) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self._reader is not None:
            self._reader.join(timeout=5)
        if self.process.stdout is not None:
            self.process.stdout.close()
        return self.process.returncode


def start(name: str, args: list[str], cwd: Path, env: Mapping[str, str]) -> Running:
    process = subprocess.Popen(
        args, cwd=cwd, env=dict(env), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1
    )
    running = Running(name, process)
    stdout = process.stdout
    assert stdout is not None

    def collect() -> None:
        for line in stdout:
            running.output.append(line)

    running._reader = threading.Thread(target=collect, name=f"{name}-output", daemon=True)
    running._reader.start()
    return running


def wait_for_http(url: str, running: Running, timeout: float = 60, **kwargs: object) -> requests.Response:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if running.process.poll() is not None:
            time.sleep(0.2)
            pytest.fail(f"{running.name} exited with {running.process.returncode}:\n{running.text}", pytrace=False)
        try:
            response = requests.get(url, timeout=10, **kwargs)  # type: ignore[arg-type]
            if response.status_code == 200:
                return response
        except (requests.ConnectionError, requests.Timeout):
            pass  # not listening yet, or its workers still booting on a busy machine
        time.sleep(0.1)
    pytest.fail(f"{running.name} did not answer {url} within {timeout} s:\n{running.text}", pytrace=False)


def service_env(instance_dir: Path, settings: Mapping[str, str]) -> dict[str, str]:
    """What /etc/dudao/dudao.env gives the units, plus the running test's clock."""
    return dudao_env(instance_dir, dict(settings))


@contextmanager
def running_gunicorn(instance_dir: Path, env: Mapping[str, str], workers: int = 2) -> Iterator[tuple[str, Running]]:
    """gunicorn as dudao-web.service starts it (the kit's config), on a free loopback port; yields its URL."""
    port = free_port()
    gunicorn = Path(sys.executable).parent / "gunicorn"
    args = [str(gunicorn), "-c", str(GUNICORN_CONF), "--bind", f"127.0.0.1:{port}", "--workers", str(workers)]
    running = start("gunicorn", [*args, "backend.wsgi:app"], instance_dir, env)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(f"{url}/healthz", running)
        yield url, running
    finally:
        running.stop()


def start_worker(instance_dir: Path, env: Mapping[str, str], interval: float = 0.5) -> Running:
    """`dudao worker` as dudao-worker@.service starts it."""
    return start("dudao worker", [dudao_executable(), "worker", "--interval", str(interval)], instance_dir, env)


# --- nginx ---


@dataclass
class Nginx:
    url: str  # https://127.0.0.1:<port>
    cert: Path  # the CA bundle to verify it with
    access_log: Path
    error_log: Path
    running: Running

    def session(self) -> requests.Session:
        http = requests.Session()
        http.trust_env = False  # REQUESTS_CA_BUNDLE would override `verify`, a proxy variable the loopback
        http.verify = str(self.cert)
        return http


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and its key."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        # valid whatever day the machine thinks it is (CI runs some tests under faketime)
        .not_valid_before(dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
        .not_valid_after(dt.datetime(2099, 12, 31, tzinfo=dt.UTC))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


def site_for_test(
    text: str, *, port: int, upstream: str, cert: Path, key: Path, logs: Path, changes: Mapping[str, str] | None = None
) -> str:
    """The kit's site file with this test's port, upstream, certificate and log paths (and `changes`)."""
    replacements = {
        **(changes or {}),
        "listen 443 ssl http2;": f"listen 127.0.0.1:{port} ssl;",
        "listen [::]:443 ssl http2;": "",
        "server 127.0.0.1:8000;": f"server {upstream};",
        "/etc/ssl/dudao/fullchain.pem": str(cert),
        "/etc/ssl/dudao/privkey.pem": str(key),
        "/var/log/nginx/dudao/access.log": str(logs / "access.log"),
        "/var/log/nginx/dudao/error.log": str(logs / "error.log"),
    }
    for old, new in replacements.items():
        assert old in text, f"deploy/nginx/dudao.conf no longer has {old!r}: update the test with the kit"
        text = text.replace(old, new)
    return text


@contextmanager
def running_nginx(folder: Path, upstream: str, changes: Mapping[str, str] | None = None) -> Iterator[Nginx]:
    """nginx in `folder` (its own prefix) with the kit's site in front of `upstream` (host:port); `changes`
    replace more of the site's text (a test of a misconfiguration)."""
    binary = nginx_binary()
    folder.mkdir(parents=True, exist_ok=True)
    for temp in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (folder / temp).mkdir(exist_ok=True)
    cert, key = self_signed(folder)
    port = free_port()
    site = site_for_test(
        SITE.read_text(), port=port, upstream=upstream, cert=cert, key=key, logs=folder, changes=changes
    )
    (folder / "dudao.conf").write_text(site)
    user = "user root;\n" if os.geteuid() == 0 else ""
    mime = "include /etc/nginx/mime.types;" if Path("/etc/nginx/mime.types").exists() else ""
    (folder / "nginx.conf").write_text(
        f"""{user}worker_processes 1;
daemon off;
pid {folder}/nginx.pid;
error_log {folder}/main-error.log warn;
events {{ worker_connections 256; }}
http {{
    {mime}
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    access_log off;
    include {LOG_FORMAT};
    include {folder}/dudao.conf;
}}
"""
    )
    args = [binary, "-p", str(folder), "-c", str(folder / "nginx.conf"), "-e", str(folder / "main-error.log")]
    checked = subprocess.run([*args, "-t"], capture_output=True, text=True, check=False)
    assert checked.returncode == 0, f"nginx -t refused the kit's site:\n{checked.stderr}"
    running = start("nginx", args, folder, os.environ)
    nginx = Nginx(f"https://127.0.0.1:{port}", cert, folder / "access.log", folder / "error.log", running)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                requests.get(nginx.url + "/healthz", verify=str(cert), timeout=5)
                break
            except requests.ConnectionError:
                if running.process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"nginx did not start:\n{running.text}", pytrace=False)
                time.sleep(0.05)
        yield nginx
    finally:
        running.stop(signal.SIGQUIT)  # graceful: the access log is flushed
