"""Words of the WeChat bot: help per role, scans, binding, and the binding commands of the CLI."""

MESSAGES: dict[str, str] = {
    "bot.role.public": "公众",
    "bot.role.inspector": "责任督学",
    "bot.role.unit": "单位联络人",
    "bot.role.office": "督导室",
    # help per role: what anyone gets for input the bot does not understand
    "bot.help.public": (
        "您好，欢迎使用督导通。\n"
        "· 扫描学校门口“责任督学挂牌督导公示牌”上的二维码，可查看该校的责任督学，并向督学反映问题。\n"
        "· 责任督学和学校联络人：请发送“绑定 十位绑定码”完成身份绑定（绑定码由督导室提供）。\n"
        "· 发送“帮助”可再次查看本说明。"
    ),
    "bot.help.unit": ("您好，您是{unit}的督导联络人。\n· 发送“帮助”查看本说明。\n· 发送“解绑”解除本微信与单位的绑定。"),
    "bot.help.office": (
        "您好，您是督导室工作人员。紧急情况和需要督导室处理的事项会推送到这里，详细办理请登录督导室后台。\n"
        "· 发送“待处理”查看全县未办结和超期的事项。\n"
        "· 发送“帮助”查看本说明。\n"
        "· 发送“解绑”解除本微信的绑定。"
    ),
    "bot.welcome": "感谢关注督导通！\n\n{help}",
    "bot.voice.unrecognised": "抱歉，没有听清您的语音，请改用文字再发一次。",
    "bot.error.fallback": "抱歉，系统暂时繁忙，请稍后再发一次。",
    # scanning a school's board
    "bot.scan.school": (
        "您扫描的是：{school}\n"
        "责任督学：{inspector}\n"
        "联系电话：{phone}\n\n"
        "如需向责任督学反映这所学校的问题，请直接在本对话中发送文字、图片或语音，写明事情经过。"
        "我们会转交责任督学受理核实，并为您的身份保密。"
    ),
    "bot.scan.school_without_inspector": (
        "您扫描的是：{school}\n"
        "这所学校的责任督学正在安排中。\n\n"
        "如需反映这所学校的问题，请直接在本对话中发送文字、图片或语音，我们会转交督导室处理，并为您的身份保密。"
    ),
    "bot.scan.unknown": "抱歉，这个二维码无法识别，可能已经停用。请扫描学校门口公示牌上的二维码。",
    # binding
    "bot.bind.ask_code": "请发送督导室提供的十位绑定码，例如：绑定 12345 67890",
    "bot.bind.bad_format": "绑定码是十位数字，请核对后重新发送，例如：绑定 12345 67890",
    "bot.bind.bound.inspector": "绑定成功！您已作为责任督学{name}使用督导通。发送“帮助”查看可用功能。",
    "bot.bind.bound.unit": "绑定成功！您已作为{name}的督导联络人使用督导通。发送“帮助”查看可用功能。",
    "bot.bind.bound.office": "绑定成功！您已作为督导室的{name}使用督导通，紧急情况和需要督导室处理的事项会发到这里。",
    "bot.bind.invalid": "绑定码不正确，请核对后重新发送。如有疑问，请联系督导室。",
    "bot.bind.used": "这个绑定码已经使用过了。每个绑定码只能用一次，请向督导室申请新的绑定码。",
    "bot.bind.expired": "这个绑定码已过期，请向督导室申请新的绑定码。",
    "bot.bind.rate_limited": "绑定尝试次数过多，为保护账号安全，请一小时后再试。",
    "bot.bind.unavailable": "绑定服务暂时不可用，请稍后再试。",
    "bot.bind.guessing_alert": (
        "【绑定码疑似被猜测】{at} 前一小时内，公众号收到 {failures} 次错误的绑定码（来自多个微信用户）。"
        "为防止绑定码被猜中，本小时内暂停所有绑定，下一个整点自动恢复。"
        "如不是督学或学校联络人集中绑定时输错，请留意：可在后台“微信绑定”中检查新绑定的账号。"
    ),
    "bot.bind.guessing_subject": "绑定码疑似被猜测，已暂停绑定",
    "bot.bind.guessing_detail": "一小时内错误绑定码过多，下一个整点恢复",
    "bot.unbind.done": "已解除绑定。您现在以普通用户身份使用督导通。",
    "bot.unbind.not_bound": "您还没有绑定身份，无需解绑。",
    # the CLI: bind codes and bindings
    "cli.bind_code.issued": (
        "{who}的绑定码：{code}\n有效期至 {expires}（北京时间），只能使用一次。\n请在微信中向公众号发送：绑定 {code}"
    ),
    "cli.bind_code.no_inspector": "没有找到督学编号为 {number} 的责任督学。",
    "cli.bind_code.no_unit": "没有找到单位代码为 {code} 的单位。",
    "cli.bind_code.no_office_user": "没有找到用户名为 {username} 的督导室账号（可用 dudao user create 创建）。",
    "cli.bindings.none": "目前没有已绑定身份的微信用户。",
    "cli.bindings.row": "{openid}\t{role}\t{name}\t绑定于 {bound_at}",
    "cli.bindings.revoked": "已解除 {openid} 的绑定。",
    "cli.bindings.not_bound": "{openid} 没有绑定身份。",
}
