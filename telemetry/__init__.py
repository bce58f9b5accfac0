"""Traces and log context shared by every part: W3C trace context, request ids, JSON logs (no hub imports)."""
