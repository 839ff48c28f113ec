"""mixite: measure social mix, set allocation objectives, follow relocated households.

The package keeps a pure computational core (:mod:`mixite.core`, :mod:`mixite.twin`)
apart from input/output (:mod:`mixite.io`) and the command line (:mod:`mixite.cli`).
"""

from mixite.errors import (
    InvalidDataError,
    MixiteError,
    StoreError,
    UnknownKindError,
)

__version__ = "0.1.0"


def __getattr__(name: str) -> object:
    """``mixite.segregation_indices`` and ``mixite.INDICES`` without importing the engine
    at ``import mixite`` time."""
    if name in ("segregation_indices", "INDICES", "local_indices"):
        from mixite import indices

        return getattr(indices, name)
    raise AttributeError(f"module 'mixite' has no attribute {name!r}")


__all__ = [
    "INDICES",
    "InvalidDataError",
    "MixiteError",
    "StoreError",
    "UnknownKindError",
    "__version__",
    "local_indices",
    "segregation_indices",
]
