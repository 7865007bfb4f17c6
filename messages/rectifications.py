"""What the rectification chain says: 整改通知, reminders, 复查, 督办, 约谈, 通报, 问责, the unit's and inspector's chat."""

MESSAGES: dict[str, str] = {
    # states, as people read them
    "rect.state.draft": "待下发",
    "rect.state.issued": "待签收",
    "rect.state.acknowledged": "整改中",
    "rect.state.submitted": "待复查",
    "rect.state.reopened": "复查未通过，重新整改中",
    "rect.state.verified": "复查通过",
    "rect.state.closed": "已销号",
    "rect.overdue": "已逾期",
    "rect.level.0": "无",
    "rect.level.1": "督办",
    "rect.level.2": "约谈",
    "rect.level.3": "通报",
    "rect.level.4": "问责",
    "rect.level.supervision_notice": "督办通知",
    "rect.level.talk": "约谈",
    "rect.level.circular": "通报",
    "rect.level.accountability": "问责",
    "rect.escalation_state.proposed": "待督导室确认",
    "rect.escalation_state.confirmed": "已确认",
    "rect.escalation_state.declined": "不予采纳",
    "rect.urgent": "（紧急）",
    "rect.no_item": "其他",
    # the 整改通知 to the unit
    "rect.notice.unreachable": (
        "【整改通知未能送达】{unit}还没有联络人绑定督导通微信，整改通知（编号 {number}，期限 {deadline}）无法推送。"
        "请以书面或电话方式送达，并为该单位的联络人发放绑定码。"
    ),
    "rect.notice.unreachable_subject": "整改通知{number}未能送达",
    "rect.notice.issued": (
        "【整改通知】{urgent}{unit}：\n"
        "编号：{number}\n"
        "督导事项：{item}\n"
        "发现问题：{problem}\n"
        "整改要求：{requirement}\n"
        "整改期限：{deadline}前\n"
        "责任督学：{inspector}\n"
        "请回复「签收」确认收到；整改完成后回复「已整改 {number}」并附上说明和照片。"
    ),
    # reminders to the unit
    "rect.remind.not_signed": (
        "【整改提醒】{unit}：整改通知 {number}（{problem}）已下发一个工作日，尚未签收。请回复「签收 {number}」确认收到。"
    ),
    "rect.remind.due_in_3": "【整改提醒】{unit}：整改事项 {number}（{problem}）将于{deadline}到期，还有3个工作日，请抓紧整改。",
    "rect.remind.due_in_1": "【整改提醒】{unit}：整改事项 {number}（{problem}）明天（{deadline}）到期，请尽快提交整改报告。",
    "rect.remind.due_today": (
        "【整改提醒】{unit}：整改事项 {number}（{problem}）今天（{deadline}）到期。"
        "完成后请回复「已整改 {number}」；确有困难可回复「申请延期 {number} 原因」。"
    ),
    # to the inspector
    "rect.notice.submitted": (
        "【整改报告】{unit}已提交整改事项 {number}（{problem}）的整改报告：\n{report}\n"
        "照片 {photos} 张。复查后请回复「复查 {number} 通过」或「复查 {number} 不通过 原因」。"
    ),
    "rect.notice.extension_requested": (
        "【延期申请】{unit}申请延长整改事项 {number}（{problem}）的期限（现为{deadline}），理由：{reason}\n"
        "请回复「同意延期 {number} 日期」或「不同意延期 {number} 原因」。"
    ),
    # the re-inspection's result, to the unit
    "rect.notice.verified": "【复查结果】{unit}：整改事项 {number}（{problem}）复查通过，已销号。感谢配合！",
    "rect.notice.reopened": (
        "【复查结果】{unit}：整改事项 {number}（{problem}）复查未通过。\n原因：{reason}\n"
        "请在{deadline}前重新整改，完成后回复「已整改 {number}」。"
    ),
    "rect.notice.extension_requested_subject": "延期申请 {number}",
    "rect.notice.extension_granted": "【延期申请】{unit}：整改事项 {number} 的期限已延长至{deadline}。",
    "rect.notice.extension_refused": "【延期申请】{unit}：整改事项 {number} 的延期申请未获同意。原因：{reason}。期限仍为{deadline}。",
    # the ladder
    "rect.notice.supervision": (
        "【督办通知】{unit}：整改事项 {number}（{problem}）已超过整改期限（{old_deadline}）仍未完成。"
        "请在{deadline}前完成整改并提交整改报告，逾期将按规定约谈单位负责人。"
    ),
    "rect.notice.supervision_superior": (
        "【督办通知（抄送）】{superior}：所属{unit}的整改事项 {number}（{problem}）已逾期，"
        "已下发督办通知，新的整改期限为{deadline}，请督促落实。"
    ),
    "rect.notice.talk_proposed": (
        "【待确认】整改事项 {number}（{unit}：{problem}）督办后仍逾期，建议约谈单位负责人。"
        "请在督导室确认并记录约谈情况。"
    ),
    "rect.notice.circular_proposed": (
        "【待确认】整改事项 {number}（{unit}：{problem}）约谈后仍逾期，建议予以通报。请在督导室确认。"
    ),
    "rect.notice.talk_held": (
        "【约谈记录】{unit}整改事项 {number}：约谈时间 {held_at}；参加人员：{attendees}；"
        "约谈内容：{summary}；整改承诺：{commitments}。新的整改期限为{deadline}。"
    ),
    "rect.notice.circular": "【通报】{unit}整改事项 {number}（{problem}）逾期未整改，经约谈仍未落实，现予以通报。{text}",
    "rect.notice.accountability": (
        "【问责决定】{unit}：基本情况：{basic_facts}；问责事实：{accountability_facts}；"
        "问责依据：{basis}；问责方式：{measures}；生效时间：{effective_at}。"
    ),
    # chat: the unit contact
    "rect.bot.signed": "已签收整改通知 {number}（{problem}），整改期限：{deadline}。完成后请回复「已整改 {number}」。",
    "rect.bot.signed_many": "已签收 {count} 份整改通知：{numbers}。回复「整改」查看待办事项。",
    "rect.bot.nothing_to_sign": "目前没有需要签收的整改通知。回复「整改」查看待办事项。",
    "rect.bot.which_to_sign": "有多份待签收的整改通知：{numbers}。请回复「签收 编号」逐一签收，或回复「签收 全部」。",
    "rect.bot.not_found": "没有找到编号为 {number} 的整改事项，请核对编号（回复「整改」查看）。",
    "rect.bot.open_none": "目前没有待办的整改事项。",
    "rect.bot.open_header": "待办整改事项（{count} 项）：",
    "rect.bot.open_line": "{number}｜{problem}｜期限 {deadline}｜{state}{overdue}",
    "rect.bot.report_start": (
        "请发送整改事项 {number}（{problem}）的整改情况说明，可以附照片。全部发完后回复「提交」；回复「取消」放弃。"
    ),
    "rect.bot.report_text_kept": "已记下说明。可以继续发照片或补充文字，发完回复「提交」。",
    "rect.bot.report_photo_kept": "已收到照片（共 {count} 张）。发完回复「提交」。",
    "rect.bot.report_empty": "整改报告还没有内容，请先发文字说明或照片。",
    "rect.bot.report_submitted": "整改报告已提交（{number}），责任督学将安排复查，结果会通知您。",
    "rect.bot.report_cancelled": "已取消，整改报告没有提交。",
    "rect.bot.cannot_report": "整改事项 {number} 当前状态为「{state}」，不能提交整改报告。",
    "rect.bot.extension_requested": "已提交延期申请（{number}），责任督学或督导室审核后会通知您。",
    "rect.bot.extension_pending": "整改事项 {number} 已有一份延期申请在审核中，请耐心等待。",
    "rect.bot.extension_needs_reason": "请写明延期理由，例如：申请延期 {number} 需要等待设备到货",
    "rect.bot.cannot_extend": "整改事项 {number} 当前状态为「{state}」，不能申请延期。",
    # chat: the inspector
    "rect.bot.verified": "复查通过：{number}（{unit}），已销号并通知单位。",
    "rect.bot.reopened": "复查不通过：{number}（{unit}），已通知单位重新整改，新期限 {deadline}。",
    "rect.bot.reinspect_needs_reason": "请写明不通过的原因，例如：复查 {number} 不通过 消防通道仍有杂物 2026-12-10",
    "rect.bot.cannot_reinspect": "整改事项 {number} 当前状态为「{state}」，还不能复查。",
    "rect.bot.not_yours": "整改事项 {number} 不在您负责的学校范围内。",
    "rect.bot.followup_photo": "已收到复查照片，记入复查 {number} 的回访记录。",
    "rect.bot.followup_location": "已记录复查位置（{number}）。",
    "rect.bot.extension_granted": "已同意延期：{number}（{unit}），新期限 {deadline}。",
    "rect.bot.extension_refused": "已不同意延期：{number}（{unit}），期限仍为 {deadline}。",
    "rect.bot.no_extension": "整改事项 {number} 没有待审核的延期申请。",
    "rect.bot.bad_date": "新期限「{text}」还不太清楚。可以写日期或时长，例如：12月10日、12.10、两周、10天（不早于今天）。",
    # CLI (office)
    "rect.cli.row": "{number}  {unit}  {state}{overdue}  期限 {deadline}  层级 {level}  {problem}",
    "rect.cli.row_issued": "已下发整改通知 {number}。",
    "rect.cli.none": "没有符合条件的整改事项。",
    "rect.cli.escalation_row": "#{id}  {number}  {unit}  {level}  {state}  {proposed_at}",
    "rect.cli.escalations_none": "没有待确认的升级事项。",
    "rect.cli.confirmed": "已确认：{number} 的{level}。",
    "rect.cli.declined": "不予采纳：{number} 的{level}。",
    "rect.cli.accountability": "已记录问责：{number}（{unit}）。{heavier}",
    "rect.cli.heavier": "注意：该单位一年内已被问责 {count} 次，应从重处理。",
    "rect.cli.extension_row": "#{id}  {number}  {unit}  理由：{reason}  申请于 {requested_at}",
    "rect.cli.extensions_none": "没有待审核的延期申请。",
    "rect.cli.extension_granted": "已同意延期：{number}，新期限 {deadline}。",
    "rect.cli.extension_refused": "已不同意延期：{number}。",
    "rect.cli.refused": "操作未执行：{error}",
    "rect.cli.reminders_none": "没有提醒记录。",
    "rect.cli.reminder_row": "{created_at}  {number}  {kind}  {openid}  {state}",
    "rect.reminder.not_signed": "未签收提醒",
    "rect.reminder.due_in_3": "到期前3个工作日提醒",
    "rect.reminder.due_in_1": "到期前1个工作日提醒",
    "rect.reminder.due_today": "到期当日提醒",
    "rect.reminder.supervision": "督办通知",
    # the JSON API
    "openapi.tag.rectifications": "整改事项",
    "openapi.rectifications.list": "整改事项列表（含处理经过、升级记录和延期申请）",
    "openapi.param.rect_unit": "单位标识码",
    "openapi.param.rect_state": "状态",
    "openapi.param.rect_overdue": "是否逾期（按整改期限即时计算）",
    "openapi.param.rect_level": "升级层级：0 无，1 督办，2 约谈，3 通报，4 问责",
    # the bot's help, added to each role's own
    "rect.bot.help.unit": (
        "· 发送“整改”查看待办整改事项。\n"
        "· 收到整改通知后发送“签收”（或“签收 编号”）。\n"
        "· 整改完成后发送“已整改 编号”，再发说明和照片，最后发送“提交”。\n"
        "· 确有困难可发送“申请延期 编号 理由”。"
    ),
    "rect.bot.help.inspector": (
        "· 复查整改：“复查 编号 通过”或“复查 编号 不通过 原因 [新期限]”，随后可发照片和位置。\n"
        "· 延期申请：“同意延期 编号 日期或时长”（如：同意延期 57 两周）或“不同意延期 编号 原因”。"
    ),
    # errors a service raises (shown by the bot or CLI)
    "rect.error.state": "当前状态为「{state}」，不能执行此操作。",
    "rect.error.deadline_past": "新的整改期限不能早于今天。",
    "rect.error.record_missing": "记录缺少：{fields}。",
    "rect.error.escalation_done": "这条升级事项已经处理过了。",
}
