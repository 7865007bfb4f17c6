"""Words of the public boards (责任督学公示牌) and of `dudao boards`."""

MESSAGES: dict[str, str] = {
    # printed on the board
    "board.title": "责任督学公示牌",
    "board.label.inspector": "责任督学",
    "board.label.number": "督学编号",
    "board.label.phone": "联系电话",
    "board.label.zone": "督学责任区",
    "board.label.items": "督导事项",
    "board.label.duties": "工作职责",
    "board.label.office": "监督单位",
    "board.label.hotline": "监督电话",
    "board.qr_hint.wechat": "微信扫码，向责任督学反映问题",
    "board.qr_hint.web": "手机扫码，向责任督学反映问题",
    "board.version": "版本 v{version} · {date}",
    # dudao boards render
    "cli.boards.pick_one": "请指定要制作公示牌的范围：--school 学校代码、--zone 责任区名称，或 --all（三选一）。",
    "cli.boards.no_school": "没有找到学校代码为「{code}」的学校。",
    "cli.boards.no_zone": "没有找到名为「{name}」的督学责任区。",
    "cli.boards.none_selected": "所选范围内没有学校，没有生成公示牌。",
    "cli.boards.no_inspector": "以下 {count} 所学校目前没有责任督学，未生成公示牌：{schools}",
    "cli.boards.no_font": "找不到可以打印中文的字体，无法生成公示牌。请安装思源/Noto CJK 字体（Debian/Ubuntu：sudo apt-get install fonts-noto-cjk），然后重试。",
    "cli.boards.no_wechat_client": "已配置微信公众号，但无法创建带参数的永久二维码：{error}",
    "cli.boards.rendering": "正在生成 {count} 块公示牌（{size}，{format}）",
    "cli.boards.done": "已生成 {count} 块公示牌，用时 {seconds:.1f} 秒：{path}",
}
