"""The dashboard's figures where the units must be said: visits (次) or schools (所), days, the levels, emergencies."""

MESSAGES = {
    "figures.col.schools": "负责学校（所）",
    "figures.col.month_visits": "本月督导（次）",
    "figures.col.month_schools": "本月到校（所）",
    "figures.col.semester_schools": "本学期达 {floor} 次（所）",
    "figures.visits_of": "{n} / {target} 次",
    "figures.schools_of": "{n} / {total} 所",
    # the rungs of open rectification items, as chart bars: level 0 is an item still in ordinary rectification
    "figures.level.0": "尚未督办",
    "figures.level.1": "督办",
    "figures.level.2": "约谈",
    "figures.level.3": "通报",
    "figures.level.4": "问责",
    "figures.urgent.title": "紧急情况（近 {days} 天，{n} 起）",
    "figures.urgent.row": "{date} {school} · 督学 {inspector}",
    "figures.urgent.note": "责任督学报告的重大安全隐患或突发事件，已同时推送到督导室微信。请及时处置。",
    "figures.urgent.open": "查看记录",
}
