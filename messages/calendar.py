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
    # a year whose official holiday schedule has not been loaded: deadlines count Monday to Friday meanwhile
    "calendar.missing.short": "尚未载入 {years} 年的法定节假日安排",
    "calendar.missing.note": "尚未载入 {years} 年的法定节假日和调休安排，这期间的期限暂按周一至周五计算。国务院公布后，请运行 dudao calendar load 载入（或在“工作日历”页逐日设置）。",
    "calendar.missing.subject": "请载入 {years} 年节假日安排",
    "calendar.missing.detail": "期限暂按周一至周五计算",
    "calendar.missing.alert": "督导室您好：系统中还没有 {years} 年的法定节假日和调休安排，这期间的整改和留言期限暂按周一至周五计算。国务院公布后，请运行 dudao calendar load 载入，或在办公网“工作日历”页逐日设置。",
}
