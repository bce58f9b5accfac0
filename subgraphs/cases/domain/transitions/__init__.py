"""Transition handlers of the penalty-case machine, grouped by phase of DOMAIN.md §5.2."""
