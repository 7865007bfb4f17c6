"""Words of visit logging (督导记录): the inspector's chat, the monthly report, the visits API and CLI."""

MESSAGES: dict[str, str] = {
    "visits.help.inspector": (
        "{name}督学，您好。直接发一句话就能记录，例如：\n"
        "“今天在{school}看了食堂，晨检记录缺了3天，要求一周内补齐”\n"
        "常用：我的学校 · 待办 · 本月 · 记录（一步步记）· 撤销（30分钟内）\n"
        "整改 {school} 问题 期限 —— 下整改通知；紧急 …… —— 立即报告督导室"
    ),
    "visits.help.any_school": "城关二小",
    "visits.slip": "您是想{action}吗？回复“是”即可。",
    "visits.slip.我的学校": "查看“我的学校”",
    "visits.slip.待办": "查看“待办”",
    "visits.slip.本月": "查看“本月”进度",
    "visits.slip.记录": "开始“记录”督导",
    "visits.slip.撤销": "“撤销”刚才的记录",
    "visits.slip.确认整改": "“确认整改”",
    "visits.slip.帮助": "查看“帮助”",
    "visits.plan": "好的，祝督导顺利！去过之后把看到的情况发给我（例如“今天在某某学校看了食堂……”），就能记录。",
    "visits.plan_ahead": "好的，祝督导顺利！去过之后把看到的情况发给我，就能记录。如果已经去过了，请回复是哪一天去的。",
    "visits.chat.thanks": "不客气，辛苦了！",
    "visits.chat.chat": "好的。要记录督导，直接发一句话就行，例如：今天在某某小学看了食堂。",
    "visits.chat.yes": "好的。",
    "visits.question.general": "您问的情况可以看看待办：\n{todo}",
    "visits.question.none": "{school}目前没有未完成的整改事项。",
    "visits.question.items": "{school}未完成的整改事项：\n{rows}",
    "visits.question.row": "· {number} {problem}：{state}（期限{deadline}）",
    "visits.requirement.default": "立即整改到位，完成后回复整改报告和照片",
    "visits.correct.done": "已更正（#{number}）：学校 {school}，日期 {date}。",
    "visits.correct.draft": "已更正整改通知草稿 {number}：学校改为 {school}。回复“确认整改”发给学校。",
    "visits.correct.nothing": "没有刚才的记录可以更正。请直接重发一条完整的记录。",
    "visits.correct.what": "请说明要改成哪所学校或哪一天，例如：不对，是城关二小；不对，是昨天。",
    "visits.kind.routine": "经常性督导",
    "visits.kind.special": "专项督导",
    "visits.kind.unannounced": "随机/暗访",
    "visits.kind.follow_up": "回访复查",
    "visits.kind.comprehensive": "综合督导",
    # 我的学校 / 待办 / 本月
    "visits.schools.none": "目前没有分配给您的学校。如有疑问，请联系督导室。",
    "visits.schools.head": "您负责的学校（记录时可直接发序号）：",
    "visits.schools.row": "{number}. {name}\n   上次督导：{last}{open}",
    "visits.schools.never": "本学期还没有记录",
    "visits.schools.open": "；待办：{what}",
    "visits.schools.open_concerns": "留言{count}条",
    "visits.schools.open_rects": "整改{count}项",
    "visits.todo.head": "您的待办：",
    "visits.todo.concerns": "【待回复的留言】",
    "visits.todo.concern_row": "· {ticket} {school}",
    "visits.todo.reinspect": "【等您复查的整改】",
    "visits.todo.rect_row": "· {number} {school}（期限{deadline}）",
    "visits.todo.drafts": "【待您确认的整改通知】回复“确认整改”发给学校",
    "visits.todo.unvisited": "【本月还没去的学校】",
    "visits.todo.school_row": "· {school}",
    "visits.todo.none": "目前没有待办事项，辛苦了！",
    "visits.month.text": (
        "{month}督导情况：\n"
        "· 本月已督导 {visits} 次，到校 {done}/{schools} 所（目标每校每月 {per_month} 次）\n"
        "· 本学期每校至少 {floor} 次：{semester}"
    ),
    "visits.month.semester_ok": "全部达到",
    "visits.month.semester_short": "还有 {count} 所未达到（{schools}）",
    "visits.month.unvisited": "\n· 本月还没去：{schools}",
    # one-message logging
    "visits.summary": (
        "已记录（{number}）：\n"
        "学校：{school}\n"
        "日期：{date}\n"
        "方式：{kind}\n"
        "事项：{items}\n"
        "看到的：{seen}\n"
        "问题：{problems}\n"
        "期限：{deadline}"
    ),
    "visits.summary.added": (
        "已补充到刚才的记录（{number}）：\n"
        "学校：{school}\n"
        "日期：{date}\n"
        "方式：{kind}\n"
        "事项：{items}\n"
        "看到的：{seen}\n"
        "问题：{problems}\n"
        "期限：{deadline}"
    ),
    "visits.summary.none": "无",
    "visits.summary.unknown_items": "未识别（可在督导室修改）",
    "visits.summary.evidence": "\n照片 {photos} 张{where}",
    "visits.summary.where": "，签到距学校约 {distance} 米",
    "visits.summary.where_far": "，签到距学校约 {distance} 米（较远，已提示督导室）",
    "visits.summary.where_unknown": "，已签到（学校未登记位置）",
    "visits.summary.drafts": "\n\n已生成整改通知草稿 {numbers}，回复“确认整改”发给学校。",
    "visits.summary.urgent": "\n\n已作为紧急情况立即报告督导室。",
    "visits.summary.tail": "\n\n有误请在30分钟内回复“撤销”后重发；可继续发送照片和位置。",
    "visits.date.today": "{date}（今天）",
    "visits.date.plain": "{date}",
    "visits.ask.school": "请问是哪所学校？请回复序号：\n{choices}",
    "visits.ask.school_which": "“{said}”对应您负责的几所学校，请回复序号：\n{choices}",
    "visits.ask.school_unsure": "没有找到“{said}”。您说的是下面哪所？请回复序号：\n{choices}",
    "visits.ask.school_unknown": "您负责的学校里没有“{said}”。请回复序号：\n{choices}",
    "visits.ask.choice": "{number}. {name}",
    "visits.ask.date": "请问是哪一天去的？请回复日期，例如：今天、昨天、11月20日。",
    "visits.ask.date_invalid": "“{said}”这个日期不对，请再发一次日期，例如：11月20日。",
    "visits.ask.date_future": "督导记录只能记已经去过的。请问是哪一天去的？例如：今天、昨天、11月20日。",
    "visits.ask.date_conflict": "消息里有两个日期（{said}），请问是哪一天去的？",
    "visits.ask.date_vague": "“{said}”是哪一天？请回复日期，例如：昨天、上周三、11月20日。",
    "visits.ask.deadline_past": "整改期限早于督导日期，请重发这条记录，写清整改期限。",
    "visits.ask.bad_number": "请回复列表中的序号，或回复“取消”。",
    "visits.not_yours": "“{school}”不是您负责的学校，不能替它记录。如分工有变，请联系督导室。",
    "visits.cancelled": "已取消，没有记录。",
    "visits.not_a_visit": "没看懂这条消息。\n\n{help}",
    # the guided dialogue (记录)
    "visits.dialogue.school": "开始记录督导（随时回复“取消”退出）。\n第1步：哪所学校？请回复序号：\n{choices}",
    "visits.dialogue.kind": ("第2步：督导方式？请回复序号：\n1. 经常性督导\n2. 专项督导\n3. 随机/暗访\n4. 回访复查"),
    "visits.dialogue.items": "第3步：看了哪些事项？可回复多个序号，如：1 6 7\n{choices}",
    "visits.dialogue.text": (
        "第4步：请说说看到的情况和发现的问题（可用语音）。有整改要求请写上期限，如：要求一周内补齐。"
    ),
    "visits.dialogue.evidence": "第5步：请发送照片和位置（点“+”→“位置”），可发多张。都发完请回复“完成”。",
    "visits.dialogue.photo_added": "收到第 {count} 张照片。还有请继续发，发完回复“完成”。",
    "visits.dialogue.location_added": "已签到。发完请回复“完成”。",
    "visits.dialogue.text_added": "已补充。发完请回复“完成”。",
    "visits.dialogue.bad_kind": "请回复 1、2、3 或 4。",
    "visits.dialogue.bad_items": "请回复事项序号（1-{count}），多个用空格隔开。",
    # evidence outside the dialogue
    "visits.photo.attached": "照片已加到 {school} {date} 的记录中。",
    "visits.photo.pending": "照片已收到。请接着发这次督导的文字记录（哪所学校、看了什么），照片会一起记上。",
    "visits.location.attached": "已签到，距{school}约 {distance} 米。",
    "visits.location.attached_far": "已签到，距{school}约 {distance} 米，离学校较远，已提示督导室核实。",
    "visits.location.attached_unknown": "已签到（{school}没有登记位置，无法计算距离）。",
    "visits.location.pending": "位置已收到。请接着发这次督导的文字记录，位置会一起记上。",
    # 撤销
    "visits.undo.done": "已撤销 {school} {date} 的记录{withdrawn}。",
    "visits.undo.withdrawn": "，未发出的整改通知草稿也一并撤回",
    "visits.undo.nothing": "没有可以撤销的记录。",
    "visits.undo.too_late": "记录超过 {minutes} 分钟，不能在这里撤销了。如需更正，请联系督导室。",
    # 整改 / 确认整改
    "visits.rect.usage": "请这样发：整改 学校 问题 期限\n例如：整改 城关二小 晨检记录不全 12月1日前",
    "visits.rect.no_deadline": "没有看到整改期限，请加上期限再发，例如：一周内、12月1日前。",
    "visits.rect.no_problem": "请写明要整改的问题，例如：整改 城关二小 晨检记录不全 12月1日前",
    "visits.rect.drafted": (
        "已生成整改通知草稿 {number}：\n学校：{school}\n问题：{problem}\n期限：{deadline}\n回复“确认整改”发给学校，回复“撤销整改”作废。"
    ),
    "visits.rect.none": "没有待确认的整改通知。",
    "visits.rect.issued": "已发出整改通知：{numbers}。学校会收到通知并按期整改，到期前系统会提醒。",
    "visits.rect.choose": "有 {count} 份整改通知待确认：\n{rows}\n回复“确认整改”全部发出，或“确认整改 序号”只发一份。",
    "visits.rect.row": "{n}. {number} {school}：{problem}（期限{deadline}）",
    "visits.rect.discarded": "已作废整改通知草稿：{numbers}。",
    # 紧急
    "visits.urgent.subject": "紧急：{school}",
    "visits.urgent.office": "【紧急】{inspector}督学报告：{school}\n{detail}\n请尽快处理。",
    "visits.urgent.usage": "请说明学校和情况，例如：紧急 城关二小 教学楼楼梯护栏松动",
    # errors
    "visits.error.not_yours": "这所学校不是您负责的，不能替它记录。",
    "visits.error.future_date": "督导日期不能晚于今天。",
    "visits.error.bad_kind": "督导方式不正确。",
    "visits.error.not_found": "没有找到这条督导记录。",
    "visits.error.bad_change": "不能修改这些内容：{fields}",
    # the monthly report (月报)
    "visits.report.push": (
        "{inspector}督学，{month}督导月报：\n"
        "· 督导 {visits} 次，到校 {done}/{schools} 所\n"
        "{rows}"
        "· 涉及事项：{items}\n"
        "· 发现问题 {problems} 条，未完成整改 {open} 项\n"
        "辛苦了！发送“本月”查看本月进度。"
    ),
    "visits.report.row": "  {school}：{count} 次\n",
    "visits.report.progress": "督导{visits}次，到校{done}/{schools}所",
    "visits.report.month": "{year}年{month}月",
    "visits.report.sheet_summary": "汇总",
    "visits.report.sheet_visits": "督导记录",
    "visits.report.col.inspector_number": "督学编号",
    "visits.report.col.inspector": "责任督学",
    "visits.report.col.schools": "负责学校数",
    "visits.report.col.visits": "督导次数",
    "visits.report.col.schools_visited": "到校数",
    "visits.report.col.items": "涉及事项",
    "visits.report.col.problems": "发现问题数",
    "visits.report.col.open_rects": "未完成整改",
    "visits.report.col.date": "日期",
    "visits.report.col.school": "学校",
    "visits.report.col.kind": "方式",
    "visits.report.col.observations": "看到的情况",
    "visits.report.col.problem_text": "发现的问题",
    "visits.report.col.photos": "照片数",
    "visits.report.col.distance": "签到距离（米）",
    "visits.report.col.far": "远离学校",
    "visits.report.yes": "是",
    "visits.cli.exported": "已导出 {month} 的督导月报（{inspectors} 名督学，{visits} 条记录）：{path}",
    "visits.cli.bad_month": "月份格式应为 YYYY-MM，例如 2026-11。",
    "visits.cli.pushed": "已排队 {count} 条月报推送。",
    # the API's OpenAPI document
    "openapi.tag.visits": "督导记录",
    "openapi.visits.list": "督导记录列表",
    "openapi.visits.list.description": "按学校代码、督学编号和日期范围筛选督导记录，含事项、文字、问题、照片和签到距离。需要访问令牌。",
    "openapi.param.school_code": "学校代码",
    "openapi.param.inspector_number": "督学编号",
    "openapi.param.date_from": "起始日期（含），YYYY-MM-DD",
    "openapi.param.date_to": "截止日期（含），YYYY-MM-DD",
    "openapi.param.include_revoked": "是否包含已撤销的记录",
    "visits.api.reason.date": "应为 YYYY-MM-DD 格式的日期",
}
