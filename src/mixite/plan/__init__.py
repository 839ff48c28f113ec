"""Allocation plans under mix constraints: an exact optimiser and its explanations (advisory only)."""
