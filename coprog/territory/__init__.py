"""Territory: the authority, its districts, comuni, sub-areas, axes and service centres."""
