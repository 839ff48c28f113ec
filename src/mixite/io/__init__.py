"""Input and output at the edge of mixite: readers, importers, the store, reference data."""
