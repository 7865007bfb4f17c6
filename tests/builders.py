"""Test data as a county has it, built the same way everywhere: zones, schools and units, inspectors, their
assignments and the WeChat users bound to them. Each call adds one row to the session and flushes it.

    county = County(session)
    zone = county.zone("城关督学责任区")
    school = county.school("3607010001", "城关第一小学", zone=zone)
    wang = county.inspector("DX001", "王建国", "13800000001")
    county.assign(wang, school)
    county.contact("o-wang", Role.INSPECTOR, inspector_id=wang.id)
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from backend.domain.kinds import Role
from backend.services.authority import current_authority
from backend.store.models import Assignment, Inspector, Unit, WechatIdentity, Zone

APPOINTED_ON = date(2024, 9, 1)  # the start of the school year the current inspectors were appointed in


class County:
    """The builder over one session, for the authority the session holds."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.authority = current_authority(session)

    def _added(self, row: Any) -> Any:
        self.session.add(row)
        self.session.flush()
        return row

    def zone(self, name: str, **fields: Any) -> Zone:
        zone: Zone = self._added(Zone(authority_id=self.authority.id, name=name, **fields))
        return zone

    def unit(self, code: str, name: str, kind: str, *, zone: Zone | None = None, **fields: Any) -> Unit:
        """A school, a kindergarten, a township or a department (`kind` is a `UnitKind` value)."""
        zone_id = zone.id if zone is not None else fields.pop("zone_id", None)
        unit: Unit = self._added(
            Unit(authority_id=self.authority.id, code=code, name=name, kind=kind, zone_id=zone_id, **fields)
        )
        return unit

    def school(self, code: str, name: str, *, kind: str = "primary", zone: Zone | None = None, **fields: Any) -> Unit:
        return self.unit(code, name, kind, zone=zone, **fields)

    def inspector(self, number: str, name: str, phone: str = "", **fields: Any) -> Inspector:
        inspector: Inspector = self._added(
            Inspector(authority_id=self.authority.id, number=number, name=name, phone=phone, **fields)
        )
        return inspector

    def assign(self, inspector: Inspector, unit: Unit, starts_on: date = APPOINTED_ON) -> Assignment:
        """`inspector` becomes the responsible inspector of `unit` (a row, without the service's audit)."""
        assignment: Assignment = self._added(
            Assignment(inspector_id=inspector.id, unit_id=unit.id, starts_on=starts_on)
        )
        return assignment

    def contact(self, openid: str, role: Role | None = None, **fields: Any) -> WechatIdentity:
        """A WeChat user: bound to an inspector, a unit or the office with `role`, or a member of the public."""
        extra = {"role": role.value} if role is not None else {}
        identity: WechatIdentity = self._added(WechatIdentity(openid=openid, **extra, **fields))
        return identity
