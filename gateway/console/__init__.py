"""The dev console: one self-contained HTML page (no external scripts) to run queries against /graphql."""
