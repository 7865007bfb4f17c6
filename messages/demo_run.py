"""Words `dudao demo` (and `dudao serve`) print about starting: a port in use, a demo already running, commands
that work in a new terminal."""

MESSAGES: dict[str, str] = {
    "demo_run.port_taken": (
        "无法在 {host}:{port} 上启动：{error}。可能已有一个督导通或其他程序在使用这个端口。"
        "请换一个端口，例如 make demo PORT=5001 或 dudao demo --port 5001。"
    ),
    "demo_run.already_running": (
        "已有一个演示正在使用 {folder}（{url}），这次没有启动，也没有改动它的任何文件。"
        "请先在原来的终端按 Ctrl+C 停止它；要同时运行两个演示，请另设 DUDAO_INSTANCE_DIR。"
    ),
    "demo_run.chat": "在新终端中与机器人聊天：{command}",
}
