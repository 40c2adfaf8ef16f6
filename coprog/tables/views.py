"""The tables' pages, one module per part of the work (each registers its routes on `bp`)."""

from . import (  # noqa: F401
    checkin_views,
    figures_views,
    minutes_views,
    planning_views,
    registration_views,
)
