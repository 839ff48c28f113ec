"""Decision support for the allocation commission (CAL): eligibility and affordability of
a candidate for a dwelling, its marginal impact on the entrance, the zones and the
objectives, the candidate search and the commission sheet. Nothing here decides."""
