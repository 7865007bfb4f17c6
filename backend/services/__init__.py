"""Use cases: functions taking a session and explicit ports, one commit per use case."""
