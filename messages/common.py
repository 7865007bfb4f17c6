"""Words shared across the system: labels of kinds, errors of the web API, the CLI's own lines."""

MESSAGES: dict[str, str] = {
    # a picture from outside that is not kept (backend.services.images), as the office reads it on the item
    "image.refused.too_big": "图片尺寸过大（超过 4000 万像素或边长超过 16000 像素），为保护系统未予保存。",
    "image.refused.not_image": "文件无法识别为 JPG、PNG 或 GIF 图片，未予保存。",
    # unit kinds (学段) and ownership (办学性质)
    "unit_kind.kindergarten": "幼儿园",
    "unit_kind.primary": "小学",
    "unit_kind.junior": "初中",
    "unit_kind.nine_year": "九年一贯制",
    "unit_kind.twelve_year": "十二年一贯制",
    "unit_kind.senior": "高中",
    "unit_kind.complete_secondary": "完全中学",
    "unit_kind.vocational": "中职",
    "unit_kind.special": "特教",
    "unit_kind.township": "乡镇（街道）",
    "unit_kind.department": "县级部门",
    "ownership.public": "公办",
    "ownership.private": "民办",
    "employment.full_time": "专职",
    "employment.part_time": "兼职",
    # the eight supervision items (八项督导事项), the seed of every authority's item list
    "item.1": "校务管理和制度执行",
    "item.2": "招生、收费、择校",
    "item.3": "课程开设和课堂教学",
    "item.4": "学生学习、体育锻炼和课业负担",
    "item.5": "教师师德和专业发展",
    "item.6": "校园及周边安全、学生交通安全",
    "item.7": "食堂、食品、饮水及宿舍卫生",
    "item.8": "校风、教风、学风",
    # the five duties (五项基本职责)
    "duty.1": "监督依法办学",
    "duty.2": "指导管理和教学",
    "duty.3": "受理核实举报投诉",
    "duty.4": "督促整改",
    "duty.5": "报告",
    "authority.default_name": "县人民政府教育督导委员会",
    "authority.default_office": "县人民政府教育督导室",
    # web API errors
    "api.error.unauthorized": "需要有效的访问令牌（Authorization: Bearer <令牌>）。",
    "api.error.not_found": "没有找到您要的内容。",
    "api.error.method_not_allowed": "不支持这种请求方式。",
    "api.error.bad_request": "请求格式不正确。",
    "api.error.too_large": "请求内容太大。",
    "api.error.internal": "服务器出了点问题，已记录，请稍后再试。",
    "health.ok": "正常",
    "health.down": "不可用",
    # CLI
    "cli.db.upgraded": "数据库已升级到最新版本：{url}",
    "cli.token.created": "已创建访问令牌「{name}」。令牌只显示这一次，请妥善保存：\n{token}",
    "cli.token.exists": "已有同名的令牌「{name}」，请换一个名称。",
    "cli.serve.listening": "督导通已启动：{url}",
    "cli.worker.started": "后台任务已启动（每 {interval} 秒一轮），按 Ctrl+C 停止。",
    "cli.worker.stopped": "后台任务已停止。",
    "cli.demo.loading": "正在准备演示县的数据……",
    "cli.demo.loaded": "演示数据：{zones} 个督学责任区，{schools} 所学校和幼儿园，{inspectors} 名责任督学。",
    "cli.demo.ready": (
        "督导通演示已就绪，请在浏览器打开：\n"
        "  健康检查   {url}/healthz\n"
        "  学校列表   {url}/api/v1/schools\n"
        "  接口文档   {url}/api/v1/openapi.json\n"
        "  结果公开   {url}/public/"
    ),
    "cli.demo.stop": "按 Ctrl+C 停止演示。",
}
