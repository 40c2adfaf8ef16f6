"""The mapping pages, one module per part of the work (each registers its routes on `bp`)."""

from . import contribution_views, coverage_views, map_views, network_views  # noqa: F401
