"""Words of the account's menus (自定义菜单): button labels, the user tags behind them, and menu answers.

WeChat's limits: a top button's name at most 16 bytes (5 Chinese characters), a sub button's at most 60 bytes;
a tag's name at most 30 bytes. `backend.domain.menus.check` holds every menu to them.
"""

MESSAGES: dict[str, str] = {
    # the user tags that choose a role's menu (shown in the WeChat console's user management too)
    "menu.tag.inspector": "督导通-责任督学",
    "menu.tag.unit": "督导通-单位联络人",
    "menu.tag.office": "督导通-督导室",
    # the public (default) menu
    "menu.public.report": "反映问题",
    "menu.public.how_to_report": "怎样反映问题",
    "menu.public.results": "督导结果公示",
    "menu.public.progress": "查询进度",
    "menu.public.help": "使用说明",
    # the inspector's (督学)
    "menu.inspector.record": "记录督导",
    "menu.inspector.work": "我的工作",
    "menu.inspector.todo": "待办",
    "menu.inspector.schools": "我的学校",
    "menu.inspector.month": "本月",
    "menu.inspector.concerns": "家长留言",
    "menu.inspector.help": "帮助",
    # the unit contact's (单位)
    "menu.unit.items": "整改事项",
    "menu.unit.sign": "签收",
    "menu.unit.help": "帮助",
    # the office's (督导室)
    "menu.office.pending": "待处理",
    "menu.office.more": "更多",
    "menu.office.web": "督导室后台",
    "menu.office.help": "帮助",
    # answers
    "menu.stale": ("抱歉，这个菜单已经更新了。请退出对话后重新进入，使用新的菜单；也可以发送“帮助”查看可用的功能。"),
    "menu.how_to_report": (
        "怎样向责任督学反映问题：\n"
        "1. 扫描学校门口“责任督学挂牌督导公示牌”上的二维码，可以看到这所学校的责任督学和联系电话；\n"
        "2. 扫码后直接在本对话中发送文字、图片或语音，写明学校、时间和事情经过；\n"
        "3. 也可以打开公示牌上的网址填写留言。\n"
        "我们会转交责任督学受理核实，并为您的身份保密。发送“查询”可查看您反映过的问题的办理进度。"
    ),
    "menu.office.pending_summary": (
        "督导室待处理事项（{today}）：\n"
        "· 未办结的家长留言：{concerns} 件，其中超期未答复 {concerns_overdue} 件\n"
        "· 未完成的整改：{rectifications} 项，其中逾期 {rectifications_overdue} 项\n"
        "· 未能送达的推送：{undelivered} 条\n"
        "详细办理请登录督导室后台：{url}"
    ),
    # the simulator (/sim, dudao chat)
    "menu.sim.clicked": "[菜单] {name}",
    "menu.sim.viewed": "[菜单链接] {name}",
    "menu.sim.none": "（公众号还没有菜单）",
    "menu.sim.keyboard": "切换到键盘",
    "menu.sim.menu": "切换到菜单",
    "menu.demo.pushed": "已在模拟的微信中创建公众号菜单：默认菜单 1 个，按角色的个性化菜单 {roles} 个。",
    # the CLI
    "menu.cli.pushed": (
        "菜单已推送：默认菜单 1 个，按角色的个性化菜单 {conditional} 个（删除旧的 {deleted} 个）；"
        "用户标签：{tags}；已排队同步标签的已绑定用户 {queued} 人。"
    ),
    "menu.cli.show_role": "—— {role}（标签 {tag}）——",
    "menu.cli.show_button": "{indent}{name}{target}",
    "menu.cli.default_only": (
        "默认菜单已推送；但这个公众号不能使用用户标签和个性化菜单（微信返回 48001，通常是公众号尚未认证），"
        "督学、单位和督导室暂时看到的是默认菜单，仍可发送文字命令。"
    ),
    "menu.cli.failed": "菜单推送失败：{error}",
    "menu.cli.invalid": "菜单定义超出微信的限制：{error}",
}
