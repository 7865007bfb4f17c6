"""The deploy kit keeps access logs at least 180 days (issue 16: 网络安全法 six months, 等保 安全审计): every log
file nginx writes is covered by the kit's logrotate file with daily rotation and ≥ 180 kept, logrotate accepts
the file, and journald's drop-in neither caps the age under 180 days nor leaves the journal volatile."""

from __future__ import annotations

import re
import shutil
import subprocess
from fnmatch import fnmatch
from pathlib import Path

import pytest

KIT = Path(__file__).resolve().parents[2] / "deploy"
LOGROTATE = KIT / "logrotate" / "dudao"
JOURNALD = KIT / "journald" / "dudao-retention.conf"
DAYS = 180


def blocks(text: str) -> dict[str, str]:
    """Each logrotate block's path pattern and its body."""
    return {m.group(1).strip(): m.group(2) for m in re.finditer(r"^([^#\s][^{]*)\{(.*?)^\}", text, re.M | re.S)}


def nginx_logs() -> list[str]:
    found: list[str] = []
    for site in (KIT / "nginx").glob("*.conf"):
        found += re.findall(r"^\s*(?:access_log|error_log)\s+(/\S+)", site.read_text(), re.M)
    return found


def test_every_log_nginx_writes_is_rotated_daily_and_kept_180_days() -> None:
    rules = blocks(LOGROTATE.read_text())
    logs = nginx_logs()
    assert logs and all(path.startswith("/var/log/nginx/dudao/") for path in logs)  # not Debian's 14-day glob
    for path in logs:
        pattern = next(p for p in rules if fnmatch(path, p))
        body = rules[pattern]
        assert re.search(r"^\s*daily\s*$", body, re.M), pattern
        assert int(re.search(r"^\s*rotate\s+(\d+)", body, re.M).group(1)) >= DAYS
        assert int(re.search(r"^\s*maxage\s+(\d+)", body, re.M).group(1)) >= DAYS
    for body in rules.values():
        assert int(re.search(r"^\s*rotate\s+(\d+)", body, re.M).group(1)) >= DAYS
    tmpfiles = (KIT / "systemd" / "dudao-tmpfiles.conf").read_text()
    assert "d /var/log/nginx/dudao 0750 www-data adm -" in tmpfiles  # the folder exists, never cleaned by age


def test_logrotate_accepts_the_kit_file(tmp_path: Path) -> None:
    binary = shutil.which("logrotate") or "/usr/sbin/logrotate"
    if not Path(binary).exists():
        pytest.skip("logrotate is not installed")
    text = LOGROTATE.read_text().replace("/var/log/", f"{tmp_path}/")
    text = re.sub(r"^\s*create .*$", "", text, flags=re.M)  # no www-data or adm in a test sandbox
    text = text.replace("invoke-rc.d nginx rotate", "true")
    for folder in ("nginx/dudao", "dudao"):
        (tmp_path / folder).mkdir(parents=True)
    (tmp_path / "nginx" / "dudao" / "access.log").write_text("127.0.0.1 [2026-12-01T09:00:00+08:00] GET / 200\n")
    conf = tmp_path / "dudao.logrotate"
    conf.write_text(text)
    conf.chmod(0o644)
    checked = subprocess.run(
        [binary, "-d", "-s", str(tmp_path / "state"), str(conf)], capture_output=True, text=True, check=False
    )
    assert checked.returncode == 0, checked.stderr
    assert "error" not in checked.stderr.lower(), checked.stderr
    forced = subprocess.run(
        [binary, "-f", "-s", str(tmp_path / "state"), str(conf)], capture_output=True, text=True, check=False
    )
    assert forced.returncode == 0, forced.stderr
    assert [p.name for p in (tmp_path / "nginx" / "dudao").iterdir() if p.name.startswith("access.log-")]


def _seconds(value: str) -> float:
    number, unit = re.fullmatch(r"(\d+)\s*(\w*)", value.strip()).groups()
    scale = {"": 1, "s": 1, "min": 60, "h": 3600, "day": 86400, "d": 86400, "week": 604800, "month": 2629800}
    return int(number) * scale[unit]


def test_journald_keeps_the_apps_lines_on_disk_for_180_days() -> None:
    settings = dict(
        line.split("=", 1) for line in JOURNALD.read_text().splitlines() if "=" in line and not line.startswith("#")
    )
    assert settings["Storage"] == "persistent"
    assert _seconds(settings["MaxRetentionSec"]) >= DAYS * 86400
    assert settings["SystemMaxUse"].endswith("G") and int(settings["SystemMaxUse"][:-1]) >= 2
