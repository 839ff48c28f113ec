"""A synthetic twin of the Métropole Européenne de Lille, calibrated on real open data.

:func:`mixite.twin.build.build_twin` takes the real sources (loaded by
:mod:`mixite.io.refdata`) and returns frames for every table of the model; it does no
I/O. Every row it makes has ``synthetique = True``.
"""
