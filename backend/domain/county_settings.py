"""The authority's own settings (the office's name and hotline, visit targets, document number prefixes), checked.

Pure: the office's form comes in as text, the checked values (or the problems, as message keys per field) go out.
Document numbers read `<prefix>〔<year>〕<n>号` (安督办〔2026〕12号); this module keeps the prefixes and renders the
form, numbering itself belongs to the documents (`backend.domain.documents`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field

from backend.domain.documents import KINDS
from backend.domain.documents import document_number as document_number
from backend.domain.visit_targets import LEGAL_SEMESTER_FLOOR

# the kinds of numbered documents whose prefix the office sets: the six of backend.domain.documents
DOCUMENT_KINDS = KINDS
OFFICE_NAME_LENGTH = (2, 50)
PREFIX_LENGTH = 12
VISITS_PER_MONTH = (0, 8)  # 0: no monthly target, only the semester floor
VISITS_PER_SEMESTER = (LEGAL_SEMESTER_FLOOR, 40)

# a Chinese prefix as offices write them: characters and letters only (安督办, 青教督整, QHDD)
_PREFIX = re.compile(r"^[\u3400-\u9fffA-Za-z]+$")
# digits with dashes: 0797-3721234, 12345, 400-123-4567, 0797-3721234-8001
_HOTLINE = re.compile(r"^\d[\d-]{3,22}\d$")


@dataclass(frozen=True)
class Settings:
    office_name: str
    hotline: str
    visits_per_month_target: int
    visits_per_semester_floor: int
    document_prefixes: dict[str, str] = field(default_factory=dict)


@dataclass
class Checked:
    settings: Settings | None
    problems: dict[str, tuple[str, dict[str, object]]]  # field -> (message key, fields)

    @property
    def ok(self) -> bool:
        return not self.problems


def _int(text: str) -> int | None:
    text = unicodedata.normalize("NFKC", text).strip()
    return int(text) if re.fullmatch(r"\d{1,3}", text) else None


def normalize_hotline(text: str) -> str:
    """Full-width digits and dashes made ASCII, spaces dropped: what is printed on the boards."""
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"[\s()]", "", text).replace("—", "-").replace("–", "-").replace("－", "-")
    return text


def check(form: Mapping[str, str]) -> Checked:
    """The settings from the office's form, or every problem with it."""
    problems: dict[str, tuple[str, dict[str, object]]] = {}
    office_name = form.get("office_name", "").strip()
    low, high = OFFICE_NAME_LENGTH
    if not low <= len(office_name) <= high:
        problems["office_name"] = ("settings.error.office_name", {"low": low, "high": high})
    hotline = normalize_hotline(form.get("hotline", ""))
    if hotline and (not _HOTLINE.match(hotline) or "--" in hotline or sum(c.isdigit() for c in hotline) < 5):
        problems["hotline"] = ("settings.error.hotline", {"value": form.get("hotline", "").strip()})
    per_month = _int(form.get("visits_per_month_target", ""))
    if per_month is None or not VISITS_PER_MONTH[0] <= per_month <= VISITS_PER_MONTH[1]:
        problems["visits_per_month_target"] = (
            "settings.error.per_month",
            {"low": VISITS_PER_MONTH[0], "high": VISITS_PER_MONTH[1]},
        )
    floor = _int(form.get("visits_per_semester_floor", ""))
    if floor is None or floor > VISITS_PER_SEMESTER[1]:
        problems["visits_per_semester_floor"] = ("settings.error.floor", {"high": VISITS_PER_SEMESTER[1]})
    elif floor < VISITS_PER_SEMESTER[0]:
        problems["visits_per_semester_floor"] = ("settings.error.floor_legal", {"legal": LEGAL_SEMESTER_FLOOR})
    prefixes: dict[str, str] = {}
    for kind in DOCUMENT_KINDS:
        prefix = unicodedata.normalize("NFKC", form.get(f"prefix_{kind}", "")).strip()
        if not prefix:
            continue
        if len(prefix) > PREFIX_LENGTH or not _PREFIX.match(prefix):
            problems[f"prefix_{kind}"] = ("settings.error.prefix", {"value": prefix, "limit": PREFIX_LENGTH})
        prefixes[kind] = prefix
    if problems:
        return Checked(None, problems)
    assert per_month is not None and floor is not None
    return Checked(Settings(office_name, hotline, per_month, floor, prefixes), {})
