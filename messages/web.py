"""Words of the web basics: API errors, the OpenAPI document, health, tokens, serve, worker and the demo."""

MESSAGES: dict[str, str] = {
    # API errors (the general ones live in messages/common.py)
    "api.error.bad_parameter": "参数「{name}」的值不正确：{reason}",
    "api.error.unavailable": "服务暂时不可用，请稍后再试。",
    "api.reason.integer": "应为整数",
    "api.reason.range": "应在 {low} 到 {high} 之间",
    "api.reason.too_long": "不能超过 {n} 个字符",
    "api.reason.control": "不能含有换行等控制字符",
    "api.reason.kind": "可选的学段：{choices}",
    # the OpenAPI document (read by the people who build on the API)
    "openapi.title": "督导通 数据接口",
    "openapi.description": (
        "责任督学挂牌督导的公开数据与管理数据。公开接口无需令牌；其余接口需在请求头中携带"
        " Authorization: Bearer <令牌>，令牌由督导室用 dudao api-token create 创建。"
        '出错时返回 JSON：{{"error": {{"status": 状态码, "message": 中文说明}}}}。'
    ),
    "openapi.security.bearer": "督导室发放的访问令牌（dudao api-token create 名称）。",
    "openapi.tag.schools": "学校与幼儿园",
    "openapi.tag.inspectors": "责任督学",
    "openapi.tag.meta": "接口说明",
    "openapi.schools.list": "学校和幼儿园名单（公开）",
    "openapi.schools.list.description": "每所学校的公开信息与当前的责任督学及其联系电话，可按责任区、学段、名称筛选并分页。",
    "openapi.schools.get": "一所学校（公开）",
    "openapi.inspectors.list": "责任督学名单（需令牌）",
    "openapi.inspectors.list.description": "责任督学的完整信息：电话、专兼职、是否退休、培训学时及当前负责的学校。",
    "openapi.openapi": "本接口文档（OpenAPI 3.1）",
    "openapi.param.zone": "督学责任区名称，完全一致",
    "openapi.param.kind": "学段代码，如 primary、kindergarten",
    "openapi.param.q": "学校名称中包含的文字",
    "openapi.param.page": "页码，从 1 开始",
    "openapi.param.per_page": "每页条数，最多 500",
    "openapi.param.code": "学校标识码",
    "openapi.response.ok": "成功",
    "openapi.response.bad_request": "参数不正确",
    "openapi.response.unauthorized": "缺少令牌、令牌无效或已撤销",
    "openapi.response.not_found": "没有这所学校",
    # health
    "health.degraded": "部分服务不可用",
    # `dudao api-token`
    "cli.token.revoked": "已撤销访问令牌「{name}」。",
    "cli.token.not_found": "没有名为「{name}」的访问令牌。",
    "cli.token.already_revoked": "访问令牌「{name}」早已撤销。",
    "cli.token.none": "还没有访问令牌。",
    "cli.token.row": "{name}\t{state}\t创建于 {created}\t最近使用 {last_used}",
    "cli.token.state.active": "有效",
    "cli.token.state.revoked": "已撤销",
    "cli.token.never_used": "从未使用",
    # `dudao serve`, `dudao worker`, `dudao demo`
    "cli.serve.worker_thread": "后台任务在本进程中一并运行。",
    "cli.serve.stopped": "督导通已停止。",
    "cli.serve.unsafe_secret": (
        "没有启动：DUDAO_SECRET_KEY 未设置，或用的是内置的开发密钥（或少于 16 个字符）。"
        "登录会话、留言表单和绑定码都靠这个密钥保护，请在 .env 或环境变量中设置一个足够长的随机值，例如："
        "DUDAO_SECRET_KEY=$(python3 -c 'import secrets; print(secrets.token_urlsafe(32))')。"
        "只是试用，请运行 dudao demo。"
    ),
    "cli.worker.ran_once": "后台任务已各运行一次：{ok} 个成功，{failed} 个出错。",
    "cli.demo.database": "演示数据库：{path}（与正式数据库分开；命令行使用它时请设置 DUDAO_DATABASE_URL=sqlite:///{path}）",
    "cli.demo.companion": "已启动配套服务：{name} {url}",
    # the demo's recent history and its office accounts (backend/demo/activity.py)
    "cli.demo.activity": (
        "演示动态：近三个月的 {visits} 条走访记录、{concerns} 条家长留言、{rectifications} 项整改事项"
        "（{escalations} 次督办、约谈），历史推送 {pushes} 条已标记为已发送，不会再推送。"
    ),
    "cli.demo.activity_kept": "演示动态已在数据库中，这次没有再添加。",
    "cli.demo.accounts_created": "已创建督导室后台的演示账号 {count} 个。",
    "cli.demo.office": (
        "  督导室后台 {url}/office\n"
        "    演示账号（只存在于演示数据库中）：督导室管理员 {admin} / {admin_password}；"
        "{zone}组长 {leader} / {leader_password}"
    ),
    "cli.demo.account.office": "督导室管理员（演示）",
    "cli.demo.account.zone_leader": "{zone}组长（演示）",
}
