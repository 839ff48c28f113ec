"""Projection of the social stock's occupation under allocation policies and renewal
programmes: a household-level dynamic model, run as Monte Carlo replicates on Dask."""
