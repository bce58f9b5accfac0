"""Simulated city market-regulation registry (市场监管 法人库): a SOAP 1.1 service built on lxml."""
