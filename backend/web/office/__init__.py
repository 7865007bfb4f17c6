"""The office web (`/office/…`): the dashboard, work lists, master data, boards and exports of the 督导室.

Office admins see the whole authority, zone leaders their zone; `auth` signs people in, keeps sessions short
and checks the CSRF token of every form. The views read through `backend.services.office` and act through
the services of each use case.
"""

from __future__ import annotations

# the views register themselves on `bp`
from backend.web.office import (  # noqa: F401
    auth,
    checklists,
    documents,
    downloads,
    home,
    masterdata,
    settings,
    staff,
    tasks,
    undelivered,
    worklists,
)
from backend.web.office.blueprint import bp

__all__ = ["bp"]
