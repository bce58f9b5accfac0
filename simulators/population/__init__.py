"""Simulated public-security population system (人口库): legacy REST/JSON over seeded persons."""
