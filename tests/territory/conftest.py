"""Territory fixtures: the presets' text, and a loaded AUSL Bologna."""

from __future__ import annotations

import pytest

from coprog.territory.services import BOLOGNA_PRESET, PRESETS_DIR, load_preset

BARI_PRESET = PRESETS_DIR / "asl-bari-serdp.toml"


@pytest.fixture
def bologna(app_ctx, session):
    """AUSL Bologna loaded and committed (a savepoint: rolled back after the test)."""
    report = load_preset(BOLOGNA_PRESET)
    session.commit()
    return report


@pytest.fixture
def write_preset(tmp_path):
    """Write preset text to a file; returns its path."""

    def write(text: str, name: str = "preset.toml"):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture
def bologna_text() -> str:
    return BOLOGNA_PRESET.read_text(encoding="utf-8")
