"""Words of the signed form links (backend/services/form_links.py): the pages a link that opens nothing shows."""

MESSAGES: dict[str, str] = {
    "form_link.tampered.title": "链接无效",
    "form_link.tampered.body": "这个链接不完整或已被改动，打不开。请回到公众号，重新点开发给您的链接。",
    "form_link.expired.title": "链接已过期",
    "form_link.expired.body": "这个链接已经过期。请回到公众号重新获取链接。",
    "form_link.not_yours.title": "无法打开",
    "form_link.not_yours.body": "这个链接不是发给您当前账号的，或您的账号已解除绑定。请回到公众号重新获取。",
}
