"""Supervision platform (行政执法监督网络平台): rule engine, alerts, case-file review, statistics."""
