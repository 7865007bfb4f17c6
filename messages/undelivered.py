"""Pushes that could not be delivered: the office's alert, the 未送达 marks, the office's actions, `dudao outbox`."""

from __future__ import annotations

MESSAGES: dict[str, str] = {
    # why WeChat will never take it (outbox_message.reason)
    "undelivered.reason.unfollowed": "对方已取消关注公众号，微信不再向其推送",
    "undelivered.reason.bad_openid": "接收人的微信账号无效（不是本公众号的用户）",
    "undelivered.reason.window": "超出客服消息时限，且无法改用模板消息",
    "undelivered.reason.no_template": "对方超过 48 小时未与公众号互动，且未配置该类通知的模板消息",
    "undelivered.reason.exhausted": "多次重试仍未成功（微信接口一直不可用）",
    "undelivered.reason.refused": "微信拒绝发送（错误码 {code}）",
    "undelivered.reason.unknown": "未能送达",
    # the mark on a record
    "undelivered.mark": "未送达",
    "undelivered.mark_title": "未送达：{reason}",
    "undelivered.resolved.phone": "已电话通知",
    "undelivered.resolved.paper": "已书面送达",
    "undelivered.resolved.in_person": "已当面告知",
    "undelivered.resolved_by": "{means}（{by}，{at}）",
    "undelivered.retrying": "已重新发送，等待微信确认",
    # who it was for
    "undelivered.to.unit": "{unit}联络人",
    "undelivered.to.inspector": "责任督学 {name}",
    "undelivered.to.office": "督导室 {name}",
    "undelivered.to.reporter": "反映人（身份受保护）",
    "undelivered.to.someone": "微信用户",
    # what it was
    "undelivered.about.rectification": "{notice}（整改单 {number}，{unit}）",
    "undelivered.about.concern": "{notice}（留言 {ticket}，{unit}）",
    "undelivered.about.visit": "{notice}（{date} {unit}的督导记录）",
    "undelivered.about.other": "{notice}",
    # the office's alert (a WeChat push to the office's bound users, once per push given up)
    "undelivered.alert": (
        "【通知未能送达】{about}\n接收人：{to}\n原因：{reason}\n"
        "请电话或书面送达；对方重新关注后，可在督导室网页的首页「未送达的通知」中重新发送。"
    ),
    "undelivered.alert_subject": "{unit}{notice}未送达",
    # the template's short keyword (20 characters at most)
    "undelivered.short.unfollowed": "对方已取消关注",
    "undelivered.short.bad_openid": "接收人微信账号无效",
    "undelivered.short.window": "超出客服消息时限",
    "undelivered.short.no_template": "未配置模板消息",
    "undelivered.short.exhausted": "多次重试仍未成功",
    "undelivered.short.refused": "微信拒绝发送",
    # the office web
    "undelivered.block.title": "未送达的通知",
    "undelivered.block.hint": "下列通知微信无法送达。请电话或书面通知对方；对方重新关注公众号后可重新发送。",
    "undelivered.block.empty": "没有未送达的通知。",
    "undelivered.col.about": "通知",
    "undelivered.col.to": "接收人",
    "undelivered.col.reason": "原因",
    "undelivered.col.at": "放弃时间",
    "undelivered.col.actions": "处理",
    "undelivered.action.retry": "重新发送",
    "undelivered.action.delivered": "已另行送达",
    "undelivered.means": "送达方式",
    "undelivered.means.phone": "电话",
    "undelivered.means.paper": "书面",
    "undelivered.means.in_person": "当面",
    "undelivered.done.retry": "已重新发送该通知。",
    "undelivered.done.delivered": "已记录为另行送达。",
    "undelivered.refused.not_given_up": "这条通知不是未送达状态，无需处理。",
    "undelivered.refused.means": "请选择送达方式。",
    "undelivered.record.title": "推送情况",
    # `dudao outbox`
    "outbox.cli.none": "没有符合条件的推送。",
    "outbox.cli.not_found": "没有编号为 {id} 的推送。",
    "outbox.cli.bad_id": "推送编号应为正整数，而不是「{value}」。",
    "outbox.cli.retried": "推送 {id} 已重新排队。",
    "outbox.cli.summary": "共 {count} 条。",
}
