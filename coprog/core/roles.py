"""The roles of the platform (DOMAIN.md §2)."""

from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l


class Role(enum.StrEnum):
    STAFF = "staff"
    ETS = "ets"
    FACILITATOR = "facilitator"
    CASE_MANAGER = "case_manager"
    INVITED_BODY = "invited_body"

    @property
    def label(self):
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.STAFF: _l("Personale AUSL"),
    Role.ETS: _l("Ente del Terzo settore"),
    Role.FACILITATOR: _l("Facilitatore"),
    Role.CASE_MANAGER: _l("Case manager"),
    Role.INVITED_BODY: _l("Soggetto invitato"),
}
