"""Who plays in the simulator: one inspector, one of their schools, the schools a parent can scan; bind codes.

A thin adapter over `backend.services` (schools, binding, identity) for the demo and the /sim page, which have no
use case of their own: it opens one transaction per call on the database it is given.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy.orm import Session

from backend.domain.kinds import Role
from backend.services import binding, identity, schools


class Sessions(Protocol):
    """Anything that opens a committing session: `backend.store.db.Database`."""

    def session(self) -> AbstractContextManager[Session]: ...


@dataclass(frozen=True)
class Cast:
    inspector_number: str
    inspector_name: str
    school_code: str
    school_name: str


@dataclass(frozen=True)
class SchoolChoice:
    code: str
    name: str


class SimDesk:
    def __init__(self, db: Sessions, pepper: str) -> None:
        self.db, self.pepper = db, pepper

    def cast(self) -> Cast | None:
        """The first inspector (by number) with a school, and their first school (by code); None in an empty county."""
        with self.db.session() as session:
            for inspector in schools.list_inspectors(session):
                if inspector.active and inspector.schools:
                    school = inspector.schools[0]
                    return Cast(inspector.number, inspector.name, school.code, school.name)
        return None

    def schools(self, limit: int = 500) -> list[SchoolChoice]:
        """The schools whose boards can be scanned, by code."""
        with self.db.session() as session:
            page = schools.list_schools(session, per_page=limit)
        return [SchoolChoice(s.code, s.name) for s in page.items]

    def issue_code(self, role: Role, key: str, actor: str = "demo:simulator") -> str:
        """A fresh one-time bind code for the inspector numbered `key` or the unit coded `key`."""
        with self.db.session() as session:
            return binding.issue_code(session, role=role, key=key, pepper=self.pepper, actor=actor).code

    def role_of(self, openid: str) -> str:
        """The role the bot sees for `openid` (public when unknown)."""
        with self.db.session() as session:
            found = identity.find(session, openid)
            return identity.who(session, found).role if found else Role.PUBLIC.value
