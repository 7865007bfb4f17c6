"""Words of the deadline sweep's command line."""

MESSAGES: dict[str, str] = {
    "sweep.cli.locked": "另一个后台任务正在检查期限，请稍后再试。",
    "sweep.cli.done": "期限检查完成：{results}",
}
