"""Words of public concerns (家长留言 / 举报投诉): the reporter's replies, the inspector's commands and notices,
reminders and escalations, and the office's command line."""

MESSAGES: dict[str, str] = {
    # states, as the reporter and the inspector read them
    "concern.state.received": "已收到，待受理",
    "concern.state.acknowledged": "已受理",
    "concern.state.verifying": "核实中",
    "concern.state.answered": "已答复",
    "concern.state.closed": "已办结",
    "concern.state.referred": "已转办",
    "concern.state.not_substantiated": "经核实不属实",
    "concern.state.duplicate": "已合并到其他留言",
    "concern.category.none": "未分类",
    "concern.content.empty": "（仅图片或语音）",
    "concern.no_inspector": "暂无责任督学",
    "concern.menu.row": "{code}. {name}",
    # the reporter, in WeChat
    "concern.reply.opened_ask_category": (
        "已收到您对{school}的反映，留言编号：{ticket}\n"
        "请回复数字，选择问题类别：\n{menu}\n\n"
        "10 分钟内继续发送的文字、图片（最多 9 张）或语音会补充到这条留言。"
        "如愿意留下联系电话方便督学回访，请发送“电话 手机号”（可不留）。\n"
        "您的身份会严格保密，学校不会知道是谁反映的。发送“查询”可查看办理进度。"
    ),
    "concern.reply.opened_inferred": (
        "已收到您对{school}的反映，留言编号：{ticket}\n"
        "问题类别：{category}，已转交责任督学{inspector}受理。\n"
        "如类别不对，请回复数字更正：\n{menu}\n\n"
        "10 分钟内继续发送的文字、图片（最多 9 张）或语音会补充到这条留言。"
        "如愿意留下联系电话方便督学回访，请发送“电话 手机号”（可不留）。\n"
        "您的身份会严格保密，学校不会知道是谁反映的。发送“查询”可查看办理进度。"
    ),
    "concern.reply.opened_photo": (
        "已收到您对{school}的反映（图片），留言编号：{ticket}\n"
        "请再用文字简要说明情况，并回复数字选择问题类别：\n{menu}\n\n"
        "您的身份会严格保密。发送“查询”可查看办理进度。"
    ),
    "concern.reply.appended_text": "已补充到留言 {ticket}。",
    "concern.reply.appended_photo": "已收到第 {photos} 张图片，已补充到留言 {ticket}。",
    "concern.reply.appended_voice": "已收到语音，已补充到留言 {ticket}。",
    "concern.reply.too_many_photos": "每条留言最多 9 张图片，这张没有保存。如需补充，请在 10 分钟后另发一条留言。",
    "concern.reply.too_short": (
        "您好！如需向{school}的责任督学反映问题，请用一两句话写明具体情况（时间、地点、事情经过），"
        "也可以发送图片或语音。"
    ),
    "concern.reply.blocked": "您好，您的留言暂时无法受理。如有紧急情况，请拨打督导室电话{hotline}。",
    "concern.reply.rate_limited": (
        "您今天已提交多条留言，为保证每条留言都能得到认真处理，请明天再提交新的留言。已提交的留言可发送“查询”查看进度。"
    ),
    "concern.reply.category_set": "好的，留言 {ticket} 的问题类别为：{category}。已转交责任督学{inspector}受理，答复会通过本公众号告知您。",
    "concern.reply.category_changed": "好的，留言 {ticket} 的问题类别已更正为：{category}。",
    "concern.reply.category_bad": "请回复类别前面的数字：\n{menu}",
    "concern.reply.no_recent": "没有找到需要选择类别的留言。如需反映问题，请先扫描学校公示牌上的二维码。",
    "concern.reply.phone_saved": "已为留言 {ticket} 记下联系电话，只有责任督学能看到，学校不会知道。",
    "concern.reply.phone_bad": "电话号码格式不对，请发送“电话 手机号”，例如：电话 13800000000",
    "concern.reply.phone_no_concern": "您目前没有正在办理的留言，无需留电话。",
    "concern.mine.none": "您还没有提交过留言。扫描学校门口公示牌上的二维码，即可向责任督学反映问题。",
    "concern.mine.header": "您的留言（最近 {count} 条）：",
    "concern.mine.row": "\n{ticket}｜{school}｜{category}\n提交于 {received}，{state}",
    "concern.mine.answer": "\n督学答复：{answer}",
    "concern.mine.note.referred": "\n已转交：{note}",
    "concern.mine.note.not_substantiated": "\n核实情况：{note}",
    "concern.mine.state.duplicate": "已由督导室合并办理",
    # the reporter, pushed
    "concern.reporter.acknowledged": "您对{school}的留言（{ticket}）已由责任督学受理，正在处理，请耐心等待答复。",
    "concern.reporter.answered": "您对{school}的留言（{ticket}）有了答复：\n{text}\n\n发送“查询”可随时查看。",
    "concern.reporter.referred": "您对{school}的留言（{ticket}）已转交{text}办理。\n\n发送“查询”可随时查看。",
    "concern.reporter.not_substantiated": (
        "您对{school}的留言（{ticket}）经责任督学核实，情况不属实。核实情况：{text}\n"
        "如有异议，可拨打督导室电话反映。发送“查询”可随时查看。"
    ),
    # the person in charge, pushed
    "concern.notice.received.inspector": (
        "【新的家长留言】{ticket}\n学校：{school}\n类别：{category}\n内容：{content}\n图片：{photos} 张\n{phone}\n"
        "请于 {ack_due} 前受理（回复“受理 {ticket}”），{answer_due} 前答复（回复“回复 {ticket} 答复内容”）。"
        "发送“留言”查看待办留言。反映人身份须保密，请勿向学校透露。"
    ),
    "concern.notice.received.zone_leader": (
        "【新的家长留言·学校暂无责任督学】{ticket}\n学校：{school}\n类别：{category}\n内容：{content}\n"
        "图片：{photos} 张\n{phone}\n作为责任区负责人，请于 {ack_due} 前受理（回复“受理 {ticket}”），"
        "{answer_due} 前答复（回复“回复 {ticket} 答复内容”）。反映人身份须保密，请勿向学校透露。"
    ),
    "concern.notice.received.office": (
        "【新的家长留言·无人接收】{ticket}\n学校：{school}\n类别：{category}\n内容：{content}\n图片：{photos} 张\n"
        "{phone}\n这所学校没有可接收的责任督学或责任区负责人，请督导室安排办理（dudao concerns answer）。"
    ),
    "concern.notice.similar": "（与留言 {original} 内容相近，可能是同一件事，请一并核实、分别答复。）\n",
    "concern.notice.phone": "反映人电话：{phone}（仅供回访核实，请勿外传）",
    "concern.notice.no_phone": "反映人未留电话。",
    "concern.notice.phone_added": "留言 {ticket}（{school}）的反映人补充了联系电话：{phone}（仅供回访核实，请勿外传）",
    "concern.remind.ack": "【留言待受理】{ticket}（{school}）今天（{due}）是受理期限，请回复“受理 {ticket}”。",
    "concern.remind.answer": "【留言待答复】{ticket}（{school}）的答复期限是 {due}，请及时回复“回复 {ticket} 答复内容”。",
    "concern.overdue.ack": "受理",
    "concern.overdue.answer": "答复",
    "concern.escalated.1": (
        "【留言超期·请督促】{ticket}（{school}，{category}）\n责任督学：{inspector}\n应于 {due} 前{what}，至今未办。\n"
        "内容：{content}\n请督促办理；您也可以直接处理：受理 {ticket} / 回复 {ticket} 答复内容。"
    ),
    "concern.escalated.2": (
        "【留言严重超期】{ticket}（{school}，{category}）\n责任督学：{inspector}\n应于 {due} 前{what}，"
        "责任区督促后仍未办理。\n内容：{content}\n请督导室处理（dudao concerns list / answer）。"
    ),
    # the inspector, in WeChat
    "concern.inspector.none": "目前没有待办的家长留言。",
    "concern.inspector.header": "待办的家长留言（{count} 条）：",
    "concern.inspector.row": "\n{ticket}｜{school}｜{category}｜{state}\n答复期限 {answer_due}：{content}",
    "concern.inspector.footer": "\n\n发送“留言 编号”查看详情；“受理 编号”“核实 编号”“回复 编号 答复内容”“不属实 编号 核实情况”“转办 编号 承办单位”。",
    "concern.inspector.detail": (
        "留言 {ticket}（{state}）\n学校：{school}\n类别：{category}\n收到：{received}\n"
        "受理期限：{ack_due}；答复期限：{answer_due}\n内容：{content}\n图片：{photos} 张\n{phone}{answer}"
    ),
    "concern.inspector.detail.answer": "\n已答复：{answer}",
    "concern.inspector.acknowledged": "已受理留言 {ticket}，已告知反映人。请于 {answer_due} 前答复：回复 {ticket} 答复内容",
    "concern.inspector.verifying": "留言 {ticket} 已标记为核实中。核实后请回复：回复 {ticket} 答复内容",
    "concern.inspector.answered": "已答复留言 {ticket}，答复已转给反映人。",
    "concern.inspector.referred": "留言 {ticket} 已转交{note}，已告知反映人。",
    "concern.inspector.not_substantiated": "留言 {ticket} 已标记为不属实，核实情况已告知反映人。",
    "concern.inspector.closed": "留言 {ticket} 已办结。",
    "concern.inspector.not_found": "没有找到编号为 {ticket} 的留言，请核对编号（如 T2611-0042）。",
    "concern.inspector.illegal": "留言 {ticket} 目前{state}，不能再{action}。",
    "concern.inspector.usage.answer": "请按格式发送：回复 留言编号 答复内容，例如：回复 T2611-0042 已与学校核实，食堂已整改。",
    "concern.inspector.usage.not_substantiated": "请按格式发送：不属实 留言编号 核实情况",
    "concern.inspector.usage.refer": "请按格式发送：转办 留言编号 承办单位，例如：转办 T2611-0042 县市场监管局",
    "concern.action.acknowledged": "受理",
    "concern.action.verifying": "核实",
    "concern.action.answered": "答复",
    "concern.action.referred": "转办",
    "concern.action.not_substantiated": "标记为不属实",
    "concern.action.closed": "办结",
    # the office's command line (dudao concerns)
    "concern.cli.none": "没有符合条件的留言。",
    "concern.cli.row": "{ticket}\t{state}\t{school}\t{category}\t收到 {received}\t答复期限 {answer_due}\t督学 {inspector}\t{content}",
    "concern.cli.done": "留言 {ticket}：{state}",
    "concern.cli.not_found": "没有找到编号为 {ticket} 的留言。",
    "concern.error.state": "这条留言当前为「{state}」，不能这样处理。",
    "concern.cli.illegal": "留言 {ticket} 目前{state}，不能这样处理。",
    "concern.cli.blocked": "已将 {openid} 加入留言屏蔽名单：其留言不再受理，也不会被记录。",
    "concern.cli.unblocked": "已将 {openid} 移出屏蔽名单。",
    "concern.cli.unchanged": "{openid} 的屏蔽状态没有变化。",
    "concern.cli.blocked_none": "屏蔽名单为空。",
    # a parent who writes before scanning: which school?
    "concern.school.ask": "请问您反映的是哪所学校？请回复学校名称（如“城关二小”），也可以扫描学校门口公示牌上的二维码。",
    "concern.school.kept": "\n您刚才写的内容已经保存，确定学校后会一并转给该校的责任督学。",
    "concern.school.confirm": "您说的“{said}”是{school}吗？是请回复“是”，不是请回复学校名称。",
    "concern.school.which": "“{said}”可能是下面几所学校，请回复序号：\n{choices}",
    "concern.school.choice": "{number}. {name}",
    "concern.school.unknown": "没有找到“{said}”这所学校。请回复学校的名称，或扫描学校门口公示牌上的二维码。",
}
