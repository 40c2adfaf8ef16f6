from __future__ import annotations

from datetime import date

import pytest

from coprog.registry.importer import import_runts

SNAPSHOT = date(2026, 1, 15)


@pytest.fixture
def run_import(session):
    """Import a file with a snapshot date (default SNAPSHOT) and commit, as the CLI does."""

    def run(path, snapshot=SNAPSHOT, **options):
        report = import_runts(path, snapshot_date=snapshot, **options)
        session.commit()
        return report

    return run
