"""Public concerns (举报投诉 / 家长留言): intake, routing, the inspector's handling, deadlines, abuse limits.

A concern belongs to one school. From WeChat, what a user sends after scanning a board (text, photos, voice)
within `WINDOW` of their last message joins one concern; from the public page, one form is one concern. The
school's current inspector is told (else the zone leader, else the office); their answer goes back to the
reporter. The reporter's identity (openid, phone) never leaves this module except to the person in charge:
the `ConcernView` given to the school side would carry neither, and nothing here ever writes to a unit.

Use cases do not commit: the caller's transaction (the bot's delivery, the web request, the CLI command, the
sweep) holds the change, its `AuditEvent` and its outbox rows, and commits them together. Notices go through
`notices.notify` with dedupe keys.
"""

from backend.services.concerns.handling import *  # noqa: F403
from backend.services.concerns.intake import *  # noqa: F403
from backend.services.concerns.sweep import *  # noqa: F403
from backend.services.concerns.views import *  # noqa: F403
from backend.services.concerns.web_form import *  # noqa: F403
