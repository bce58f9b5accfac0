"""Tests of the gateway security building blocks."""
