"""The deterministic synthetic data set the simulators serve (`hub seed`).

`generator.generate(size, seed, out)` writes neutral JSON-lines files (persons, entities, licences,
bodies, officers, certificates, items) plus `manifest.json`; each simulator converts them into its
own legacy shape. The same arguments always give byte-identical files.
"""
