"""The ``mixite`` command line (French help and messages)."""
