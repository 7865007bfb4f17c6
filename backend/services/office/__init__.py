"""The office's reading: the dashboard's `figures`, the `worklists` and their `list_filters`, the `details` of
one record, the `publication` on /public; all inside a `Scope` (`scoped`), over `periods` of Shanghai dates.
"""
