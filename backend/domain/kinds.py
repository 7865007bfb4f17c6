"""The domain's vocabularies. Values are stored in the database; Chinese labels live in `messages/`."""

from __future__ import annotations

from enum import StrEnum


class UnitKind(StrEnum):
    KINDERGARTEN = "kindergarten"
    PRIMARY = "primary"
    JUNIOR = "junior"
    NINE_YEAR = "nine_year"
    TWELVE_YEAR = "twelve_year"
    SENIOR = "senior"
    COMPLETE_SECONDARY = "complete_secondary"
    VOCATIONAL = "vocational"
    SPECIAL = "special"
    TOWNSHIP = "township"
    DEPARTMENT = "department"

    @property
    def is_school(self) -> bool:
        return self not in (UnitKind.TOWNSHIP, UnitKind.DEPARTMENT)


class Ownership(StrEnum):
    PUBLIC = "public"
    PRIVATE = "private"


class Employment(StrEnum):
    FULL_TIME = "full_time"
    PART_TIME = "part_time"


class EndOfAppointment(StrEnum):
    SUSPENDED = "suspended"  # 停聘
    DISMISSED = "dismissed"  # 解聘


# the role the bot gives a bound inspector whose appointment has ended (停聘 / 解聘): not Role.INSPECTOR any more,
# and not the public either (what they type is no concern about a school)
FORMER_INSPECTOR = "former_inspector"


class Role(StrEnum):
    PUBLIC = "public"
    INSPECTOR = "inspector"
    UNIT = "unit"
    OFFICE = "office"


class VisitKind(StrEnum):
    ROUTINE = "routine"  # 经常性
    SPECIAL = "special"  # 专项
    UNANNOUNCED = "unannounced"  # 随机/暗访
    FOLLOW_UP = "follow_up"  # 回访/复查
    COMPREHENSIVE = "comprehensive"  # 综合督导


class ConcernState(StrEnum):
    RECEIVED = "received"
    ACKNOWLEDGED = "acknowledged"
    VERIFYING = "verifying"
    ANSWERED = "answered"
    CLOSED = "closed"
    REFERRED = "referred"
    NOT_SUBSTANTIATED = "not_substantiated"
    DUPLICATE = "duplicate"


class RectificationState(StrEnum):
    DRAFT = "draft"  # proposed by an inspector, not yet confirmed
    ISSUED = "issued"
    ACKNOWLEDGED = "acknowledged"  # 签收
    SUBMITTED = "submitted"  # 整改报告
    REOPENED = "reopened"  # 复查不通过
    VERIFIED = "verified"  # 复查通过
    CLOSED = "closed"


class EscalationLevel(StrEnum):
    SUPERVISION_NOTICE = "supervision_notice"  # 督办通知
    TALK = "talk"  # 约谈
    CIRCULAR = "circular"  # 通报
    ACCOUNTABILITY = "accountability"  # 问责


class EscalationState(StrEnum):
    PROPOSED = "proposed"
    CONFIRMED = "confirmed"
    DECLINED = "declined"
    INVESTIGATING = "investigating"  # 问责: the fact-finding (调查核实) is under way, the decision not yet taken


class OutboxState(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    GIVEN_UP = "given_up"


class CalendarDayKind(StrEnum):
    HOLIDAY = "holiday"  # 法定节假日 (a weekday off)
    WORKDAY = "workday"  # 调休上班 (a weekend day worked)
    ORDINARY = "ordinary"  # the office put the day back to the weekday rule; reloading the schedule keeps that


class TaskKind(StrEnum):
    """A supervision task the office dispatches (督导任务)."""

    SPECIAL = "special"  # 专项督导
    COMPREHENSIVE = "comprehensive"  # 综合督导
    RANDOM = "random"  # 随机督导 (a sample drawn by the system)
    UNANNOUNCED = "unannounced"  # 暗访 (a sample drawn by the system)
    PRINCIPAL_TERM = "principal_term"  # 校(园)长任期结束综合督导
    FOLLOW_UP = "follow_up"  # 回访复查 (of closed rectifications)


class TaskState(StrEnum):
    OPEN = "open"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class CheckState(StrEnum):
    """A target's check as stored; `CheckProgress` adds 逾期, derived from the task's window."""

    NOT_STARTED = "not_started"  # 未开始
    IN_PROGRESS = "in_progress"  # 进行中
    DONE = "done"  # 已完成


class CheckProgress(StrEnum):
    NOT_STARTED = "not_started"  # 未开始
    IN_PROGRESS = "in_progress"  # 进行中
    DONE = "done"  # 已完成
    OVERDUE = "overdue"  # 逾期: not done, and the window has closed


class AnswerType(StrEnum):
    """How a checklist item is answered."""

    YES_NO = "yes_no"  # 是否
    SCORE = "score"  # 评分 0..分值
    CHOICE = "choice"  # 选项
    NUMBER = "number"  # 数字
    TEXT = "text"  # 文字


class PrivacyRequestKind(StrEnum):
    """What a person asks about their personal information (个人信息保护法 第四十四至四十七条)."""

    COPY = "copy"  # 查阅、复制
    ERASE = "erase"  # 删除
    OTHER = "other"  # 更正、撤回同意或其他


class PrivacyRequestState(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class FilingTo(StrEnum):
    """Where a 约谈 record is filed (报备)."""

    PARTY_COMMITTEE = "party_committee"  # 党委
    GOVERNMENT = "government"  # 政府
    SUPERIOR = "superior"  # 上级主管部门


class FilingHow(StrEnum):
    PAPER = "paper"  # 纸质报送
    EMAIL = "email"  # 电子邮件
    SYSTEM = "system"  # 政务系统
    IN_PERSON = "in_person"  # 当面报送


class ReferralSubject(StrEnum):
    """What a 移交 is about: a visit's finding or a public concern."""

    VISIT = "visit"
    CONCERN = "concern"


class ReferralState(StrEnum):
    REFERRED = "referred"  # 已移交, no receipt yet
    RECEIVED = "received"  # 已回执
    CONCLUDED = "concluded"  # 已办结 (the department's outcome recorded)


class PublishedKind(StrEnum):
    """What the office may publish on /public, one by one, with its approval."""

    CIRCULAR = "circular"  # 通报
    ACCOUNTABILITY = "accountability"  # 问责
    COMMENDATION = "commendation"  # 表扬


class EvaluationTarget(StrEnum):
    """Who a 督政 indicator system evaluates (issue 15): the unit kinds of the same names."""

    TOWNSHIP = "township"  # 乡镇人民政府
    DEPARTMENT = "department"  # 县级部门


class EvaluationState(StrEnum):
    OPEN = "open"  # opened by the office: the unit fills in its 自评
    SUBMITTED = "submitted"  # the 自评 is in (from WeChat or by the office on the unit's behalf)
    SCORED = "scored"  # the office and its experts have scored it
    FED_BACK = "fed_back"  # the 督导反馈意见书 and its 整改 items are issued
