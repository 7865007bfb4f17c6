"""Template messages: the notice kinds, and how each fills the keywords of its WeChat template.

A notice kind (`concern_received`, ...) is what the backend sends; its template is chosen in the WeChat
console and its id given as `DUDAO_TEMPLATE_<KIND>` (e.g. `DUDAO_TEMPLATE_CONCERN_RECEIVED`). The field map
says which value goes in which keyword: keys are the template's keywords as the console lists them
(`thing1`, `character_string2`, `time3`, `phrase4`...), values are format strings over the notice's
fields. Pick templates whose keywords match, or change the map here. WeChat ignores `first` and `remark`
since 2023, and truncates by keyword type: thing 20 characters, character_string 32, phrase 5.
See docs/wechat.md.
"""

TEMPLATE_FIELDS: dict[str, dict[str, str]] = {
    # to the inspector: a new concern about one of their schools
    "concern_received": {
        "character_string1": "{ticket_no}",
        "thing2": "{school}",
        "thing3": "{category}",
        "time4": "{received_at}",
    },
    # to the reporter: the inspector has taken the concern up
    "concern_acknowledged": {
        "character_string1": "{ticket_no}",
        "thing2": "{school}",
        "phrase3": "已受理",
        "time4": "{acknowledged_at}",
    },
    # to the reporter: the inspector's answer is ready
    "concern_answered": {
        "character_string1": "{ticket_no}",
        "thing2": "{school}",
        "phrase3": "已答复",
        "time4": "{answered_at}",
    },
    # to the zone leader or the office: a concern past its deadline
    "concern_overdue": {
        "character_string1": "{ticket_no}",
        "thing2": "{school}",
        "thing3": "{inspector}",
        "time4": "{due_on}",
    },
    # to the unit: a rectification notice (整改通知书)
    "rectification_issued": {
        "character_string1": "{number}",
        "thing2": "{unit}",
        "thing3": "{problem}",
        "time4": "{deadline}",
    },
    # to the unit: the deadline is near
    "rectification_due_soon": {
        "character_string1": "{number}",
        "thing2": "{unit}",
        "time3": "{deadline}",
    },
    # to the inspector: the unit submitted its rectification report
    "rectification_submitted": {
        "character_string1": "{number}",
        "thing2": "{unit}",
        "time3": "{submitted_at}",
    },
    # to the unit: the re-inspection passed or not (复查)
    "reinspection_result": {
        "character_string1": "{number}",
        "thing2": "{unit}",
        "phrase3": "{result}",
        "time4": "{reinspected_at}",
    },
    # to the unit: a supervision notice (督办通知) with a new deadline
    "supervision_notice": {
        "character_string1": "{number}",
        "thing2": "{unit}",
        "thing3": "{requirement}",
        "time4": "{deadline}",
    },
    # to the inspector: this month's visits are behind the target
    "visit_reminder": {
        "thing1": "{inspector}",
        "thing2": "{month}",
        "thing3": "{progress}",
    },
    # to the office: something needs a person (e.g. a notice that could not be delivered)
    "office_alert": {
        "thing1": "{subject}",
        "thing2": "{detail}",
        "time3": "{at}",
    },
    # to a team inspector: the office dispatched a task (督导任务) with checks for them
    "task_assigned": {
        "thing1": "{task}",
        "phrase2": "{kind}",
        "time3": "{ends}",
        "number4": "{count}",
    },
    # to a team inspector: the task's window closes soon and checks are not done
    "task_due_soon": {
        "thing1": "{task}",
        "time2": "{ends}",
        "number3": "{count}",
    },
    # to a 乡镇 or 县级部门: the year's 督政 evaluation is open, fill in the 自评 (the template opens the form)
    "evaluation_opened": {
        "thing1": "{title}",
        "thing2": "{unit}",
        "time3": "{deadline}",
    },
    # to the same: the 自评's deadline is near, or past
    "evaluation_due": {
        "thing1": "{title}",
        "thing2": "{unit}",
        "time3": "{deadline}",
    },
}

MESSAGES: dict[str, str] = {
    # the notice kinds, as the office web and the CLI list them
    "notice.concern_received": "收到新的家长留言",
    "notice.concern_acknowledged": "留言已受理",
    "notice.concern_answered": "留言已答复",
    "notice.concern_overdue": "留言处理超时",
    "notice.rectification_issued": "整改通知",
    "notice.rectification_due_soon": "整改即将到期",
    "notice.rectification_submitted": "整改报告已提交",
    "notice.reinspection_result": "复查结果",
    "notice.supervision_notice": "督办通知",
    "notice.visit_reminder": "督导进度提醒",
    "notice.office_alert": "督导室提醒",
    "notice.task_assigned": "新的督导任务",
    "notice.task_due_soon": "督导任务即将截止",
    "notice.evaluation_opened": "督政评价自评通知",
    "notice.evaluation_due": "督政自评截止提醒",
    "notice.result.passed": "通过",
    "notice.result.reopened": "不通过",
    # the outbox, as the office sees it
    "outbox.given_up": "一条通知未能送达（{notice}）：{error}",
    "outbox.alert.subject": "通知未能送达",
    # the CLI
    "wechat.cli.fake_listening": "模拟微信接口已启动：{url}（appid：{appid}），按 Ctrl+C 停止。",
    "wechat.cli.qr": "场景「{scene}」的永久二维码内容：{url}",
    "wechat.cli.not_configured": "还没有配置公众号（DUDAO_WECHAT_APPID / DUDAO_WECHAT_SECRET）。",
    "wechat.cli.failed": "调用微信接口失败：{error}",
    "wechat.cli.outbox_sent": "本轮发送：成功 {sent} 条，稍后重试 {retried} 条，改用模板消息 {fell_back} 条，放弃 {given_up} 条。",
    "wechat.cli.template_row": "{notice}（{label}）：{status}",
    "wechat.cli.template_set": "已配置 {template_id}",
    "wechat.cli.template_missing": "未配置（{env}）",
}
