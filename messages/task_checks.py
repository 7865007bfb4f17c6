"""Words of doing a task's check (检查): the chat dialogue, the in-WeChat form, the notices to the team, refusals.

Written for inspectors who are often retired principals: short lines, numbers to reply with, one thing at a time."""

MESSAGES: dict[str, str] = {
    "check.help": "督导任务：任务（查看并开始检查）· 继续（接着做暂停的检查）",
    # 任务: the list
    "check.list.none": "您目前没有督导任务。",
    "check.list.head": "您的督导任务（回复序号开始检查）：",
    "check.list.task": "【{task}】{kind}，{ends}前完成",
    "check.list.row": "{number}. {school} —— {progress}{detail}",
    "check.list.answered": "（已答{answered}/{items}项）",
    "check.list.scored": "（{score}分）",
    "check.list.more": "……还有{count}所没有列出（共已完成{done}所）。可直接发“检查 学校名”。",
    "check.list.tail": "回复序号开始，或发“检查 学校名”。中途可回复“暂停”，以后回复“继续”接着做。",
    "check.progress.not_started": "未开始",
    "check.progress.in_progress": "进行中",
    "check.progress.done": "已完成",
    "check.progress.overdue": "逾期",
    # picking the school
    "check.pick.unknown": "没找到“{said}”。请回复序号：\n{choices}",
    "check.pick.which": "“{said}”是哪一所？请回复序号：\n{choices}",
    "check.pick.choice": "{number}. {school}（{task}）",
    "check.pick.none_open": "您的任务里没有还要检查的学校了。",
    # the dialogue
    "check.start": "开始检查：{school}\n{task}，共{items}项。一项一项回复即可。\n想一次填完，也可以打开表单：{url}\n",
    "check.resume": "接着检查：{school}（已答{answered}/{items}项）。\n",
    "check.item": "第{position}/{items}项{section}\n{text}{score}\n{how}{photo}",
    "check.item.section": "【{section}】",
    "check.item.score": "（{max}分）",
    "check.item.photo": "\n本项需要拍照。",
    "check.how.yes_no": "回复：1 是　2 否（数字后可写说明）",
    "check.how.score": "回复得分 0～{max}（如：{max}）",
    "check.how.choice": "回复序号：{options}",
    "check.how.number": "回复数字",
    "check.how.text": "直接回复文字",
    "check.foot": "\n（跳过 · 返回 · 暂停）",
    "check.photo.ask": "已记下。请拍一张照片发来（第{position}项需要照片）。",
    "check.photo.added": "照片已收到（第{position}项，共{count}张）。",
    "check.photo.still_needed": "第{position}项还需要照片：请直接发照片。不方便拍可回复“跳过”。",
    "check.checked_in": "已签到：离学校约{distance}米。",
    "check.checked_in_far": "已签到：离学校约{distance}米，较远，已注明。",
    "check.checked_in_unknown": "已签到（学校位置未登记，无法算距离）。",
    "check.skipped": "第{position}项已跳过。",
    "check.back.first": "已经是第一项了。",
    "check.end": "全部{items}项已答完（跳过{skipped}项）。\n回复“完成”提交，生成督导记录；回复“返回”修改上一项。",
    "check.paused": "已暂停：{school}，已答{answered}/{items}项，答过的都已保存。\n以后回复“继续”接着做。",
    "check.resume.none": "没有暂停的检查。回复“任务”看您的督导任务。",
    "check.resume.which": "您有几所学校的检查还没做完，请回复序号：\n{choices}",
    "check.form_link": "{school}的检查表单（在微信里打开，可一次填完、上传照片）：\n{url}",
    "check.not_in_check": "您现在没有正在做的检查。回复“任务”看您的督导任务。",
    # finishing
    "check.done": (
        "已完成：{school}\n{task}\n得分 {score}/{max}，不合格{failed}项{skipped}。\n已记为一次{kind}督导记录（#{visit}）。"
    ),
    "check.done.skipped": "，跳过{count}项",
    "check.done.failed": "\n不合格：\n{rows}",
    "check.done.failed_row": "· {text}",
    "check.done.drafts": "\n已生成整改通知草稿：{numbers}。\n回复“确认整改”发给学校。",
    "check.done.no_drafts": "\n没有需要整改的项目。",
    "check.visit.observations": "{kind}「{task}」：得分{score}/{max}，不合格{failed}项，跳过{skipped}项。",
    "check.problem": "第{number}项 {text}：{said}",
    "check.requirement": "对照检查项立即整改，完成后回复整改报告和照片",
    # refusals
    "check.error.not_found": "没有找到这项检查。回复“任务”看您的督导任务。",
    "check.error.task_closed": "这项督导任务已结束或已撤销。",
    "check.error.done": "这所学校的检查已经完成了。",
    "check.error.not_yet": "这项任务从{starts}开始，到时再检查。",
    "check.error.no_item": "这一项不在本次评估表里。",
    "check.error.open_items": "还有第{items}项没有回答，请先答完（不检查的可回复“跳过”）。",
    "check.error.photos_missing": "第{items}项需要照片，请先发照片。",
    "check.error.too_many_photos": "每项最多{limit}张照片。",
    "check.error.no_photo": "没有收到照片。",
    "check.answer.expected.yes_no": "请回复 1（是）或 2（否），可在数字后写说明。",
    "check.answer.expected.score": "请回复 0～{max} 之间的得分（可以有半分，如 7.5）。",
    "check.answer.expected.choice": "请回复选项序号：{options}",
    "check.answer.expected.number": "请回复一个数字。",
    "check.answer.expected.text": "请写上检查情况。",
    # notices to the team
    "check.notice.assigned": (
        "{inspector}督学，您好。督导室发来新任务：{task}（{kind}），{starts}至{ends}，请您检查{count}所学校。\n"
        "回复“任务”查看并开始检查。"
    ),
    "check.notice.assigned_leader": (
        "{inspector}督学，您好。督导室发来新任务：{task}（{kind}），{starts}至{ends}，您是组长，请您检查{count}所学校。\n"
        "回复“任务”查看并开始检查。"
    ),
    "check.notice.due_soon": (
        "{inspector}督学，您好。{task}将于{ends}截止，您还有{count}所学校没有检查完。回复“任务”接着做。"
    ),
    # the form
    "check.form.title": "督导检查",
    "check.form.intro": "{task}（{kind}）· {ends}前完成",
    "check.form.yes": "是",
    "check.form.no": "否",
    "check.form.score_hint": "得分 0～{max}",
    "check.form.number_hint": "填数字",
    "check.form.remark": "说明（选填）",
    "check.form.skip": "跳过此项",
    "check.form.photo": "照片",
    "check.form.photo_required": "需拍照",
    "check.form.photos_kept": "已有照片{count}张",
    "check.form.save": "保存草稿",
    "check.form.submit": "提交检查",
    "check.form.saved": "已保存草稿：已答{answered}/{items}项。可以稍后接着填。",
    "check.form.errors": "还不能提交：",
    "check.form.error_item": "第{number}项：{reason}",
    "check.form.photo_bad": "照片读不了或太大（每张不超过8MB）",
    "check.form.done_title": "检查已提交",
    "check.form.done_body": "回到公众号，回复“确认整改”把整改通知发给学校。",
    "check.form.already_done": "这所学校的检查已经完成。",
}
