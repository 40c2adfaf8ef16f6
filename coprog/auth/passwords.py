"""Password hashing: argon2id with the library's current parameters.

The test suite signs people in thousands of times; there, COPROG_PASSWORD_HASHING=test selects
argon2's CHEAPEST profile (microseconds instead of a tenth of a second per hash). The setting is
refused outside tests and the demo: see config.load_config.
"""

from __future__ import annotations

from argon2 import PasswordHasher, profiles
from flask import current_app

STANDARD = "standard"
TEST = "test"
_HASHERS = {STANDARD: PasswordHasher(), TEST: PasswordHasher.from_parameters(profiles.CHEAPEST)}


def hasher() -> PasswordHasher:
    return _HASHERS[current_app.config.get("COPROG_PASSWORD_HASHING", STANDARD)]
