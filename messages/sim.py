"""Words of the simulator: the terminal chat (`dudao chat`), the /sim page, and what the demo prints about them."""

MESSAGES: dict[str, str] = {
    # the demo: the fake WeChat API, bind codes to try, how to chat
    "sim.demo.companion": "模拟微信接口",
    "sim.demo.fake_api": "模拟微信接口：{url}（演示中的客服消息和模板消息都发到这里，不会发往真实的微信）",
    "sim.demo.bind_code": "获取{who}的绑定码：{command}\n  （然后在 dudao chat 中发送“绑定 十位绑定码”）",
    "sim.demo.no_bind_code": "演示数据中没有可绑定的责任督学或学校，请用 dudao bind-code 生成绑定码。",
    "sim.demo.try": (
        "试用方法：\n  三部手机并排   {url}/sim\n  终端聊天       在另一个终端运行 dudao chat（连接信息见 {path}）"
    ),
    "sim.demo.try_school": "可扫描的学校：{code} {name}（在 dudao chat 中发送 /scan {code}）",
    # dudao chat
    "sim.chat.banner": (
        "督导通模拟聊天：您现在是微信用户 {openid}，消息发往 {url}{mode}。\n发送 /help 查看命令，/quit 退出。"
    ),
    "sim.chat.safe_mode": "（安全模式，消息加密）",
    "sim.chat.plain_mode": "（明文模式）",
    "sim.chat.help": (
        "直接输入文字：发送文字消息\n"
        "/scan <学校代码>      扫描这所学校公示牌上的二维码（第一次为关注，之后为扫码）\n"
        "/location <纬度> <经度> 发送位置\n"
        "/image <图片文件>     发送图片\n"
        "/voice <识别出的文字>  发送语音（附带微信的语音识别结果）\n"
        "/as <openid>          换成另一个微信用户\n"
        "/pushes               查看当前用户收到的客服消息和模板消息\n"
        "/menu                 查看当前用户看到的公众号菜单\n"
        "/click <按钮名称>      点击菜单中的这个按钮，例如 /click 待办\n"
        "/help                 查看本说明\n"
        "/quit                 退出"
    ),
    "sim.chat.usage.click": "用法：/click <按钮名称>，按钮名称见 /menu，例如 /click 待办",
    "sim.chat.you_are": "您现在是微信用户 {openid}。",
    "sim.chat.reply": "公众号回复：\n{text}",
    "sim.chat.no_reply": "（公众号没有回复文字）",
    "sim.chat.push": "收到推送（{kind}）：\n{text}",
    "sim.chat.no_pushes": "{openid} 还没有收到推送。",
    "sim.chat.unknown_command": "不认识的命令：{command}。发送 /help 查看命令。",
    "sim.chat.usage.scan": "用法：/scan <学校代码>",
    "sim.chat.usage.location": "用法：/location <纬度> <经度>，例如 /location 28.472 113.216",
    "sim.chat.usage.image": "用法：/image <图片文件路径>",
    "sim.chat.usage.voice": "用法：/voice <识别出的文字>",
    "sim.chat.usage.as": "用法：/as <openid>（6 到 64 位字母、数字、- 或 _）",
    "sim.chat.no_file": "找不到图片文件：{path}",
    "sim.chat.needs_fake_api": "这个命令需要模拟微信接口，请用 --fake-api 指定它的地址（dudao demo 会自动提供）。",
    "sim.chat.http_error": "公众号服务器返回了 HTTP {status}：{body}",
    "sim.chat.unreachable": "连接不上公众号服务器 {url}：{error}",
    "sim.chat.bye": "再见。",
    "sim.chat.no_token": "缺少公众号的 Token：请用 --token 指定，或设置 DUDAO_WECHAT_TOKEN。",
    # how a push or a sent message is described in a transcript
    "sim.push.text": "客服消息",
    "sim.push.image": "图片消息",
    "sim.push.template": "模板消息",
    "sim.push.other": "消息",
    "sim.push.template_body": "模板 {template_id}\n{fields}",
    "sim.push.image_body": "[图片 {media_id}]",
    "sim.sent.scan": "[扫描 {code} 的公示牌二维码]",
    "sim.sent.location": "[位置 {lat}, {lon}]",
    "sim.sent.image": "[图片 {name}]",
    "sim.sent.voice": "[语音] {text}",
    # the /sim page
    "sim.page.title": "督导通 · 微信模拟器",
    "sim.page.intro": "三部模拟手机，消息按微信服务器的方式（签名、加密）发送到本服务的 /wechat。",
    "sim.page.account": "督导通",
    "sim.phone.parent": "家长",
    "sim.phone.inspector": "责任督学",
    "sim.phone.unit": "学校联络人",
    "sim.phone.parent.who": "普通公众",
    "sim.phone.inspector.who": "{name}督学",
    "sim.phone.unit.who": "{name}",
    "sim.page.placeholder": "输入消息",
    "sim.page.send": "发送",
    "sim.page.scan": "扫一扫",
    "sim.page.scan_title": "选择要扫描的学校公示牌",
    "sim.page.scan_go": "扫描",
    "sim.page.cancel": "取消",
    "sim.page.location": "发送位置",
    "sim.page.picture": "发送图片",
    "sim.page.push": "推送",
    "sim.page.binding": "正在绑定身份……",
    "sim.page.error": "发送失败：{error}",
    "sim.page.empty": "还没有消息。",
    "sim.api.bad_phone": "没有这部手机。",
    "sim.api.bad_request": "请求内容不完整。",
}
