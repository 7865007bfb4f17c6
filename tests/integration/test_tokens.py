"""API tokens on both databases: shown once, kept as a hash, checked, revoked; and the `dudao api-token` CLI."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from backend.cli import main
from backend.services.tokens import (
    LAST_USED_RESOLUTION,
    TokenNameTaken,
    TokenNotFound,
    check_token,
    create_token,
    list_tokens,
    revoke_token,
)
from backend.store.db import Database
from backend.store.models import ApiToken, AuditEvent


def test_a_token_is_random_and_only_its_hash_is_kept(database: Database) -> None:
    with database.sessions() as session:
        first = create_token(session, "数据平台")
        second = create_token(session, "大屏")
        assert first != second and first.startswith("dudao_") and len(first) > 40
        row = session.scalar(select(ApiToken).where(ApiToken.name == "数据平台"))
        assert row is not None
        assert row.token_hash == hashlib.sha256(first.encode()).hexdigest()
        assert first not in (row.token_hash, row.name)
        actions = session.scalars(select(AuditEvent.action)).all()
        assert actions == ["api_token.created", "api_token.created"]


def test_names_are_unique(database: Database) -> None:
    with database.sessions() as session:
        create_token(session, "数据平台")
        with pytest.raises(TokenNameTaken):
            create_token(session, "数据平台")
        assert len(list_tokens(session)) == 1


def test_a_valid_token_is_recognised_and_a_guess_is_not(database: Database) -> None:
    with database.sessions() as session:
        token = create_token(session, "数据平台")
        assert check_token(session, token).name == "数据平台"
        assert check_token(session, token).valid
        for guess in (token + "x", token[:-1], "", "dudao_", hashlib.sha256(token.encode()).hexdigest()):
            assert not check_token(session, guess).valid


def test_last_used_is_recorded_at_most_once_a_minute(database: Database) -> None:
    with database.sessions() as session:
        token = create_token(session, "数据平台")
        assert list_tokens(session)[0].last_used_at is None
        check_token(session, token)
    with database.sessions() as session:
        first_use = list_tokens(session)[0].last_used_at
        assert first_use is not None and database.clock.now() - first_use < timedelta(seconds=30)
        check_token(session, token)
    with database.sessions() as session:
        assert list_tokens(session)[0].last_used_at == first_use  # not rewritten within the resolution
        row = session.scalar(select(ApiToken))
        assert row is not None
        row.last_used_at = database.clock.now() - LAST_USED_RESOLUTION - timedelta(seconds=1)
        session.commit()
        check_token(session, token)
    with database.sessions() as session:
        later = list_tokens(session)[0].last_used_at
        assert later is not None and database.clock.now() - later < timedelta(seconds=30)


def test_a_revoked_token_is_refused_and_says_so(database: Database) -> None:
    with database.sessions() as session:
        token = create_token(session, "旧系统")
        assert revoke_token(session, "旧系统", actor="office:admin")
        assert not revoke_token(session, "旧系统")  # already revoked: nothing changes
        check = check_token(session, token)
        assert not check.valid and check.revoked and check.name == "旧系统"
        assert not list_tokens(session)[0].active
        with pytest.raises(TokenNotFound):
            revoke_token(session, "没有这个")
        revocations = session.scalars(select(AuditEvent).where(AuditEvent.action == "api_token.revoked")).all()
        assert [(e.actor, e.subject_type) for e in revocations] == [("office:admin", "api_token")]


def test_the_cli_creates_lists_and_revokes_tokens(database: Database) -> None:
    runner = CliRunner()
    env = {"DUDAO_DATABASE_URL": database.url}

    created = runner.invoke(main, ["api-token", "create", "数据平台"], env=env)
    assert created.exit_code == 0, created.output
    assert "只显示这一次" in created.output
    token = created.output.strip().splitlines()[-1].strip()
    with database.sessions() as session:
        assert check_token(session, token).name == "数据平台"

    again = runner.invoke(main, ["api-token", "create", "数据平台"], env=env)
    assert again.exit_code == 1 and "已有同名的令牌「数据平台」" in again.output

    listed = runner.invoke(main, ["api-token", "list"], env=env)
    assert listed.exit_code == 0
    assert "数据平台" in listed.output and "有效" in listed.output and token not in listed.output

    revoked = runner.invoke(main, ["api-token", "revoke", "数据平台"], env=env)
    assert revoked.exit_code == 0 and "已撤销访问令牌「数据平台」" in revoked.output
    assert "已撤销" in runner.invoke(main, ["api-token", "list"], env=env).output
    missing = runner.invoke(main, ["api-token", "revoke", "没有这个"], env=env)
    assert missing.exit_code == 1 and "没有名为「没有这个」的访问令牌" in missing.output


def test_the_cli_says_when_there_is_no_token(database: Database) -> None:
    listed = CliRunner().invoke(main, ["api-token", "list"], env={"DUDAO_DATABASE_URL": database.url})
    assert listed.exit_code == 0 and "还没有访问令牌" in listed.output
