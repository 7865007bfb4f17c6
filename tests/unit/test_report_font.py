"""The 督导报告's font is found among what fontconfig lists, collections' faces by their index."""

from __future__ import annotations

import shutil
import subprocess
from typing import Any

import pytest

from backend.services import report_pdf

LISTED = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc: :index=1\n/usr/share/fonts/truetype/arphic/uming.ttc: :index=0\n"
)


def test_fontconfigs_truetype_chinese_faces_are_read_with_their_index(monkeypatch: pytest.MonkeyPatch) -> None:
    def run(*_args: Any, **_kwargs: Any) -> subprocess.CompletedProcess[str]:
        return subprocess.CompletedProcess([], 0, stdout=LISTED, stderr="")

    monkeypatch.setattr(shutil, "which", lambda _name: "/usr/bin/fc-list")
    monkeypatch.setattr(subprocess, "run", run)
    assert report_pdf._installed_truetype_chinese() == [
        ("/usr/share/fonts/truetype/arphic/uming.ttc", 0),
        ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 1),
    ]


def test_without_fontconfig_nothing_is_listed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda _name: None)
    assert report_pdf._installed_truetype_chinese() == []
