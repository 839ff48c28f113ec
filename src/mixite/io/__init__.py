"""Input and output at the edge of mixite: readers, importers, the store, reference data."""

from pathlib import Path

#: The store used when none is named (``--store``, ``MIXITE_STORE``). Defined here, in a
#: module that imports nothing heavy, so that the command line can read it cheaply.
DEFAULT_STORE = Path("mixite.duckdb")


def est_url(location: object) -> bool:
    """Whether a ``--store`` value names a PostgreSQL database rather than a file.

    >>> est_url("postgresql://mixite@localhost/mel"), est_url("mixite.duckdb")
    (True, False)
    """
    return str(location).startswith(("postgresql://", "postgres://"))
