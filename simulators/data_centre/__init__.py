"""Simulated provincial data centre exchange (省政务大数据中心): receives signed batches of case records."""
