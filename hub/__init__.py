"""The hub's command line, settings and the embedded all-in-one runner."""
