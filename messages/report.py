"""The 督导报告 of one school (PDF): the words of the printed document."""

MESSAGES = {
    "report.title": "责任督学挂牌督导报告",
    "report.subtitle": "（{school}）",
    "report.date": "{year}年{month}月{day}日",
    "report.span": "{first}至{last}",
    "report.none": "—",
    "report.field.school": "学校名称",
    "report.field.code": "学校代码",
    "report.field.zone": "责任区",
    "report.field.inspector": "责任督学",
    "report.field.period": "报告期间",
    "report.field.issued": "报告日期",
    "report.inspector_number": "（督学证号 {number}）",
    "report.summary": (
        "{span}，责任督学到校督导 {visits} 次，发现问题 {findings} 条；整改事项 {rectifications} 项，"
        "其中复查通过或已销号 {done} 项、逾期未完成 {overdue} 项；收到群众反映 {concerns} 件。"
    ),
    "report.section.visits": "一、经常性督导（{n} 次）",
    "report.section.findings": "二、发现的问题（{n} 条）",
    "report.section.rectifications": "三、问题整改（{n} 项）",
    "report.section.concerns": "四、群众反映",
    "report.col.no": "序号",
    "report.col.date": "督导日期",
    "report.col.kind": "督导类型",
    "report.col.items": "督导事项",
    "report.col.seen": "督导情况",
    "report.col.number": "整改事项编号",
    "report.col.problem": "存在问题",
    "report.col.requirement": "整改要求",
    "report.col.deadline": "整改期限",
    "report.col.state": "办理状态",
    "report.urgent": "\n【紧急】",
    "report.finding": "{n}. {date}：{text}",
    "report.level": "，已{level}",
    "report.overdue": "，已逾期",
    "report.no_visits": "报告期间没有督导记录。",
    "report.no_findings": "报告期间督导未发现问题。",
    "report.no_rectifications": "报告期间没有整改事项。",
    "report.concern_part": "{state} {n} 件",
    "report.concern_counts": "报告期间共收到群众反映 {total} 件：{parts}。反映人的身份信息不在本报告中出现。",
    "report.no_concerns": "报告期间没有收到群众反映。",
    "report.generated": "本报告根据督导通中的督导记录、整改台账和群众反映办理情况生成。",
    "report.footer": "{school}（{code}）督导报告",
    "report.page": "第 {n} 页 共 {total} 页",
    "report.error.no_font": (
        "无法生成 PDF：服务器上没有能同时显示汉字、数字和字母的 TrueType 字体。"
        "请管理员安装文泉驿微米黑（sudo apt-get install fonts-wqy-microhei）后重试。"
    ),
}
