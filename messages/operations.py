"""What the operator reads from the deployment commands (`dudao db current`)."""

from __future__ import annotations

MESSAGES: dict[str, str] = {
    "cli.db.current": "数据库 {url} 的迁移版本：{revision}",
    "cli.db.current_head": "已是最新版本（{head}）。",
    "cli.db.current_behind": "不是最新版本：最新为 {head}，请运行 dudao db upgrade。",
    "cli.db.current_empty": "（尚未迁移）",
    "cli.db.current_unknown": "数据库的版本 {revision} 不在本程序的迁移中：数据库可能来自更新的版本，请勿降级运行。",
}
