"""The data model (SQLAlchemy 2.0, typed). Times are UTC (`UTCDateTime`); dates are Asia/Shanghai dates.

Enumerated columns hold the values of `backend.domain.kinds`; the Chinese labels live in `messages/`.
Changes go through Alembic: `dudao db upgrade`; a new, additive migration with `scripts/new-migration.sh`,
then read and fixed by hand.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from backend.domain.kinds import (
    CheckState,
    ConcernState,
    EscalationState,
    EvaluationState,
    OutboxState,
    RectificationState,
    ReferralState,
    TaskState,
    VisitKind,
)
from backend.store.types import UTCDateTime, clock_default

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime(), dict[str, Any]: JSON(), list[Any]: JSON()}


class Timestamped:
    created_at: Mapped[datetime] = mapped_column(default=clock_default)
    updated_at: Mapped[datetime] = mapped_column(default=clock_default, onupdate=clock_default)


class Authority(Timestamped, Base):
    """A county education supervision committee (督导委) and its office (督导室)."""

    __tablename__ = "authority"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    office_name: Mapped[str] = mapped_column(String(100), default="")
    hotline: Mapped[str] = mapped_column(String(40), default="")
    # the supervision items: [{"code": "1", "name": "校务管理和制度执行"}, ...]; seeded with the eight
    supervision_items: Mapped[list[Any]] = mapped_column(default=list)
    visits_per_month_target: Mapped[int] = mapped_column(default=1)
    visits_per_semester_floor: Mapped[int] = mapped_column(default=2)
    concern_ack_working_days: Mapped[int] = mapped_column(default=1)
    concern_answer_working_days: Mapped[int] = mapped_column(default=5)
    supervision_notice_working_days: Mapped[int] = mapped_column(default=5)
    quiet_hours: Mapped[str] = mapped_column(String(20), default="22:00-07:30")
    # what /public discloses (向社会公开), chosen by the office: {"enabled": bool, "metrics": [...], "levels": [...]}
    publication: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # the office's document number prefixes per kind (backend.domain.documents.KINDS): {"supervision_notice": "安督办"}
    document_prefixes: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # days each kind of data is kept (backend.domain.retention: kinds, defaults, legal bounds); {} is the defaults
    retention: Mapped[dict[str, Any]] = mapped_column(default=dict)


class Zone(Timestamped, Base):
    """A responsibility zone (督学责任区 / 督导组)."""

    __tablename__ = "zone"
    __table_args__ = (UniqueConstraint("authority_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    authority_id: Mapped[int] = mapped_column(ForeignKey("authority.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    leader_inspector_id: Mapped[int | None] = mapped_column(ForeignKey("inspector.id"), default=None)

    units: Mapped[list[Unit]] = relationship(back_populates="zone")


class Unit(Timestamped, Base):
    """A supervised unit: a school or kindergarten, or a township or county department."""

    __tablename__ = "unit"
    id: Mapped[int] = mapped_column(primary_key=True)
    authority_id: Mapped[int] = mapped_column(ForeignKey("authority.id"), index=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    short_name: Mapped[str] = mapped_column(String(100), default="")
    # the office's 简称, as typed, several separated by 、 (城关二小、二小); matched as school names
    nicknames: Mapped[str] = mapped_column(String(300), default="")
    kind: Mapped[str] = mapped_column(String(24))
    ownership: Mapped[str] = mapped_column(String(16), default="public")
    address: Mapped[str] = mapped_column(String(300), default="")
    longitude: Mapped[float | None] = mapped_column(Float, default=None)
    latitude: Mapped[float | None] = mapped_column(Float, default=None)
    student_count: Mapped[int | None] = mapped_column(default=None)
    zone_id: Mapped[int | None] = mapped_column(ForeignKey("zone.id"), index=True, default=None)
    superior_unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), default=None)  # 主管单位
    # the principal (校长 / 园长) and their term: a term's end calls for a 校(园)长任期结束综合督导
    principal_name: Mapped[str] = mapped_column(String(50), default="")
    principal_since: Mapped[date | None] = mapped_column(Date, default=None)
    principal_term_ends_on: Mapped[date | None] = mapped_column(Date, default=None)
    contact_name: Mapped[str] = mapped_column(String(50), default="")
    contact_phone: Mapped[str] = mapped_column(String(30), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    zone: Mapped[Zone | None] = relationship(back_populates="units")


class Inspector(Timestamped, Base):
    """A responsible inspector (责任督学)."""

    __tablename__ = "inspector"
    __table_args__ = (UniqueConstraint("authority_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    authority_id: Mapped[int] = mapped_column(ForeignKey("authority.id"), index=True)
    number: Mapped[str] = mapped_column(String(32))  # 督学编号 / 督学证号
    name: Mapped[str] = mapped_column(String(50))
    phone: Mapped[str] = mapped_column(String(30))
    photo: Mapped[str] = mapped_column(String(300), default="")  # a path under the instance's media folder
    employment: Mapped[str] = mapped_column(String(16), default="part_time")
    retired: Mapped[bool] = mapped_column(Boolean, default=False)
    retired_on: Mapped[date | None] = mapped_column(Date, default=None)
    # hours entered by hand before training records existed; the dashboard sums `TrainingRecord` rows
    training_hours: Mapped[float] = mapped_column(Float, default=0.0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # the appointment (聘任起止)
    appointed_on: Mapped[date | None] = mapped_column(Date, default=None)
    term_ends_on: Mapped[date | None] = mapped_column(Date, default=None)
    # 停聘 (suspended) or 解聘 (dismissed): `active` is False from `ended_on`, the schools lose their inspector
    ended_kind: Mapped[str] = mapped_column(String(16), default="")
    ended_on: Mapped[date | None] = mapped_column(Date, default=None)
    ended_reason: Mapped[str] = mapped_column(Text, default="")


class TrainingRecord(Base):
    """One course an inspector attended (培训名称, 学时, 日期): the 40-hour rule sums these."""

    __tablename__ = "training_record"
    __table_args__ = (UniqueConstraint("inspector_id", "course", "held_on"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    inspector_id: Mapped[int] = mapped_column(ForeignKey("inspector.id", ondelete="CASCADE"), index=True)
    course: Mapped[str] = mapped_column(String(200))
    hours: Mapped[float] = mapped_column(Float)
    held_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(default=clock_default)


class SchoolAlias(Base):
    """A phrase one inspector uses for a school (learnt when they picked it from a question): `phrase` as typed,
    `key` as matched (backend.domain.school_names.phrase_key)."""

    __tablename__ = "school_alias"
    __table_args__ = (UniqueConstraint("inspector_id", "key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    inspector_id: Mapped[int] = mapped_column(ForeignKey("inspector.id", ondelete="CASCADE"), index=True)
    phrase: Mapped[str] = mapped_column(String(100))
    key: Mapped[str] = mapped_column(String(100))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=clock_default)


class Assignment(Base):
    """An inspector responsible for a school from a date; `ends_on` is set when it changes (history kept)."""

    __tablename__ = "assignment"
    __table_args__ = (
        # one current responsible inspector per school
        Index(
            "uq_assignment_current_unit",
            "unit_id",
            unique=True,
            sqlite_where=text("ends_on IS NULL"),
            postgresql_where=text("ends_on IS NULL"),
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    inspector_id: Mapped[int] = mapped_column(ForeignKey("inspector.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date, default=None)
    created_at: Mapped[datetime] = mapped_column(default=clock_default)

    inspector: Mapped[Inspector] = relationship()
    unit: Mapped[Unit] = relationship()


class BoardCode(Base):
    """The QR content of a school's public board: a permanent WeChat parametric QR, created once and kept.

    Its scene (`s:<school code>`) resolves to the school's CURRENT inspector, so a printed board never goes stale.
    """

    __tablename__ = "board_code"
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), unique=True)
    scene_str: Mapped[str] = mapped_column(String(64))
    qr_url: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=clock_default)


class WechatIdentity(Timestamped, Base):
    """A WeChat user of the official account: who they are to us, and what they last did."""

    __tablename__ = "wechat_identity"
    id: Mapped[int] = mapped_column(primary_key=True)
    openid: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16), default="public")
    inspector_id: Mapped[int | None] = mapped_column(ForeignKey("inspector.id"), index=True, default=None)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True, default=None)
    office_user_id: Mapped[int | None] = mapped_column(ForeignKey("office_user.id"), default=None)
    bound_at: Mapped[datetime | None] = mapped_column(default=None)
    following: Mapped[bool] = mapped_column(Boolean, default=True)
    last_scanned_unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), default=None)
    last_scanned_at: Mapped[datetime | None] = mapped_column(default=None)
    # start of WeChat's 48 h customer-service window
    last_inbound_at: Mapped[datetime | None] = mapped_column(default=None)
    blocked: Mapped[bool] = mapped_column(Boolean, default=False)


class BindCode(Base):
    """A one-time code binding a WeChat user to an inspector, a unit contact or an office user (only its hash kept)."""

    __tablename__ = "bind_code"
    id: Mapped[int] = mapped_column(primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    inspector_id: Mapped[int | None] = mapped_column(ForeignKey("inspector.id"), default=None)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), default=None)
    office_user_id: Mapped[int | None] = mapped_column(ForeignKey("office_user.id"), default=None)
    expires_at: Mapped[datetime] = mapped_column()
    used_at: Mapped[datetime | None] = mapped_column(default=None)
    used_by_openid: Mapped[str | None] = mapped_column(String(64), default=None)
    created_at: Mapped[datetime] = mapped_column(default=clock_default)


class InboundDelivery(Base):
    """One WeChat delivery, keyed as WeChat retries it; the database half of deduplication."""

    __tablename__ = "inbound_delivery"
    id: Mapped[int] = mapped_column(primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    openid: Mapped[str] = mapped_column(String(64), index=True)
    msg_type: Mapped[str] = mapped_column(String(40))
    reply: Mapped[str | None] = mapped_column(Text, default=None)
    received_at: Mapped[datetime] = mapped_column(default=clock_default, index=True)


class Media(Base):
    """A kept file (photo, voice, video) attached to a visit, concern or rectification report."""

    __tablename__ = "media"
    __table_args__ = (Index("ix_media_owner", "owner_type", "owner_id"), Index("ix_media_to_fetch", "next_fetch_at"))
    id: Mapped[int] = mapped_column(primary_key=True)
    owner_type: Mapped[str] = mapped_column(String(24))  # visit | concern | rectification | inspector
    owner_id: Mapped[int] = mapped_column()
    kind: Mapped[str] = mapped_column(String(16))  # image | voice | video
    wechat_media_id: Mapped[str | None] = mapped_column(String(200), default=None)
    path: Mapped[str] = mapped_column(String(300), default="")
    content_type: Mapped[str] = mapped_column(String(100), default="")
    size: Mapped[int] = mapped_column(default=0)
    sha256: Mapped[str] = mapped_column(String(64), default="")
    exif_stripped: Mapped[bool] = mapped_column(Boolean, default=False)
    # what the user sent lives on WeChat for 3 days: the media job fetches it and keeps it here
    strip_metadata: Mapped[bool] = mapped_column(Boolean, default=True)  # the public's photos: EXIF removed
    fetched_at: Mapped[datetime | None] = mapped_column(default=None)
    fetch_attempts: Mapped[int] = mapped_column(default=0)
    next_fetch_at: Mapped[datetime | None] = mapped_column(default=None)
    fetch_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=clock_default)
    erased_at: Mapped[datetime | None] = mapped_column(default=None)  # the file deleted (retention or a request)


class Visit(Timestamped, Base):
    """A visit's working record (工作记录)."""

    __tablename__ = "visit"
    __table_args__ = (Index("ix_visit_unit_date", "unit_id", "visited_on"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    authority_id: Mapped[int] = mapped_column(ForeignKey("authority.id"), index=True)
    inspector_id: Mapped[int] = mapped_column(ForeignKey("inspector.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    visited_on: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(20), default=VisitKind.ROUTINE.value)
    methods: Mapped[list[Any]] = mapped_column(default=list)  # 随机听课, 查阅资料, ...
    items: Mapped[list[Any]] = mapped_column(default=list)  # supervision item codes
    observations: Mapped[str] = mapped_column(Text, default="")
    problems: Mapped[str] = mapped_column(Text, default="")
    raw_text: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(16), default="chat")  # chat | dialogue | web | import
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    checkin_latitude: Mapped[float | None] = mapped_column(Float, default=None)
    checkin_longitude: Mapped[float | None] = mapped_column(Float, default=None)
    checkin_distance_m: Mapped[float | None] = mapped_column(Float, default=None)
    far_from_school: Mapped[bool] = mapped_column(Boolean, default=False)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
    history: Mapped[list[Any]] = mapped_column(default=list)  # earlier versions of this record


class Concern(Timestamped, Base):
    """A concern from the public (举报投诉 / 家长留言). The reporter's identity never leaves the inspector's side."""

    __tablename__ = "concern"
    __table_args__ = (
        Index("ix_concern_unit_state", "unit_id", "state"),
        Index("ix_concern_reporter", "reporter_openid"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_no: Mapped[str] = mapped_column(String(32), unique=True)
    authority_id: Mapped[int] = mapped_column(ForeignKey("authority.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    inspector_id: Mapped[int | None] = mapped_column(ForeignKey("inspector.id"), index=True, default=None)
    channel: Mapped[str] = mapped_column(String(16), default="wechat")  # wechat | web
    reporter_openid: Mapped[str | None] = mapped_column(String(64), default=None)
    reporter_phone: Mapped[str | None] = mapped_column(String(30), default=None)
    category: Mapped[str | None] = mapped_column(String(16), default=None)  # a supervision item code
    content: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(24), default=ConcernState.RECEIVED.value)
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("concern.id"), default=None)
    escalation_level: Mapped[int] = mapped_column(default=0)  # 0 inspector, 1 zone leader, 2 office
    ack_due_on: Mapped[date | None] = mapped_column(Date, default=None)
    answer_due_on: Mapped[date | None] = mapped_column(Date, default=None)
    acknowledged_at: Mapped[datetime | None] = mapped_column(default=None)
    answered_at: Mapped[datetime | None] = mapped_column(default=None)
    closed_at: Mapped[datetime | None] = mapped_column(default=None)
    answer: Mapped[str] = mapped_column(Text, default="")
    # added by the public-concern issue:
    note: Mapped[str] = mapped_column(Text, default="")  # to whom it was referred, or why not substantiated
    routed_to: Mapped[str] = mapped_column(String(16), default="")  # inspector | zone_leader | office
    notified_at: Mapped[datetime | None] = mapped_column(default=None)  # when the person in charge was told
    window_until: Mapped[datetime | None] = mapped_column(default=None)  # the reporter's messages join it until then
    status_secret_hash: Mapped[str] = mapped_column(String(64), default="")  # the web status page's secret, hashed
    # when the reporter's personal fields were erased (openid → keyed pseudonym, phone removed): retention or request
    personal_erased_at: Mapped[datetime | None] = mapped_column(default=None)
    content_erased_at: Mapped[datetime | None] = mapped_column(default=None)  # the text and photos, by retention


class Rectification(Timestamped, Base):
    """A rectification item (整改事项): a finding fed back to a unit with a requirement and a deadline."""

    __tablename__ = "rectification"
    __table_args__ = (
        Index("ix_rectification_open_deadline", "state", "deadline"),
        Index("ix_rectification_unit_state", "unit_id", "state"),
        # the sweep's two questions, answered from the open items only (partial indexes; issue 6)
        Index(
            "ix_rectification_awaiting_deadline",
            "deadline",
            postgresql_where=text("state IN ('issued', 'acknowledged', 'reopened')"),
            sqlite_where=text("state IN ('issued', 'acknowledged', 'reopened')"),
        ),
        Index(
            "ix_rectification_unsigned",
            "issued_at",
            postgresql_where=text("state = 'issued'"),
            sqlite_where=text("state = 'issued'"),
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)  # 整改事项编号 ZG-2026-000123 (not a document number)
    authority_id: Mapped[int] = mapped_column(ForeignKey("authority.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    inspector_id: Mapped[int | None] = mapped_column(ForeignKey("inspector.id"), index=True, default=None)
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("visit.id"), default=None)
    concern_id: Mapped[int | None] = mapped_column(ForeignKey("concern.id"), default=None)
    item: Mapped[str | None] = mapped_column(String(16), default=None)
    problem: Mapped[str] = mapped_column(Text)
    requirement: Mapped[str] = mapped_column(Text, default="")
    deadline: Mapped[date] = mapped_column(Date)
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    state: Mapped[str] = mapped_column(String(16), default=RectificationState.DRAFT.value)
    level: Mapped[int] = mapped_column(default=0)  # 0 none, 1 督办, 2 约谈, 3 通报, 4 问责
    issued_at: Mapped[datetime | None] = mapped_column(default=None)
    acknowledged_at: Mapped[datetime | None] = mapped_column(default=None)
    submitted_at: Mapped[datetime | None] = mapped_column(default=None)
    verified_at: Mapped[datetime | None] = mapped_column(default=None)
    closed_at: Mapped[datetime | None] = mapped_column(default=None)
    report_text: Mapped[str] = mapped_column(Text, default="")
    reinspection_note: Mapped[str] = mapped_column(Text, default="")


class ExtensionRequest(Base):
    """A unit's request for more time (申请延期) and its decision."""

    __tablename__ = "extension_request"
    id: Mapped[int] = mapped_column(primary_key=True)
    rectification_id: Mapped[int] = mapped_column(ForeignKey("rectification.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    requested_at: Mapped[datetime] = mapped_column(default=clock_default)
    decision: Mapped[str | None] = mapped_column(String(16), default=None)  # granted | refused
    decided_at: Mapped[datetime | None] = mapped_column(default=None)
    decided_by: Mapped[str] = mapped_column(String(100), default="")
    new_deadline: Mapped[date | None] = mapped_column(Date, default=None)


class Escalation(Base):
    """A rung of the ladder: 督办通知, 约谈, 通报 or 问责, with its record."""

    __tablename__ = "escalation"
    __table_args__ = (UniqueConstraint("rectification_id", "level"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    rectification_id: Mapped[int] = mapped_column(ForeignKey("rectification.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    level: Mapped[str] = mapped_column(String(24))
    state: Mapped[str] = mapped_column(String(16), default=EscalationState.PROPOSED.value)
    new_deadline: Mapped[date | None] = mapped_column(Date, default=None)
    proposed_at: Mapped[datetime] = mapped_column(default=clock_default)
    confirmed_at: Mapped[datetime | None] = mapped_column(default=None)
    confirmed_by: Mapped[str] = mapped_column(String(100), default="")
    # 约谈: time, attendees, what was said, commitments; 问责: 基本情况, 问责事实, 问责依据, 问责方式, 生效时间
    record: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # issue 15: 问责's fact-finding (started, due 60 days later) and the office's approval to show it on /public
    fact_finding_started_on: Mapped[date | None] = mapped_column(Date, default=None)
    fact_finding_due_on: Mapped[date | None] = mapped_column(Date, default=None)
    public_approved_at: Mapped[datetime | None] = mapped_column(default=None)
    public_approved_by: Mapped[str] = mapped_column(String(100), default="")


class EscalationFiling(Base):
    """报备: a 约谈 record filed with the unit's party committee, government or superior."""

    __tablename__ = "escalation_filing"
    id: Mapped[int] = mapped_column(primary_key=True)
    escalation_id: Mapped[int] = mapped_column(ForeignKey("escalation.id"), index=True)
    to_kind: Mapped[str] = mapped_column(String(20))  # FilingTo
    to_name: Mapped[str] = mapped_column(String(100))
    filed_on: Mapped[date] = mapped_column(Date)
    how: Mapped[str] = mapped_column(String(16))  # FilingHow
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[str] = mapped_column(String(100), default="")
    recorded_at: Mapped[datetime] = mapped_column(default=clock_default)


class Referral(Base):
    """移交: a visit's finding or a concern referred to another department, its receipt (回执) and outcome."""

    __tablename__ = "referral"
    __table_args__ = (Index("ix_referral_subject", "subject_type", "subject_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    authority_id: Mapped[int] = mapped_column(ForeignKey("authority.id"), index=True)
    subject_type: Mapped[str] = mapped_column(String(16))  # ReferralSubject
    subject_id: Mapped[int] = mapped_column()
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))  # the visited / reported unit (for the scope)
    department: Mapped[str] = mapped_column(String(100))
    referred_on: Mapped[date] = mapped_column(Date)
    matter: Mapped[str] = mapped_column(Text)  # what was referred, as the office wrote it (never who reported)
    receipt_due_on: Mapped[date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(16), default=ReferralState.REFERRED.value)
    received_on: Mapped[date | None] = mapped_column(Date, default=None)
    receipt_note: Mapped[str] = mapped_column(Text, default="")
    concluded_on: Mapped[date | None] = mapped_column(Date, default=None)
    outcome: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(default=clock_default)


class Commendation(Base):
    """表扬: a unit or a person commended, for the annual report and, with the office's approval, /public."""

    __tablename__ = "commendation"
    id: Mapped[int] = mapped_column(primary_key=True)
    authority_id: Mapped[int] = mapped_column(ForeignKey("authority.id"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), default=None)
    person_name: Mapped[str] = mapped_column(String(60), default="")
    reason: Mapped[str] = mapped_column(Text)
    commended_on: Mapped[date] = mapped_column(Date)
    document_number: Mapped[str] = mapped_column(String(60), default="")
    recorded_by: Mapped[str] = mapped_column(String(100), default="")
    recorded_at: Mapped[datetime] = mapped_column(default=clock_default)
    public_approved_at: Mapped[datetime | None] = mapped_column(default=None)
    public_approved_by: Mapped[str] = mapped_column(String(100), default="")


class DocumentCounter(Base):
    """The last number given to a kind of document of an authority in a year: incremented in the issuing
    transaction (UPDATE … RETURNING locks the row until commit), so two processes never take the same number."""

    __tablename__ = "document_counter"
    authority_id: Mapped[int] = mapped_column(ForeignKey("authority.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(24), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    last: Mapped[int] = mapped_column(default=0)


class Document(Base):
    """A numbered formal document (公文) as issued: its entry in the register (发文登记) and the snapshot of its
    content (a `backend.services.papers.Paper`), from which it is rendered at download time and never changes."""

    __tablename__ = "document"
    __table_args__ = (
        UniqueConstraint("authority_id", "kind", "year", "seq"),
        Index("ix_document_subject", "subject_type", "subject_id"),
        Index("ix_document_register", "authority_id", "year", "kind"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    authority_id: Mapped[int] = mapped_column(ForeignKey("authority.id"))
    kind: Mapped[str] = mapped_column(String(24))  # backend.domain.documents.DocumentKind
    year: Mapped[int] = mapped_column()  # the Asia/Shanghai year it was issued in
    seq: Mapped[int] = mapped_column()
    number: Mapped[str] = mapped_column(String(64))  # 安督整〔2026〕12号
    title: Mapped[str] = mapped_column(String(100))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True, default=None)  # addressed to
    # the record it is generated from (rectification, escalation, evaluation, …) and the chain item it belongs to
    subject_type: Mapped[str] = mapped_column(String(30))
    subject_id: Mapped[int | None] = mapped_column(default=None)
    rectification_id: Mapped[int | None] = mapped_column(ForeignKey("rectification.id"), index=True, default=None)
    issued_on: Mapped[date] = mapped_column(Date)
    issued_at: Mapped[datetime] = mapped_column(default=clock_default)
    issued_by: Mapped[str] = mapped_column(String(100))  # the actor: office:<username>, inspector:<id>, system
    content: Mapped[dict[str, Any]] = mapped_column(default=dict)  # Paper.to_data()


class OutboxMessage(Base):
    """A push to send, written in the same transaction as the change that caused it."""

    __tablename__ = "outbox_message"
    __table_args__ = (
        Index("ix_outbox_due", "state", "next_attempt_at"),
        Index("ix_outbox_subject", "subject_type", "subject_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)  # also the template client_msg_id
    openid: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32))  # text | image | template | office_alert | menu_tag
    notice: Mapped[str] = mapped_column(String(48), default="")  # the notice kind, for template fallback
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    state: Mapped[str] = mapped_column(String(16), default=OutboxState.PENDING.value)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=clock_default)
    claimed_until: Mapped[datetime | None] = mapped_column(default=None)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=clock_default)
    sent_at: Mapped[datetime | None] = mapped_column(default=None)
    # issue 17: who holds the lease (a worker id), the record the push is about (from the dedupe key), and a push
    # given up for good: when, WeChat's code, and what the office did about it (retried, or delivered otherwise)
    claimed_by: Mapped[str] = mapped_column(String(100), default="")
    subject_type: Mapped[str] = mapped_column(String(30), default="")
    subject_id: Mapped[int | None] = mapped_column(default=None)
    last_code: Mapped[int | None] = mapped_column(default=None)
    reason: Mapped[str] = mapped_column(String(24), default="")  # why it was given up (backend.services.undelivered)
    given_up_at: Mapped[datetime | None] = mapped_column(default=None)
    resolution: Mapped[str] = mapped_column(String(16), default="")  # "" | phone | paper | in_person
    resolved_at: Mapped[datetime | None] = mapped_column(default=None)
    resolved_by: Mapped[str] = mapped_column(String(100), default="")
    office_retries: Mapped[int] = mapped_column(default=0)


class WorkerHeartbeat(Base):
    """A worker loop (a `dudao worker` process or the worker thread of `dudao serve`) saying it is alive."""

    __tablename__ = "worker_heartbeat"
    worker_id: Mapped[str] = mapped_column(String(100), primary_key=True)  # host:pid:random
    host: Mapped[str] = mapped_column(String(100))
    pid: Mapped[int] = mapped_column()
    kind: Mapped[str] = mapped_column(String(16))  # worker | serve
    started_at: Mapped[datetime] = mapped_column()
    beat_at: Mapped[datetime] = mapped_column()
    jobs: Mapped[dict[str, Any]] = mapped_column(default=dict)  # name -> {"at", "ok", "seconds"}


class AuditEvent(Base):
    """Who did what, when and why: every change of state."""

    __tablename__ = "audit_event"
    __table_args__ = (
        Index("ix_audit_subject", "subject_type", "subject_id"),
        Index("ix_audit_actor_at", "actor", "at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=clock_default, index=True)
    actor: Mapped[str] = mapped_column(String(100))  # e.g. "inspector:12", "office:admin", "system"
    action: Mapped[str] = mapped_column(String(60))
    subject_type: Mapped[str] = mapped_column(String(30))
    subject_id: Mapped[int | None] = mapped_column(default=None)
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)


class PrivacyRequest(Base):
    """A person's request about their personal information (个人信息保护法: access, copy, deletion): a work item of
    the office with a deadline in working days, closed with what was done."""

    __tablename__ = "privacy_request"
    id: Mapped[int] = mapped_column(primary_key=True)
    authority_id: Mapped[int] = mapped_column(ForeignKey("authority.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # backend.domain.kinds.PrivacyRequestKind
    openid: Mapped[str | None] = mapped_column(String(64), default=None)  # who asked, when known
    concern_id: Mapped[int | None] = mapped_column(ForeignKey("concern.id"), default=None)  # by ticket + secret
    contact: Mapped[str] = mapped_column(String(100), default="")
    message: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(16), default="open")  # open | closed
    received_at: Mapped[datetime] = mapped_column(default=clock_default)
    due_on: Mapped[date] = mapped_column(Date)
    closed_at: Mapped[datetime | None] = mapped_column(default=None)
    closed_by: Mapped[str] = mapped_column(String(100), default="")
    outcome: Mapped[str] = mapped_column(Text, default="")


class CalendarDay(Base):
    """An exception to the Monday-to-Friday week: a holiday weekday or a make-up working weekend day (调休)."""

    __tablename__ = "calendar_day"
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(40), default="")


class ApiToken(Base):
    """A bearer token for the JSON API. Only the hash is kept."""

    __tablename__ = "api_token"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=clock_default)
    last_used_at: Mapped[datetime | None] = mapped_column(default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)


class OfficeUser(Timestamped, Base):
    """A person of the office web: an office admin or a zone leader."""

    __tablename__ = "office_user"
    id: Mapped[int] = mapped_column(primary_key=True)
    authority_id: Mapped[int] = mapped_column(ForeignKey("authority.id"))
    username: Mapped[str] = mapped_column(String(60), unique=True)
    display_name: Mapped[str] = mapped_column(String(60), default="")
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16), default="office")  # office | zone_leader
    zone_id: Mapped[int | None] = mapped_column(ForeignKey("zone.id"), default=None)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # issue 16: an account given its password by someone else changes it at its first sign-in
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    password_changed_at: Mapped[datetime | None] = mapped_column(default=None)
    last_login_at: Mapped[datetime | None] = mapped_column(default=None)
    last_login_ip: Mapped[str] = mapped_column(String(64), default="")
    previous_login_at: Mapped[datetime | None] = mapped_column(default=None)
    previous_login_ip: Mapped[str] = mapped_column(String(64), default="")


class Checklist(Base):
    """One version of a checklist (督导评估表): importing a list under a name it already has makes the next version;
    a task keeps the version it was created with."""

    __tablename__ = "checklist"
    __table_args__ = (UniqueConstraint("authority_id", "name", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    authority_id: Mapped[int] = mapped_column(ForeignKey("authority.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    version: Mapped[int] = mapped_column(default=1)
    source_name: Mapped[str] = mapped_column(String(200), default="")  # the file it was imported from
    created_by: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(default=clock_default)

    items: Mapped[list[ChecklistItem]] = relationship(
        back_populates="checklist", order_by="ChecklistItem.position", cascade="all, delete-orphan"
    )


class ChecklistItem(Base):
    """An item of a checklist version: its text as typed, how it is answered and what it is worth."""

    __tablename__ = "checklist_item"
    __table_args__ = (UniqueConstraint("checklist_id", "position"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    checklist_id: Mapped[int] = mapped_column(ForeignKey("checklist.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column()  # 1, 2, ... in the list's order
    number: Mapped[str] = mapped_column(String(16), default="")  # 序号 as typed (1, 1.2, (三))
    section: Mapped[str] = mapped_column(String(200), default="")  # 分类 (一、办园条件)
    text: Mapped[str] = mapped_column(Text)  # 检查内容
    answer_type: Mapped[str] = mapped_column(String(16))  # backend.domain.kinds.AnswerType
    options: Mapped[list[Any]] = mapped_column(default=list)  # 选项: [{"label": "符合", "passed": true}, ...]
    min_value: Mapped[float | None] = mapped_column(Float, default=None)  # 数字: the range that passes
    max_value: Mapped[float | None] = mapped_column(Float, default=None)
    score: Mapped[float] = mapped_column(Float, default=0.0)  # 分值
    rectify_on_fail: Mapped[bool] = mapped_column(Boolean, default=False)  # 不合格须整改
    photo_required: Mapped[bool] = mapped_column(Boolean, default=False)  # 需拍照

    checklist: Mapped[Checklist] = relationship(back_populates="items")


class Task(Timestamped, Base):
    """A supervision task the office dispatches (专项, 综合, 随机, 暗访, 校长任期, 回访复查) to a team over a window.

    A 随机 or 暗访 sample is drawn by the system from `sample_pool`; `sample_seed` redraws the same sample."""

    __tablename__ = "task"
    id: Mapped[int] = mapped_column(primary_key=True)
    authority_id: Mapped[int] = mapped_column(ForeignKey("authority.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(24))  # backend.domain.kinds.TaskKind
    checklist_id: Mapped[int] = mapped_column(ForeignKey("checklist.id"), index=True)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(16), default=TaskState.OPEN.value)
    note: Mapped[str] = mapped_column(Text, default="")
    sample_seed: Mapped[str] = mapped_column(String(40), default="")
    sample_size: Mapped[int | None] = mapped_column(default=None)
    sample_pool: Mapped[str] = mapped_column(String(200), default="")  # "all" | "zone:<name>" | "" (no sample)
    created_by: Mapped[str] = mapped_column(String(100), default="")

    checklist: Mapped[Checklist] = relationship()
    members: Mapped[list[TaskMember]] = relationship(
        back_populates="task", order_by="TaskMember.position", cascade="all, delete-orphan"
    )
    targets: Mapped[list[TaskTarget]] = relationship(
        back_populates="task", order_by="TaskTarget.position", cascade="all, delete-orphan"
    )


class TaskMember(Base):
    """An inspector on a task's team (the team may cross zones); one of them is its 组长."""

    __tablename__ = "task_member"
    __table_args__ = (UniqueConstraint("task_id", "inspector_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"), index=True)
    inspector_id: Mapped[int] = mapped_column(ForeignKey("inspector.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    leader: Mapped[bool] = mapped_column(Boolean, default=False)

    task: Mapped[Task] = relationship(back_populates="members")
    inspector: Mapped[Inspector] = relationship()


class TaskTarget(Base):
    """A unit a task checks, the team inspector assigned to it, and the state of its check."""

    __tablename__ = "task_target"
    __table_args__ = (
        UniqueConstraint("task_id", "unit_id"),
        Index("ix_task_target_inspector_state", "inspector_id", "state"),
        Index("ix_task_target_unit", "unit_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    inspector_id: Mapped[int] = mapped_column(ForeignKey("inspector.id"))
    position: Mapped[int] = mapped_column(default=0)
    state: Mapped[str] = mapped_column(String(16), default=CheckState.NOT_STARTED.value)
    # 回访复查: the closed rectification this target revisits
    rectification_id: Mapped[int | None] = mapped_column(ForeignKey("rectification.id"), default=None)
    started_at: Mapped[datetime | None] = mapped_column(default=None)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("visit.id"), default=None)  # the visit a finished check is
    score: Mapped[float | None] = mapped_column(Float, default=None)  # the sum of the answers' scores, once done
    max_score: Mapped[float | None] = mapped_column(Float, default=None)
    failed_count: Mapped[int] = mapped_column(default=0)
    # location check-in at the unit
    checkin_latitude: Mapped[float | None] = mapped_column(Float, default=None)
    checkin_longitude: Mapped[float | None] = mapped_column(Float, default=None)
    checkin_distance_m: Mapped[float | None] = mapped_column(Float, default=None)
    checked_in_at: Mapped[datetime | None] = mapped_column(default=None)

    task: Mapped[Task] = relationship(back_populates="targets")
    unit: Mapped[Unit] = relationship()
    inspector: Mapped[Inspector] = relationship()
    answers: Mapped[list[TaskAnswer]] = relationship(back_populates="target", cascade="all, delete-orphan")


class TaskAnswer(Base):
    """One item answered (or skipped) in a target's check; chat and the in-WeChat form write the same row."""

    __tablename__ = "task_answer"
    __table_args__ = (UniqueConstraint("target_id", "item_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    target_id: Mapped[int] = mapped_column(ForeignKey("task_target.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("checklist_item.id"))
    value: Mapped[str] = mapped_column(Text, default="")  # as given: 是, 8, 基本符合, 3.5, the typed remark
    passed: Mapped[bool | None] = mapped_column(Boolean, default=None)  # None: no pass/fail (文字, skipped)
    score: Mapped[float | None] = mapped_column(Float, default=None)
    remark: Mapped[str] = mapped_column(Text, default="")  # what the inspector added, as typed
    media_ids: Mapped[list[Any]] = mapped_column(default=list)  # Media.id of the photos
    skipped: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[str] = mapped_column(String(16), default="chat")  # chat | form | web
    answered_by: Mapped[int | None] = mapped_column(ForeignKey("inspector.id"), default=None)
    answered_at: Mapped[datetime] = mapped_column(default=clock_default)

    target: Mapped[TaskTarget] = relationship(back_populates="answers")
    item: Mapped[ChecklistItem] = relationship()


class IndicatorSystem(Timestamped, Base):
    """A year's 督政 indicator system for townships or for departments (评价指标体系, issue 15)."""

    __tablename__ = "indicator_system"
    __table_args__ = (UniqueConstraint("authority_id", "year", "target"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    authority_id: Mapped[int] = mapped_column(ForeignKey("authority.id"), index=True)
    year: Mapped[int] = mapped_column()
    target: Mapped[str] = mapped_column(String(16))  # backend.domain.kinds.EvaluationTarget
    name: Mapped[str] = mapped_column(String(200), default="")
    copied_from_id: Mapped[int | None] = mapped_column(ForeignKey("indicator_system.id"), default=None)
    # the grade thresholds, percent of the full score: {"excellent": 90, "good": 80, "pass": 60}
    grades: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # the results on /public: set when the office approves publishing them
    published_at: Mapped[datetime | None] = mapped_column(default=None)
    published_by: Mapped[str] = mapped_column(String(100), default="")


class Indicator(Base):
    """One row of an indicator system: its three levels, 分值, 评分标准 and 佐证材料."""

    __tablename__ = "indicator"
    id: Mapped[int] = mapped_column(primary_key=True)
    system_id: Mapped[int] = mapped_column(ForeignKey("indicator_system.id"), index=True)
    position: Mapped[int] = mapped_column()
    level1: Mapped[str] = mapped_column(String(200))
    level2: Mapped[str] = mapped_column(String(200))
    level3: Mapped[str] = mapped_column(String(200), default="")
    max_score: Mapped[float] = mapped_column(Float)
    rule: Mapped[str] = mapped_column(Text, default="")
    evidence: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)  # a removed row stays for the scores given on it


class IndicatorChange(Base):
    """The change log of an indicator system: who changed what, when and why (动态调整)."""

    __tablename__ = "indicator_change"
    id: Mapped[int] = mapped_column(primary_key=True)
    system_id: Mapped[int] = mapped_column(ForeignKey("indicator_system.id"), index=True)
    indicator_id: Mapped[int | None] = mapped_column(ForeignKey("indicator.id"), default=None)
    at: Mapped[datetime] = mapped_column(default=clock_default)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(24))  # created | copied | imported | added | changed | removed
    reason: Mapped[str] = mapped_column(Text, default="")
    before: Mapped[dict[str, Any]] = mapped_column(default=dict)
    after: Mapped[dict[str, Any]] = mapped_column(default=dict)


class Evaluation(Timestamped, Base):
    """A unit's yearly 督政 evaluation: 自评, the office's scores, the result and its feedback."""

    __tablename__ = "evaluation"
    __table_args__ = (UniqueConstraint("system_id", "unit_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    authority_id: Mapped[int] = mapped_column(ForeignKey("authority.id"), index=True)
    system_id: Mapped[int] = mapped_column(ForeignKey("indicator_system.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    state: Mapped[str] = mapped_column(String(16), default=EvaluationState.OPEN.value)
    deadline: Mapped[date] = mapped_column(Date)  # the 自评's deadline
    opened_at: Mapped[datetime] = mapped_column(default=clock_default)
    opened_by: Mapped[str] = mapped_column(String(100), default="")
    # each bound contact's signed link to the 自评 form (backend.services.form_links), by openid
    form_urls: Mapped[dict[str, Any]] = mapped_column(default=dict)
    submitted_at: Mapped[datetime | None] = mapped_column(default=None)
    submitted_by: Mapped[str] = mapped_column(String(100), default="")
    scored_at: Mapped[datetime | None] = mapped_column(default=None)
    scored_by: Mapped[str] = mapped_column(String(100), default="")
    field_note: Mapped[str] = mapped_column(Text, default="")  # 实地核查 as a whole
    total: Mapped[float | None] = mapped_column(Float, default=None)
    grade: Mapped[str] = mapped_column(String(16), default="")
    fed_back_at: Mapped[datetime | None] = mapped_column(default=None)
    feedback: Mapped[dict[str, Any]] = mapped_column(default=dict)  # the 反馈意见书's text, number, document


class EvaluationEntry(Base):
    """A unit's 自评 and the office's score on one indicator; attachments are `Media` (owner `evaluation_entry`)."""

    __tablename__ = "evaluation_entry"
    __table_args__ = (UniqueConstraint("evaluation_id", "indicator_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("evaluation.id"), index=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicator.id"))
    self_score: Mapped[float | None] = mapped_column(Float, default=None)
    self_note: Mapped[str] = mapped_column(Text, default="")
    score: Mapped[float | None] = mapped_column(Float, default=None)  # the office's (experts') score
    check_note: Mapped[str] = mapped_column(Text, default="")  # 实地核查 on this indicator
    scored_by: Mapped[str] = mapped_column(String(100), default="")


class EvaluationRectification(Base):
    """A 整改 item of an evaluation's 反馈意见书: a rectification running the chain, and the indicator it is for."""

    __tablename__ = "evaluation_rectification"
    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("evaluation.id"), index=True)
    rectification_id: Mapped[int] = mapped_column(ForeignKey("rectification.id"), unique=True)
    indicator_id: Mapped[int | None] = mapped_column(ForeignKey("indicator.id"), default=None)


__all__ = [
    "ApiToken",
    "Assignment",
    "AuditEvent",
    "Authority",
    "Base",
    "BindCode",
    "BoardCode",
    "CalendarDay",
    "Checklist",
    "ChecklistItem",
    "Commendation",
    "Concern",
    "Document",
    "DocumentCounter",
    "Escalation",
    "EscalationFiling",
    "Evaluation",
    "EvaluationEntry",
    "EvaluationRectification",
    "ExtensionRequest",
    "InboundDelivery",
    "Indicator",
    "IndicatorChange",
    "IndicatorSystem",
    "Inspector",
    "Media",
    "OfficeUser",
    "OutboxMessage",
    "PrivacyRequest",
    "Rectification",
    "Referral",
    "Task",
    "TaskAnswer",
    "TaskMember",
    "TaskTarget",
    "TrainingRecord",
    "Unit",
    "Visit",
    "WechatIdentity",
    "Zone",
]
