"""The public boards (责任督学公示牌): which schools, what each board shows, and the content of its QR code.

The QR code is the school's permanent WeChat parametric QR (scene `s:<school code>`, created once through the
`PermanentQrMaker` port and kept in `board_code`) or, where no official account is configured, the URL of the
school's public page. Either way it names the school, not the inspector: the scan reaches whoever is the
CURRENT inspector, so a printed board never goes stale. The board's version counts the changes of inspector.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol
from urllib.parse import quote

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from backend.config import Config
from backend.domain.kinds import UnitKind
from backend.domain.scenes import school_scene
from backend.notify import QRCode
from backend.services.audit import record
from backend.services.authority import current_authority, seed_items
from backend.store.models import Assignment, Authority, BoardCode, Inspector, Unit, Zone
from messages import t
from qr_boards.spec import BoardLabels, BoardSpec, InspectorInfo

SCHOOL_KINDS = tuple(kind.value for kind in UnitKind if kind.is_school)
DUTY_CODES = [str(n) for n in range(1, 6)]


class PermanentQrMaker(Protocol):
    """The one WeChat call boards need (the WeChat client implements it, a fake does in tests)."""

    def create_permanent_qr(self, scene: str) -> QRCode: ...


class NoSuchSchool(LookupError):
    pass


class NoSuchZone(LookupError):
    pass


class WechatQrUnavailable(RuntimeError):
    """An official account is configured, but no way to create its QR codes was given."""


def select_schools(
    session: Session,
    *,
    school_code: str | None = None,
    zone_name: str | None = None,
    authority: Authority | None = None,
) -> list[Unit]:
    """The active schools and kindergartens of one school, one zone, or (neither given) the whole county."""
    authority = authority or current_authority(session)
    query = select(Unit).where(Unit.authority_id == authority.id, Unit.kind.in_(SCHOOL_KINDS), Unit.active.is_(True))
    if school_code is not None:
        unit = session.scalar(query.where(Unit.code == school_code))
        if unit is None:
            raise NoSuchSchool(school_code)
        return [unit]
    if zone_name is not None:
        zone = session.scalar(select(Zone).where(Zone.authority_id == authority.id, Zone.name == zone_name))
        if zone is None:
            raise NoSuchZone(zone_name)
        query = query.where(Unit.zone_id == zone.id)
    return list(session.scalars(query.order_by(Unit.code)))


def board_code(session: Session, unit: Unit, qr_maker: PermanentQrMaker, actor: str = "office") -> BoardCode:
    """The school's permanent WeChat QR code, created (through WeChat) and kept on first use. Commits if created."""
    code = session.scalar(select(BoardCode).where(BoardCode.unit_id == unit.id))
    if code is not None:
        return code
    scene = school_scene(unit.code)
    created = qr_maker.create_permanent_qr(scene)
    code = BoardCode(unit_id=unit.id, scene_str=scene, qr_url=created.url)
    session.add(code)
    record(session, actor, "board_code.created", "unit", unit.id, scene=scene)
    session.commit()
    return code


def public_page_url(config: Config, unit: Unit) -> str:
    """The school's public page: the board's QR content where no official account is configured."""
    return f"{config.public_url}/b/{quote(unit.code, safe='')}"


def qr_content(session: Session, config: Config, unit: Unit, qr_maker: PermanentQrMaker | None) -> str:
    """What the school's board QR code holds."""
    if not config.wechat_appid:
        return public_page_url(config, unit)
    if qr_maker is None:
        raise WechatQrUnavailable(config.wechat_appid)
    return board_code(session, unit, qr_maker).qr_url


@dataclass(frozen=True)
class BoardVersion:
    """The N-th responsible inspector of the school (counting changes), and since when."""

    number: int
    since: date


def board_version(history: Sequence[Assignment]) -> BoardVersion:
    """The version from a school's assignment history: it goes up exactly when the inspector changes."""
    ordered = sorted(history, key=lambda a: (a.starts_on, a.id))
    number, since, previous = 0, ordered[0].starts_on, None
    for assignment in ordered:
        if assignment.inspector_id != previous:
            number, since, previous = number + 1, assignment.starts_on, assignment.inspector_id
    return BoardVersion(number, since)


def board_labels(wechat: bool) -> BoardLabels:
    return BoardLabels(
        title=t("board.title"),
        inspector=t("board.label.inspector"),
        number=t("board.label.number"),
        phone=t("board.label.phone"),
        zone=t("board.label.zone"),
        items=t("board.label.items"),
        duties=t("board.label.duties"),
        office=t("board.label.office"),
        hotline=t("board.label.hotline"),
        qr_hint=t("board.qr_hint.wechat" if wechat else "board.qr_hint.web"),
    )


def duties() -> tuple[str, ...]:
    """The five duties (五项基本职责)."""
    return tuple(t(f"duty.{code}") for code in DUTY_CODES)


def readable_phone(phone: str) -> str:
    """A mobile number in the 3-4-4 groups people read it in (138 0000 9349); anything else as it is."""
    digits = phone.replace(" ", "").replace("-", "")
    if len(digits) == 11 and digits.isdigit() and digits.startswith("1"):
        return f"{digits[:3]} {digits[3:7]} {digits[7:]}"
    return phone


def photo_path(config: Config, inspector: Inspector) -> str | None:
    """The inspector's photo file, if one is recorded and it lies inside the media folder."""
    if not inspector.photo:
        return None
    media = config.media_dir.resolve()
    path = (media / inspector.photo).resolve()
    return str(path) if path.is_relative_to(media) and path.is_file() else None


@dataclass
class Boards:
    """The boards to print, and the schools left out because they have no responsible inspector now."""

    specs: list[BoardSpec]
    without_inspector: list[Unit]


def board_specs(
    session: Session, config: Config, schools: Sequence[Unit], qr_maker: PermanentQrMaker | None = None
) -> Boards:
    """A board for each school that has a current inspector (creating WeChat QR codes where needed)."""
    authority = current_authority(session)
    items = tuple(i["name"] for i in (authority.supervision_items or seed_items()))
    office = authority.office_name or t("authority.default_office")
    labels = board_labels(wechat=bool(config.wechat_appid))
    ids = [unit.id for unit in schools]
    history: dict[int, list[Assignment]] = {}
    query = select(Assignment).where(Assignment.unit_id.in_(ids)).options(selectinload(Assignment.inspector))
    for assignment in session.scalars(query):
        history.setdefault(assignment.unit_id, []).append(assignment)
    zones = {z.id: z.name for z in session.scalars(select(Zone).where(Zone.authority_id == authority.id))}
    result = Boards([], [])
    for unit in schools:
        current = next((a for a in history.get(unit.id, []) if a.ends_on is None), None)
        if current is None:
            result.without_inspector.append(unit)
            continue
        inspector = current.inspector
        version = board_version(history[unit.id])
        result.specs.append(
            BoardSpec(
                school_code=unit.code,
                school_name=unit.name,
                zone_name=zones.get(unit.zone_id, "") if unit.zone_id else "",
                inspector=InspectorInfo(
                    name=inspector.name,
                    phone=readable_phone(inspector.phone),
                    number=inspector.number,
                    photo_path=photo_path(config, inspector),
                ),
                items=items,
                duties=duties(),
                office_name=office,
                hotline=authority.hotline,
                qr_content=qr_content(session, config, unit, qr_maker),
                version=version.number,
                version_line=t("board.version", version=version.number, date=version.since.isoformat()),
                labels=labels,
            )
        )
    return result
