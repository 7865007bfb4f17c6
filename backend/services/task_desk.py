"""The inspector's task desk: what the bot's check dialogue may do, as ready replies (`backend.services.task_checks`
does the work). Constructed by `Desk.tasks`; the bot keeps only where the inspector is (the target and the item's
position) in its conversation: the answers are in the database, so a lost conversation costs nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.orm import Session

from backend.config import Config
from backend.domain.calendar import local_date
from backend.domain.checks import AnswerRefused
from backend.domain.kinds import AnswerType, CheckState
from backend.services import task_checks as checks
from backend.services.task_checks import CheckView, ItemView
from backend.store.db import session_now
from messages import t

LIST_AT_MOST = 15  # rows of `任务` (a passive reply holds 2048 bytes)
END = 0  # the position "after the last item": the check waits for 完成


@dataclass(frozen=True)
class Step:
    """A reply, and where the dialogue stands after it (None: it is over)."""

    text: str
    target_id: int | None = None
    position: int = END
    photo: bool = False  # the item at `position` waits for its photo
    choices: tuple[int, ...] = field(default_factory=tuple)  # target ids the inspector picks from by number


class TaskDesk:
    def __init__(self, session: Session, config: Config, openid: str, inspector_id: int | None) -> None:
        self._session, self._config, self.openid, self.inspector_id = session, config, openid, inspector_id

    def _me(self) -> int:
        if self.inspector_id is None:
            raise checks.CheckError("check.error.not_found")
        return self.inspector_id

    def _today(self) -> date:
        return local_date(session_now(self._session))

    # --- 任务 -------------------------------------------------------------------------------------------------

    def list(self) -> Step:
        """`任务`: the inspector's checks by task, numbered; a number (or a school's name) starts one."""
        mine = checks.my_targets(self._session, self._me(), self._today())
        if not mine:
            return Step(t("check.list.none"))
        rows = [t("check.list.head")]
        shown_task = None
        waiting = [m for m in mine if m.state != CheckState.DONE.value]
        done = [m for m in mine if m.state == CheckState.DONE.value]
        # a passive reply holds 2048 bytes: the checks to do first, the done ones after while they fit
        listed = (
            (waiting[:LIST_AT_MOST] + done[: max(0, LIST_AT_MOST - len(waiting))]) if waiting else done[:LIST_AT_MOST]
        )
        for m in listed:
            if (m.task_name, m.ends_on) != shown_task:
                shown_task = (m.task_name, m.ends_on)
                rows.append(
                    t("check.list.task", task=m.task_name, kind=t(f"task.kind.{m.task_kind}"), ends=_day(m.ends_on))
                )
            detail = ""
            if m.state == CheckState.DONE.value and m.score is not None:
                detail = t("check.list.scored", score=_num(m.score))
            elif m.answered:
                detail = t("check.list.answered", answered=m.answered, items=m.items)
            rows.append(
                t(
                    "check.list.row",
                    number=m.number,
                    school=m.unit_name,
                    progress=t(f"check.progress.{m.progress}"),
                    detail=detail,
                )
            )
        if len(listed) < len(mine):
            rows.append(t("check.list.more", count=len(mine) - len(listed), done=len(done)))
        rows.append(t("check.list.tail"))
        return Step("\n".join(rows), choices=tuple(m.target_id for m in mine))

    def pick(self, words: str) -> Step:
        """The school the inspector means (a number of the list just shown, or a name as typed)."""
        mine = checks.my_targets(self._session, self._me(), self._today())
        if not [m for m in mine if m.state != CheckState.DONE.value]:
            return Step(t("check.pick.none_open"))
        found = checks.find_target(self._session, self._me(), words, mine)
        if found.target_id is not None:
            return self.begin(found.target_id)
        by_id = {m.target_id: m for m in mine}
        ids = found.candidates or tuple(m.target_id for m in mine if m.state != CheckState.DONE.value)
        choices = "\n".join(
            t("check.pick.choice", number=by_id[i].number, school=by_id[i].unit_name, task=by_id[i].task_name)
            for i in ids
        )
        key = "check.pick.which" if found.candidates else "check.pick.unknown"
        return Step(t(key, said=found.said or words, choices=choices), choices=tuple(m.target_id for m in mine))

    def begin(self, target_id: int) -> Step:
        before = checks.view(self._session, target_id, self._me())
        if before.state == CheckState.DONE.value:
            return Step(t("check.error.done"))
        check = checks.start(self._session, target_id, self._me())
        if before.state == CheckState.NOT_STARTED.value:
            url = self.form_url(target_id)
            head = t("check.start", school=check.unit_name, task=check.task_name, items=len(check.items), url=url)
        else:
            head = t("check.resume", school=check.unit_name, answered=check.answered, items=len(check.items))
        return self._at(check, check.next_open(), head)

    # --- one item at a time -----------------------------------------------------------------------------------

    def prompt(self, check: CheckView, item: ItemView) -> str:
        how_key = f"check.how.{item.answer_type}"
        options = "  ".join(f"{n} {label}" for n, label in enumerate(item.options, start=1))
        scored = item.answer_type in (AnswerType.SCORE.value,) or (
            item.score and item.answer_type != AnswerType.TEXT.value
        )
        return t(
            "check.item",
            position=item.position,
            items=len(check.items),
            section=t("check.item.section", section=item.section) if item.section else "",
            text=item.text,
            score=t("check.item.score", max=_num(item.score)) if scored else "",
            how=t(how_key, max=_num(item.score), options=options),
            photo=t("check.item.photo") if item.photo_required else "",
        ) + t("check.foot")

    def _at(self, check: CheckView, item: ItemView | None, head: str = "") -> Step:
        if item is None:
            skipped = sum(1 for a in check.answers.values() if a.skipped)
            return Step(head + t("check.end", items=len(check.items), skipped=skipped), check.target_id, END)
        return Step(head + self.prompt(check, item), check.target_id, item.position)

    def current(self, target_id: int, position: int) -> Step:
        check = checks.view(self._session, target_id, self._me())
        item = check.item_at(position) if position else None
        return self._at(check, item if item is not None else check.next_open())

    def answer(self, target_id: int, position: int, said: str) -> Step:
        check = checks.view(self._session, target_id, self._me())
        item = check.item_at(position)
        if item is None:
            return self._at(check, check.next_open())
        try:
            checks.answer(self._session, target_id, self._me(), item.id, said)
        except AnswerRefused as refused:
            return Step(refused.message + "\n\n" + self.prompt(check, item), target_id, position)
        check = checks.view(self._session, target_id, self._me())
        if item.photo_required and not check.answers[item.id].photos:
            return Step(t("check.photo.ask", position=item.position), target_id, position, photo=True)
        return self._at(check, check.next_open(after=position))

    def skip(self, target_id: int, position: int) -> Step:
        check = checks.view(self._session, target_id, self._me())
        item = check.item_at(position)
        if item is None:
            return self._at(check, check.next_open())
        checks.skip(self._session, target_id, self._me(), item.id)
        check = checks.view(self._session, target_id, self._me())
        return self._at(check, check.next_open(after=position), t("check.skipped", position=position) + "\n")

    def back(self, target_id: int, position: int) -> Step:
        check = checks.view(self._session, target_id, self._me())
        last = len(check.items)
        wanted = (position - 1) if position else last
        if wanted < 1:
            item = check.item_at(1)
            return self._at(check, item, t("check.back.first") + "\n")
        return self._at(check, check.item_at(wanted))

    def photo(self, target_id: int, position: int, media_id: str) -> Step:
        check = checks.view(self._session, target_id, self._me())
        item = check.item_at(position) if position else check.item_at(len(check.items))
        if item is None:
            return self._at(check, check.next_open())
        count = checks.attach_photo(self._session, target_id, self._me(), item.id, wechat_media_id=media_id)
        check = checks.view(self._session, target_id, self._me())
        head = t("check.photo.added", position=item.position, count=count) + "\n"
        answered = item.id in check.answers and (check.answers[item.id].value or check.answers[item.id].skipped)
        if not answered:  # a photo before its answer: the same item is asked again
            return self._at(check, item, head)
        return self._at(check, check.next_open(after=item.position), head)

    def still_needs_photo(self, target_id: int, position: int) -> Step:
        return Step(t("check.photo.still_needed", position=position), target_id, position, photo=True)

    def check_in(self, target_id: int, position: int, latitude: float, longitude: float) -> Step:
        distance = checks.check_in(self._session, target_id, self._me(), latitude, longitude)
        if distance is None:
            said = t("check.checked_in_unknown")
        else:
            far = distance > checks.visits.FAR_FROM_SCHOOL_M
            said = t("check.checked_in_far" if far else "check.checked_in", distance=round(distance))
        return Step(said, target_id, position)

    def pause(self, target_id: int) -> Step:
        check = checks.view(self._session, target_id, self._me())
        return Step(t("check.paused", school=check.unit_name, answered=check.answered, items=len(check.items)))

    def resume(self) -> Step:
        """`继续`: the check begun and not finished; asked which when there are several."""
        begun = checks.in_progress(self._session, self._me())
        if not begun:
            return Step(t("check.resume.none"))
        if len(begun) == 1:
            return self.begin(begun[0])
        mine = {m.target_id: m for m in checks.my_targets(self._session, self._me(), self._today())}
        rows = "\n".join(
            t("check.pick.choice", number=mine[i].number, school=mine[i].unit_name, task=mine[i].task_name)
            for i in begun
            if i in mine
        )
        return Step(t("check.resume.which", choices=rows), choices=tuple(mine))

    def finish(self, target_id: int) -> Step:
        try:
            done = checks.finish(self._session, target_id, self._me())
        except checks.CheckError as refused:
            check = checks.view(self._session, target_id, self._me())
            return Step(refused.message + "\n\n" + self._at(check, check.next_open()).text, target_id, END)
        check = checks.view(self._session, target_id, self._me())
        return Step(summary(done, check))

    def form_url(self, target_id: int) -> str:
        return checks.form_url(
            self._session,
            secret=self._config.secret_key,
            public_url=self._config.public_url,
            openid=self.openid,
            target_id=target_id,
        )

    def form_link(self, target_id: int) -> Step:
        check = checks.view(self._session, target_id, self._me())
        return Step(t("check.form_link", school=check.unit_name, url=self.form_url(target_id)), target_id)


def summary(done: checks.Finished, check: CheckView) -> str:
    """The words a finished check is told in, in chat and on the form's last page."""
    text = t(
        "check.done",
        school=done.unit_name,
        task=check.task_name,
        score=_num(done.score),
        max=_num(done.max_score),
        failed=len(done.failed),
        skipped=t("check.done.skipped", count=done.skipped) if done.skipped else "",
        kind=t(f"task.kind.{check.task_kind}"),
        visit=done.visit_id,
    )
    if done.failed:
        text += t("check.done.failed", rows="\n".join(t("check.done.failed_row", text=f) for f in done.failed))
    text += t("check.done.drafts", numbers="、".join(done.drafts)) if done.drafts else t("check.done.no_drafts")
    return text


def _day(day: date) -> str:
    return f"{day.month}月{day.day}日"


def _num(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:g}"
