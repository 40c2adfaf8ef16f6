"""The tabs of the staff pages of one notice (templates/notices/_manage_header.html).

The notice's own pages come first; then the pages of its procedure that exist for its kind: a
list of qualified entities has its entries, a co-programming its sub-procedure, tables,
contributions, synthesis and final document. A tab whose blueprint is not registered is left
out (url_if)."""

from __future__ import annotations

from typing import NamedTuple

from flask import url_for
from flask_babel import lazy_gettext as _l

from ..core.templating import url_if
from . import bp
from .models import ProcedureKind

NOTICE_TABS = (
    ("notices.manage", _l("Riepilogo")),
    ("notices.edit", _l("Testo e scadenza")),
    ("notices.milestones", _l("Cronoprogramma")),
    ("notices.attachments", _l("Documenti")),
    ("notices.questions", _l("Domande e risposte")),
    ("applications.review_queue", _l("Candidature")),
)
QUALIFIED_LIST_TABS = (("qualified.manage_entries", _l("Elenco")),)
CO_PROGRAMMING_TABS = (
    ("subprocedures.for_procedure", _l("Sub-procedimento")),
    ("tables.plan_overview", _l("Tavoli")),
    ("mapping.moderation_queue", _l("Contributi")),
    ("restitution.manage_synthesis", _l("Sintesi")),
    ("restitution.manage_final_document", _l("Documento finale")),
)


class Tab(NamedTuple):
    endpoint: str
    label: str
    url: str


@bp.app_template_global()
def notice_tabs(notice) -> list[Tab]:
    tabs = [Tab(endpoint, label, url_for(endpoint, notice_id=notice.id)) for endpoint, label in NOTICE_TABS]
    kind = notice.procedure.kind
    for endpoint, label in QUALIFIED_LIST_TABS if kind == ProcedureKind.QUALIFIED_LIST else CO_PROGRAMMING_TABS:
        url = url_if(endpoint, procedure_id=notice.procedure_id)
        if url:
            tabs.append(Tab(endpoint, label, url))
    tabs.append(Tab("notices.preview", _l("Anteprima"), url_for("notices.preview", notice_id=notice.id)))
    return tabs
