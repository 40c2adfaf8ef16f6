"""The demo synthesis: the restitution of 15 December 2025 as seed 002 presents it (the nine
cross-cutting directions; per axis the actor categories, directions and priority interventions;
the DSM's perspectives), each item linked to demo sessions of its axis with a published verbale
and to published contributions of its axis, chosen in turn so that the links look like a
facilitator's reading and stay the same at every load. Approved and published by the RUP."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from ..auth.models import User
from ..extensions import db
from ..mapping.models import Contribution, ContributionState
from ..notices.models import Notice
from ..restitution.models import FinalDocumentState, ItemKind, SynthesisState
from ..restitution.services import final_document as final_service
from ..restitution.services import synthesis as service
from ..tables.models import Minutes, MinutesState, TableSession
from ..territory.models import Axis

PUBLISHED_AT = datetime(2025, 12, 15, 10, 0)  # UTC: the restitution event, 11:00 in Rome
FINAL_DOCUMENT_AT = datetime(2025, 12, 22, 11, 0)  # UTC, a week later

CROSS_CUTTING = (
    "Innovazioni nelle figure professionali (di sistema e gestione)",
    "Innovazioni organizzative: strutture, pratiche e modalità di coordinamento maggiore tra gestori e produttori",
    "Lavoro di rete e istituzionale: coinvolgimento di altri attori o reti territoriali, diversificato in base agli attori",
    "Modellizzazione e diffusione: casi di sperimentazione riusciti da scalare e strutturare come modelli",
    "Flessibilizzazione nell'uso dello strumento del Budget di Salute",
    "Produzione di servizi, interventi e attività da progettare o migliorare",
    "Aumento delle capacità progettuali, di finanziamento e di patrimonio della rete che fa da gestore",
    "Dispositivi progettuali e di gestione a diverse scale",
    "Rapporto tra assi da consolidare",
)

PER_AXIS = {
    "lavoro": {
        ItemKind.ACTORS: ("Imprese e mondo produttivo", "Sistema pubblico del lavoro e della formazione",
                          "Comunità professionale e cooperazione sociale", "Finanziatori e attori abilitanti"),
        ItemKind.DIRECTION: ("Costruire filiere integrate e continue", "Rafforzare l'accompagnamento personalizzato",
                             "Aumentare e diversificare le opportunità lavorative",
                             "Allineare la formazione al mercato del lavoro",
                             "Costruire una cultura territoriale dell'inclusione", "Rafforzare la governance e la rete"),
        ItemKind.INTERVENTION: ("Figure professionali e funzioni di sistema", "Coordinamento istituzionale e rete territoriale",
                                "Investimenti in infrastrutture abilitanti", "Attivazione di risorse e finanziamenti",
                                "Co-progettazione come strumento ordinario"),
    },
    "socialita": {
        ItemKind.ACTORS: ("Imprese sensibili, incluse realtà multinazionali, per sostenere progettualità territoriali",
                          "Comuni, decisivi per spazi di aggregazione, rigenerazione urbana e relazione diretta col territorio",
                          "Comunità e volontariato, da sensibilizzare e mappare per ampliare opportunità di socialità diffusa",
                          "Fonti di finanziamento, soprattutto bandi e progettazioni locali, per spazi e attività sociali"),
        ItemKind.DIRECTION: ("Sapere cosa offre il territorio e usarlo",
                             "Formare e preparare le realtà locali all'accoglienza inclusiva",
                             "Garantire continuità nei percorsi (pre-durante-post)",
                             "Progettare e curare spazi informali e ibridi",
                             "Promuovere contesti ibridi tra lavoro, formazione e socialità",
                             "Sostenere l'uso della città e il mutuo aiuto come forme di cittadinanza"),
        ItemKind.INTERVENTION: ("Sviluppo di figure professionali dedicate", "Attività di rete e coordinamento istituzionale",
                                "Investimenti in infrastrutture sociali", "Attivazione di finanziamenti dedicati",
                                "Co-progettazioni territoriali come strumento ordinario"),
    },
    "abitare": {
        ItemKind.DIRECTION: ("Miglioramento dell'uso delle risorse abitative attuali",
                             "Forme della coabitazione e abitare accompagnato",
                             "Figure dell'accompagnamento e supporto per l'abitare",
                             "Collaborazioni e cooperazione con soggetti partner o sostenitori",
                             "Uso di risorse provenienti da fondi o bandi pubblici",
                             "Rafforzare la governance e la rete e le fonti", "Fondi e strutture di garanzia"),
    },
}

PERSPECTIVES = (
    "Nuova gara a procedura aperta con gli elementi innovativi indicati dalla co-programmazione",
    "Avviare le co-progettazioni distrettuali a tema (Formazione Lavoro, Socialità, Abitare)",
)

INTRODUCTION = (
    "Sintesi degli esiti dei tavoli di co-programmazione del Budget di Salute, presentata nell'evento "
    "di restituzione del 15 dicembre 2025: per ciascun asse le categorie di attori da coinvolgere, le "
    "direzioni di innovazione e gli interventi prioritari; poi le direzioni trasversali e le prospettive."
)


def ensure_demo_synthesis(notice: Notice, accounts: dict[str, User], report) -> None:
    procedure = notice.procedure
    existing = service.synthesis_of(procedure)
    if existing is not None and existing.items:
        report.existing.append("sintesi della restituzione")
        return
    rup = accounts["rup@demo.coprog.it"]
    synthesis = service.synthesis_of(procedure, create=True)
    service.save_introduction(synthesis, INTRODUCTION, by=rup)
    axes = {a.code: a for a in db.session.scalars(select(Axis).where(Axis.authority_id == procedure.authority_id))}
    sessions, contributions = _sources(procedure.id)
    turn = 0
    for code, kinds in PER_AXIS.items():
        for kind, titles in kinds.items():
            for title in titles:
                item = service.add_item(synthesis, {"kind": kind.value, "axis_id": axes[code].id, "title": title}, by=rup)
                _cite(item, sessions.get(axes[code].id, []), contributions.get(axes[code].id, []), turn, rup)
                turn += 1
    every_session = sorted({s for group in sessions.values() for s in group})
    every_contribution = sorted({c for group in contributions.values() for c in group})
    for kind, titles in ((ItemKind.CROSS_CUTTING, CROSS_CUTTING), (ItemKind.PERSPECTIVE, PERSPECTIVES)):
        for title in titles:
            item = service.add_item(synthesis, {"kind": kind.value, "title": title}, by=rup)
            if kind == ItemKind.CROSS_CUTTING:
                _cite(item, every_session, every_contribution, turn, rup, tables=3)
            turn += 1
    service.move_synthesis(synthesis, SynthesisState.APPROVED, by=rup)
    service.move_synthesis(synthesis, SynthesisState.PUBLISHED, by=rup)
    synthesis.approved_at = synthesis.published_at = PUBLISHED_AT
    report.created.append(f"sintesi della restituzione ({len(synthesis.items)} voci)")


def _sources(procedure_id: int) -> tuple[dict[int, list[int]], dict[int, list[int]]]:
    """Per axis: the sessions with a published verbale and the published contributions (ids)."""
    sessions: dict[int, list[int]] = {}
    for session_id, axis_id in db.session.execute(
        select(TableSession.id, TableSession.axis_id).join(Minutes, Minutes.session_id == TableSession.id)
        .where(TableSession.procedure_id == procedure_id, Minutes.state == MinutesState.PUBLISHED)
        .order_by(TableSession.starts_at, TableSession.id)
    ):
        sessions.setdefault(axis_id, []).append(session_id)
    contributions: dict[int, list[int]] = {}
    for contribution_id, axis_id in db.session.execute(
        select(Contribution.id, Contribution.axis_id)
        .where(Contribution.procedure_id == procedure_id, Contribution.state == ContributionState.APPROVED)
        .order_by(Contribution.id)
    ):
        contributions.setdefault(axis_id, []).append(contribution_id)
    return sessions, contributions


def _cite(item, sessions: list[int], contributions: list[int], turn: int, by, *, tables: int = 2) -> None:
    """`tables` sessions and one or two contributions, taken in turn."""
    for offset in range(min(tables, len(sessions))):
        service.add_source(item, session_id=sessions[(turn + offset) % len(sessions)], by=by)
    for offset in range(min(1 + turn % 2, len(contributions))):
        service.add_source(item, contribution_id=contributions[(turn * 2 + offset) % len(contributions)], by=by)


def ensure_demo_final_document(notice: Notice, accounts: dict[str, User], report) -> None:
    """The documento di sintesi, approved and published by the RUP a week after the restitution."""
    existing = final_service.document_of(notice.procedure)
    if existing is not None and existing.is_published:
        report.existing.append("documento di sintesi")
        return
    rup = accounts["rup@demo.coprog.it"]
    document = existing or final_service.document_of(notice.procedure, create=True)
    final_service.move_document(document, FinalDocumentState.APPROVED, by=rup, now=FINAL_DOCUMENT_AT)
    final_service.move_document(document, FinalDocumentState.PUBLISHED, by=rup, now=FINAL_DOCUMENT_AT)
    report.created.append(f"documento di sintesi (PDF, {document.file.size // 1024} KB)")
