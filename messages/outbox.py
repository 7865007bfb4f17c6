"""The outbox and the workers as operators see them: /healthz's outbox and workers blocks, `dudao outbox`."""

from __future__ import annotations

MESSAGES: dict[str, str] = {
    "health.workers.ok": "工作进程正常（{alive} 个在运行）",
    "health.workers.none": "没有工作进程在运行：推送和定时任务都停了",
    "health.workers.too_few": "在运行的工作进程只有 {alive} 个，应有 {expected} 个",
    "health.workers.gone": "工作进程 {ids} 已超过 {seconds} 秒没有心跳",
    "health.workers.not_expected": "未要求工作进程（DUDAO_WORKERS_EXPECTED 未设置）",
    "health.outbox.ok": "推送正常（待发 {pending} 条）",
    "health.outbox.old": "推送积压：最早一条已等待 {seconds} 秒（上限 {limit} 秒）",
    "health.outbox.undelivered": "有 {count} 条通知未能送达，请在督导室网页首页处理",
    "outbox.cli.state.pending": "待发送",
    "outbox.cli.state.sent": "已发送",
    "outbox.cli.state.given_up": "未送达",
}
