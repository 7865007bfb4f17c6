"""dudao backend: domain rules, store, services, jobs and the web."""
