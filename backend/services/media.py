"""Media users send (photos, voice, video): attached at once, fetched from WeChat by the worker and kept.

WeChat keeps a user's media for 3 days, and downloading it inside the webhook would eat the 5 s budget, so a
message only records the `media_id` (`attach`); the `media` job fetches it (`fetch_pending`). Photos from the
public lose their metadata (EXIF: place, device, time) before they are written; staff photos keep it.
A picture that cannot be kept (a bomb, not an image) is given up at once: recorded on its row, in the office's
words, and the rest of the batch is fetched.
"""

from __future__ import annotations

import hashlib
import io
import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path

from PIL import Image, ImageOps
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.notify import GiveUp, Notifier, NotifyError
from backend.services import images
from backend.store.db import Database, session_now
from backend.store.models import Media
from messages import t

log = logging.getLogger(__name__)

KEEP_TRYING_FOR = timedelta(days=3)  # WeChat drops temporary media after 3 days
KEPT_SIDE = 2000  # a public photo re-encoded from a big JPEG keeps at least this many pixels a side
EXTENSIONS = {
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/gif": ".gif",
    "audio/amr": ".amr",
    "audio/speex": ".speex",
    "audio/mpeg": ".mp3",
    "video/mp4": ".mp4",
    "application/pdf": ".pdf",  # issue 15: a 自评's evidence
}


def attach(
    session: Session,
    *,
    owner_type: str,
    owner_id: int,
    kind: str,
    wechat_media_id: str,
    strip_metadata: bool,
) -> Media:
    """Record a media file a user sent, to be fetched by the worker. Does not commit."""
    media = Media(
        owner_type=owner_type,
        owner_id=owner_id,
        kind=kind,
        wechat_media_id=wechat_media_id,
        strip_metadata=strip_metadata,
        next_fetch_at=session_now(session),
    )
    session.add(media)
    session.flush()
    return media


def keep_file(
    session: Session,
    media_dir: Path,
    *,
    owner_type: str,
    owner_id: int,
    kind: str,
    content: bytes,
    content_type: str,
    strip_metadata: bool,
) -> Media:
    """Keep a file uploaded through the web (already in hand). Does not commit."""
    media = Media(owner_type=owner_type, owner_id=owner_id, kind=kind, strip_metadata=strip_metadata)
    _store(media, media_dir, content, content_type, session_now(session))
    session.add(media)
    session.flush()
    return media


def without_metadata(content: bytes) -> bytes:
    """The image re-encoded from its pixels alone: no EXIF, GPS, XMP or comments survive.

    Measured first (`images.measure`): a bomb raises `images.BadImage` before any pixel is decoded.
    """
    images.measure(content)
    try:
        return _reencoded(content)
    except Exception as exc:  # a header that lied, a truncated body: Pillow raises many kinds
        raise images.BadImage("not_image", f"{type(exc).__name__}: {exc}") from exc


def _reencoded(content: bytes) -> bytes:
    with Image.open(io.BytesIO(content)) as original:
        if original.format == "JPEG":
            # decoded at 1/2, 1/4 or 1/8 scale while KEPT_SIDE a side is left: 35 MP cost 27 MB, not 105
            original.draft("RGB", (KEPT_SIDE, KEPT_SIDE))
        image = ImageOps.exif_transpose(original)  # keep what the camera meant as "up"
        fmt = (original.format or "JPEG").upper()
        clean = Image.frombytes(image.mode, image.size, image.tobytes())  # pixels only, an empty `info`
        out = io.BytesIO()
        if fmt == "JPEG":
            clean.convert("RGB").save(out, "JPEG", quality=90)
        else:
            clean.save(out, fmt)
        return out.getvalue()


def _store(media: Media, media_dir: Path, content: bytes, content_type: str, now: datetime) -> None:
    if media.kind == "image" and media.strip_metadata:
        content = without_metadata(content)
        media.exif_stripped = True
    digest = hashlib.sha256(content).hexdigest()
    relative = Path(media.owner_type) / digest[:2] / (digest + EXTENSIONS.get(content_type, ".bin"))
    target = media_dir / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.exists():
        target.write_bytes(content)
    media.path, media.sha256, media.size, media.content_type = str(relative), digest, len(content), content_type
    media.fetched_at = now
    media.next_fetch_at = None


def fetch_pending(
    db: Database, notifier: Notifier, media_dir: Path, *, now: datetime | None = None, batch: int = 20
) -> int:
    """Fetch media waiting to be kept; returns how many were kept. Failures are retried with backoff."""
    now = now or db.clock.now()
    kept = 0
    with db.session() as session:
        due = session.scalars(
            select(Media)
            .where(Media.fetched_at.is_(None), Media.next_fetch_at.is_not(None), Media.next_fetch_at <= now)
            .where(Media.wechat_media_id.is_not(None))
            .order_by(Media.next_fetch_at)
            .limit(batch)
            .with_for_update(skip_locked=True)
        ).all()
        for media in due:
            try:
                got = notifier.download_media(media.wechat_media_id or "")
                _store(media, media_dir, got.content, got.content_type, now)
                kept += 1
            except GiveUp as exc:
                media.fetch_error, media.next_fetch_at = str(exc), None
                log.warning("media %s cannot be fetched: %s", media.id, exc)
            except images.BadImage as exc:  # the same file every time: given up once, the batch goes on
                media.fetch_error, media.next_fetch_at = t(f"image.refused.{exc.reason}"), None
                log.warning("media %s is not kept (%s): %s", media.id, exc.reason, exc.detail)
            except (NotifyError, OSError, ValueError) as exc:
                media.fetch_attempts += 1
                media.fetch_error = str(exc)
                give_up = now - media.created_at > KEEP_TRYING_FOR
                media.next_fetch_at = (
                    None if give_up else now + timedelta(seconds=min(30 * 2**media.fetch_attempts, 3600))
                )
    return kept


def path_of(media: Media, media_dir: Path) -> Path | None:
    """Where a kept file is, or None while it is still being fetched."""
    return media_dir / media.path if media.path else None


def media_of(session: Session, owner_type: str, owner_id: int) -> list[Media]:
    return media_of_many(session, owner_type, [owner_id]).get(owner_id, [])


def media_of_many(session: Session, owner_type: str, owner_ids: Sequence[int]) -> dict[int, list[Media]]:
    """The media of several owners in one query, by owner id (for lists: no query per row)."""
    found: dict[int, list[Media]] = {}
    if not owner_ids:
        return found
    query = select(Media).where(Media.owner_type == owner_type, Media.owner_id.in_(owner_ids)).order_by(Media.id)
    for row in session.scalars(query):
        found.setdefault(row.owner_id, []).append(row)
    return found
