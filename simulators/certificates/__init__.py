"""Simulated provincial enforcement-certificate system (执法证): a daily full snapshot, GB18030 CSV file drop."""
