"""The WeChat adapter: webhook, router, handlers per role, the outbound client, the fake API and the simulator."""
