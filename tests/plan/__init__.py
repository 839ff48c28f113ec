"""Allocation plans (issue 16): optimiser, explanations, the twin."""
