"""Simulated licensing system (行政许可): its legacy SQL database, owned and rebuilt by the simulator."""
