"""One process issuing numbered documents as fast as it can, one transaction each; the concurrency test starts
two at once. `python -m tests.integration.document_issuer URL AUTHORITY_ID COUNT GO_FILE MOMENT` waits for GO_FILE
(both start together), issues COUNT 整改通知书 as of MOMENT (ISO, so the year is the test's), prints their numbers."""

from __future__ import annotations

import sys
import time
from datetime import datetime
from pathlib import Path

from backend.domain.documents import DocumentKind
from backend.services import documents
from backend.services.papers import Draft
from backend.store.db import Database


def main(url: str, authority_id: int, count: int, go_file: Path, moment: datetime) -> None:
    db = Database(url)
    waited = 0.0
    while not go_file.exists() and waited < 60:
        time.sleep(0.01)
        waited += 0.01
    numbers = []
    for n in range(count):
        with db.session() as session:
            issued = documents.issue(
                session,
                kind=DocumentKind.RECTIFICATION_NOTICE,
                draft=Draft(title="整改通知书", addressee="城关第一小学", body=(f"第{n + 1}份",)),
                subject_type="load",
                subject_id=None,
                authority_id=authority_id,
                actor="system",
                now=moment,
            )
            numbers.append(issued.number)
    db.dispose()
    print("\n".join(numbers))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), Path(sys.argv[4]), datetime.fromisoformat(sys.argv[5]))
