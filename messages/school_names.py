"""Words about school names: aliases an inspector teaches, and the office's 简称."""

MESSAGES: dict[str, str] = {
    "school_names.learned": "已记住：{phrase} = {school}。以后说“{phrase}”就直接记到这所学校（发“忘记 {phrase}”可取消）。",
    "school_names.forgotten": "已忘记：{phrase}（{school}）。",
    "school_names.forget_unknown": "没有记住过“{phrase}”。",
    "school_names.forget_usage": "请这样发：忘记 学校的叫法\n例如：忘记 天心中心校",
    "school_names.list_head": "您教过的学校叫法：",
    "school_names.list_row": "{phrase} = {school}",
    "school_names.none": "您还没有教过学校的叫法。从列表里选过一次学校后，您当时的说法就会被记住。",
    "school_names.confirm": "您说的“{said}”是{school}吗？是请回复“是”，不是请回复序号：\n{choices}",
}
