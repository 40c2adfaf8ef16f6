"""The pages and APIs of the list of qualified entities, one module per audience (same
blueprint)."""

from __future__ import annotations

from . import (
    api_views,  # noqa: E402,F401
    ets_views,  # noqa: E402,F401
    search_views,  # noqa: E402,F401
    staff_views,  # noqa: E402,F401
)
