"""What a board shows: plain, picklable data handed from the service to the renderer."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class PageSize(Enum):
    """A print size: (width, height) in millimetres, portrait."""

    A4 = (210.0, 297.0)
    A3 = (297.0, 420.0)

    @property
    def width_mm(self) -> float:
        return self.value[0]

    @property
    def height_mm(self) -> float:
        return self.value[1]

    def pixels(self, dpi: int) -> tuple[int, int]:
        return round(self.width_mm / 25.4 * dpi), round(self.height_mm / 25.4 * dpi)

    @classmethod
    def named(cls, name: str) -> PageSize:
        return cls[name.upper()]


@dataclass(frozen=True)
class BoardLabels:
    """Every word printed on a board that is not data; given by the caller (the words live in `messages/`)."""

    title: str
    inspector: str
    number: str
    phone: str
    zone: str
    items: str
    duties: str
    office: str
    hotline: str
    qr_hint: str


@dataclass(frozen=True)
class InspectorInfo:
    name: str
    phone: str
    number: str = ""
    photo_path: str | None = None  # an image file; None or unreadable gives the placeholder


@dataclass(frozen=True)
class BoardSpec:
    """One school's board."""

    school_code: str
    school_name: str
    zone_name: str
    inspector: InspectorInfo
    items: tuple[str, ...]
    duties: tuple[str, ...]
    office_name: str
    hotline: str
    qr_content: str
    version: int
    version_line: str  # e.g. "版本 v3 · 2026-11-22", already worded by the caller
    labels: BoardLabels
