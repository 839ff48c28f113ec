"""Segregation and mix indices, computed for every region in one vectorized pass.

:func:`segregation_indices` is the entry point; :data:`INDICES` is the registry.
Pure computation: no file or database access.
"""

from mixite.indices.batch import segregation_indices
from mixite.indices.local import local_indices
from mixite.indices.registry import INDICES, IndexSpec

__all__ = ["INDICES", "IndexSpec", "local_indices", "segregation_indices"]
