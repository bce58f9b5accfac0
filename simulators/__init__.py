"""The outside world for demos and tests: simulated departmental and national systems.

Simulators never import anything of ours except the data generator (`simulators.datagen`) and the
identifier algorithms it uses (`domain.identifiers`).
"""
