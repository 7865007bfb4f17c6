"""Fixtures the office web's integration tests share: a county with a year of activity (`seeded`), and the app on
it (`app`). A test module that needs another county or another app defines its own fixture of the same name."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask

from backend.store.db import Database
from tests.integration.test_office_web import Seeded, make_app, seed_activity


@pytest.fixture
def seeded(database: Database) -> Seeded:
    return seed_activity(database)


@pytest.fixture
def app(database: Database, seeded: Seeded, tmp_path: Path) -> Flask:
    return make_app(database, tmp_path)
