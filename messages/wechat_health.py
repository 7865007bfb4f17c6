"""Words of the `wechat` block of /healthz: WeChat's clock as the webhook sees it."""

MESSAGES: dict[str, str] = {
    "wechat_health.ok": "微信推送正常，近两小时时钟偏差最大 {seconds} 秒",
    "wechat_health.none_seen": "近两小时没有收到微信推送",
    "wechat_health.drift": "本机时钟与微信服务器相差约 {seconds} 秒，请校准服务器时间（NTP），超过 {window} 秒的推送会被拒收",
    "wechat_health.refused": "近两小时有推送因时间戳超出 {window} 秒窗口被拒收（累计 {count} 次），请检查服务器时间",
}
