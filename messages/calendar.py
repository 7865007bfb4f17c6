"""Words of the working-day calendar."""

MESSAGES: dict[str, str] = {
    "calendar.kind.holiday": "放假",
    "calendar.kind.workday": "调休上班",
    "calendar.kind.ordinary": "按平常（周一至周五上班）",
    "calendar.cli.loaded": "已载入 {count} 天的节假日安排（已有的日子保持不变）。",
    "calendar.cli.set": "{day} 已设为「{kind}」。",
    "calendar.cli.row": "{day}  周{weekday}  {kind}  {name}",
    "calendar.cli.none": "{year} 年没有节假日或调休记录。",
    "calendar.cli.bad_file": "文件格式不对：{error}。每行应为：年份,节日名称,放假第一天,放假最后一天,调休上班日(用;分隔)",
    "calendar.weekdays": "一二三四五六日",
}
