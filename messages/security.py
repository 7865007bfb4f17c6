"""Words of the office web's 等保 basics (issue 16): password rules and changes, the last sign-in, timeouts,
the audit log page and its export."""

from __future__ import annotations

MESSAGES: dict[str, str] = {
    # password rules (backend/domain/passwords.py); the short rule is office.user.password_short
    "office.user.password_long": "密码最多 {most} 个字符。",
    "office.user.password_kinds": "密码需要包含大写字母、小写字母、数字、符号中的至少 {kinds} 种。",
    "office.user.password_username": "密码不能包含用户名。",
    "office.user.password_common": "这个密码太常见，容易被猜到，请换一个。",
    "office.password.rules": "密码至少 {length} 个字符，包含大写字母、小写字母、数字、符号中的至少 {kinds} 种，不能包含用户名，不能是常见密码。",
    # the change form
    "office.password.title": "修改密码",
    "office.password.must_change": "这是管理员为您设置的初始密码，请先设置您自己的密码再继续使用。",
    "office.password.current": "当前密码",
    "office.password.new": "新密码",
    "office.password.repeat": "再次输入新密码",
    "office.password.submit": "保存新密码",
    "office.password.changed": "密码已修改。",
    "office.password.wrong_current": "当前密码不正确。",
    "office.password.same": "新密码不能与当前密码相同。",
    "office.password.mismatch": "两次输入的新密码不一致。",
    "office.nav.password": "修改密码",
    # the last sign-in
    "office.login.last": "上次登录：{at}，来自 {ip}。如果不是您本人，请立即修改密码并告知督导室管理员。",
    "office.login.first": "这是该账号的第一次登录。",
    "office.login.lifetime_over": "登录已超过 {hours} 小时，为了安全请重新登录。",
    # the audit log page (office admins)
    "office.nav.audit": "审计日志",
    "office.audit.title": "审计日志",
    "office.audit.lead": "系统记录的每一次登录、登录失败、退出、改密、导出下载和数据操作。日志只增不改，保存不少于 180 天。",
    "office.audit.since": "开始日期",
    "office.audit.until": "结束日期",
    "office.audit.actor": "操作人",
    "office.audit.action": "操作",
    "office.audit.filter": "筛选",
    "office.audit.export_xlsx": "导出 Excel",
    "office.audit.export_csv": "导出 CSV",
    "office.audit.none": "没有符合条件的记录。",
    "office.audit.col.at": "时间",
    "office.audit.col.actor": "操作人",
    "office.audit.col.action": "操作",
    "office.audit.col.subject": "对象",
    "office.audit.col.subject_id": "对象编号",
    "office.audit.col.detail": "详情",
    "office.audit.shown": "显示最近 {shown} 条，共 {total} 条；导出包含全部符合条件的记录。",
    "office.audit.file": "审计日志_{first}_{last}",
    "office.audit.sheet": "审计日志",
    # dudao audit export
    "cli.audit.exported": "已导出 {count} 条审计记录到 {path}。",
    "cli.audit.bad_format": "文件名需以 .xlsx 或 .csv 结尾。",
    "cli.audit.bad_range": "开始日期不能晚于结束日期。",
}
