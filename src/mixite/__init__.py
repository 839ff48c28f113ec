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

__all__ = [
    "InvalidDataError",
    "MixiteError",
    "StoreError",
    "UnknownKindError",
    "__version__",
]
