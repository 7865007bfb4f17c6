"""The office's 办理记录: what each recorded step means, for the steps messages/office.py does not name."""

MESSAGES = {
    "history.action.other": "其他操作",
    "history.actor.unit": "被督导单位联系人",
    # escalation.<level>.<step>, the level from rect.level.*
    "history.step.proposed": "提出{level}",
    "history.step.confirmed": "确认{level}",
    "history.step.declined": "不予{level}",
    "history.step.recorded": "记录{level}决定",
    "office.action.visit.added_to": "补充督导记录",
    "office.action.rectification.corrected": "更正整改事项的学校",
    "office.action.escalation.supervision_notice.confirmed": "确认发出督办通知",
    "office.action.escalation.accountability.recorded": "记录问责决定",
    "office.action.unit.nicknames": "修改学校简称",
    "office.action.board_code.created": "生成公示牌二维码",
    "office.action.concern.rate_limited": "留言过于频繁，未受理",
    "office.action.concern.refused_blocked": "已屏蔽的用户留言，未受理",
    "office.action.concern.reporter_blocked": "屏蔽反映人",
    "office.action.concern.reporter_unblocked": "取消屏蔽反映人",
}
