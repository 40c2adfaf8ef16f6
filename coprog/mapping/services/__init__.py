"""Use-cases of the resource mapping, one module per part (contributions, places, network, coverage)."""
