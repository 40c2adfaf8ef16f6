"""The open data catalogue of a procedure: what each dataset is, how to read it (its data
dictionary), whether it is out yet, and the same as DCAT-AP_IT metadata in JSON-LD for the
national catalogue (dati.gov.it) to harvest.

The datasets are served by their own domains' views (/dati/<slug>/…); this module only
describes them. A dataset is listed as available when its endpoint answers with data: the
admitted list once published, the mapping's once `mapping_links` shows them, the synthesis
once published. The JSON-LD lists the available ones only, so that a harvester never meets a
404; the page shows the others too, saying when they will come.

Everything is released under CC BY 4.0. The JSON-LD is written in Italian whatever the
reader's language (the view forces the default locale), as the data themselves are.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..core.templating import url_if
from ..core.time import to_rome
from ..extensions import db
from ..mapping.coverage_views import mapping_links
from ..mapping.models import Contribution
from ..notices.models import Notice, Procedure
from ..tables.models import Attendance, Registration, TableSession
from .services.synthesis import published_synthesis

LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"
LICENCE_EU = "http://publications.europa.eu/resource/authority/licence/CC_BY_4_0"
LICENCE_NAME = "CC BY 4.0"
THEMES = "http://publications.europa.eu/resource/authority/data-theme"
FILE_TYPES = "http://publications.europa.eu/resource/authority/file-type"
FREQUENCY = "http://publications.europa.eu/resource/authority/frequency/IRREG"  # when the data change
ITALIAN = "http://publications.europa.eu/resource/authority/language/ITA"
MEDIA_TYPES = "https://www.iana.org/assignments/media-types"

CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "dcatapit": "http://dati.gov.it/onto/dcatapit#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}

# What a dataset needs before its endpoint serves data
ADMITTED, MAPPING, SYNTHESIS = "admitted", "mapping", "synthesis"


# The data dictionary --------------------------------------------------------------------------

TEXT = _l("testo")
INTEGER = _l("numero intero")
DECIMAL = _l("numero decimale")
DATE = _l("data (AAAA-MM-GG)")
DATETIME = _l("data e ora (ISO 8601, UTC)")
BOOLEAN = _l("vero/falso")
URL = _l("indirizzo web (URL)")
TEXTS = _l("elenco di testi")
LIST = _l("elenco")
OBJECT = _l("oggetto")


@dataclass(frozen=True)
class Field:
    name: str
    type: object  # a lazy string
    meaning: object


def _nullable(kind) -> object:
    return _l("%(type)s o null", type=kind)


ADMITTED_FIELDS = (
    Field("protocollo", TEXT, _l("Numero di protocollo della domanda.")),
    Field("codice_fiscale", TEXT, _l("Codice fiscale dell'ente del Terzo settore ammesso.")),
    Field("denominazione", TEXT, _l("Denominazione dell'ente.")),
    Field("sezione_runts", TEXT, _l("Sezione del RUNTS in cui l'ente è iscritto (lettera); vuoto se non indicata.")),
    Field("soggetti_cooptati", TEXT, _l("Soggetti cooptati dall'ente, separati da « | », ciascuno con la sua tipologia tra parentesi; i cittadini non sono nominati.")),
)

PARTICIPATION_JSON_FIELDS = (
    Field("procedure", TEXT, _l("Identificativo del procedimento (lo stesso dell'indirizzo).")),
    Field("sessions", LIST, _l("Gli incontri dei tavoli, in ordine di data.")),
    Field("sessions[].axis", TEXT, _l("Asse dell'incontro.")),
    Field("sessions[].date", DATE, _l("Giorno dell'incontro (ora di Roma).")),
    Field("sessions[].shift", TEXT, _l("Turno: mattina, pomeriggio, sera o giornata.")),
    Field("sessions[].groups", TEXTS, _l("I tavoli (gruppi di distretti) riuniti nell'incontro.")),
    Field("sessions[].registered", INTEGER, _l("Iscrizioni confermate, esclusi gli arrivi senza iscrizione.")),
    Field("sessions[].attended", OBJECT, _l("Presenze registrate per categoria di partecipanti, arrivi senza iscrizione compresi: il nome della categoria e il numero di presenti.")),
)

PARTICIPATION_CSV_FIELDS = (
    Field("asse", TEXT, _l("Asse dell'incontro.")),
    Field("data", DATE, _l("Giorno dell'incontro (ora di Roma).")),
    Field("turno", TEXT, _l("Turno: mattina, pomeriggio, sera o giornata.")),
    Field("tavoli", TEXT, _l("I tavoli riuniti nell'incontro, separati da « + ».")),
    Field("categoria", TEXT, _l("Categoria di partecipanti (una riga per incontro e categoria).")),
    Field("iscritti", INTEGER, _l("Iscrizioni confermate della categoria, esclusi gli arrivi senza iscrizione.")),
    Field("presenti", INTEGER, _l("Presenze registrate della categoria, arrivi senza iscrizione compresi.")),
)

RESOURCES_FIELDS = (
    Field("type", TEXT, _l("Sempre « FeatureCollection » (GeoJSON, RFC 7946).")),
    Field("features[].type", TEXT, _l("Sempre « Feature »: una risorsa.")),
    Field("features[].geometry", OBJECT, _l("Punto (« Point ») con le coordinate [longitudine, latitudine] in WGS 84, a 5 decimali (circa un metro).")),
    Field("features[].properties.id", INTEGER, _l("Identificativo della risorsa (il contributo pubblicato).")),
    Field("features[].properties.actor", TEXT, _l("Il soggetto che mette a disposizione la risorsa; i cittadini cooptati non sono nominati.")),
    Field("features[].properties.axis", TEXT, _l("Asse della risorsa.")),
    Field("features[].properties.type", TEXT, _l("Tipo di risorsa.")),
    Field("features[].properties.how", TEXT, _l("Modalità dell'offerta: coproduzione, sostegno, messa_a_disposizione, rete o finanziamento.")),
    Field("features[].properties.comune", _nullable(TEXT), _l("Comune della risorsa, se indicato.")),
    Field("features[].properties.district", TEXT, _l("Distretto della risorsa.")),
    Field("features[].properties.capacity", _nullable(INTEGER), _l("Capacità dichiarata, nell'unità scelta da chi contribuisce (posti, ore, euro…), che qui non è riportata.")),
)

NETWORK_FIELDS = (
    Field("procedure", TEXT, _l("Identificativo del procedimento.")),
    Field("built_at", _nullable(DATETIME), _l("Quando la rete è stata calcolata; null se non ancora calcolata.")),
    Field("stale", BOOLEAN, _l("Vero se la rete è in ricalcolo: le ultime modifiche possono mancare.")),
    Field("stats", OBJECT, _l("Le misure dell'intera rete: soggetti, risorse, collaborazioni, legami, comunità e loro dimensioni, modularità, parametri del calcolo.")),
    Field("definitions", OBJECT, _l("Le definizioni delle misure, in inglese.")),
    Field("nodes[].id", TEXT, _l("Identificativo del nodo: « a » seguito da un numero per un soggetto, « r » per una risorsa.")),
    Field("nodes[].kind", TEXT, _l("actor (soggetto) o resource (risorsa).")),
    Field("nodes[].label", TEXT, _l("Nome del soggetto (i cittadini cooptati non sono nominati) o inizio della descrizione della risorsa.")),
    Field("nodes[].x, nodes[].y", DECIMAL, _l("Posizione nel disegno della rete (y verso il basso).")),
    Field("nodes[].actor_kind", TEXT, _l("Solo soggetti: ets, cooptato, invitato, servizio_pubblico o altro.")),
    Field("nodes[].axes", TEXTS, _l("Solo soggetti: i codici degli assi su cui il soggetto contribuisce.")),
    Field("nodes[].metrics", OBJECT, _l("Soggetti: degree, resources, collaborators, betweenness, participation, community, roles (ponte, intermediario). Risorse: community.")),
    Field("nodes[].actor", TEXT, _l("Solo risorse: l'identificativo del nodo del soggetto che la offre.")),
    Field("nodes[].axis", TEXT, _l("Solo risorse: il codice dell'asse.")),
    Field("nodes[].resource_type, offer_mode, district, comune", TEXT, _l("Solo risorse: tipo, modalità dell'offerta, distretto e comune (vuoto se non indicato).")),
    Field("links[].source, links[].target", TEXT, _l("Gli identificativi dei due nodi collegati.")),
    Field("links[].kind", TEXT, _l("offers (un soggetto offre una risorsa) o collaboration (due soggetti indicati insieme in un contributo).")),
    Field("links[].axes", TEXTS, _l("I codici degli assi dei contributi che creano il legame.")),
    Field("links[].weight", INTEGER, _l("Solo collaborazioni: in quanti contributi i due soggetti compaiono insieme.")),
)

COVERAGE_FIELDS = (
    Field("distretto", TEXT, _l("Distretto socio-sanitario.")),
    Field("asse", TEXT, _l("Asse.")),
    Field("risorse", INTEGER, _l("Risorse pubblicate nel distretto sull'asse.")),
    Field("capacita", TEXT, _l("Capacità dichiarata, sommata per unità e separata da « | » (per esempio « 3 posti letto | 2 alloggi »); vuoto se nessuna.")),
    Field("persone_bds", INTEGER, _l("Persone con un Budget di Salute in carico nel distretto nell'anno; vuoto senza dato.")),
    Field("anno", INTEGER, _l("Anno dei dati sulle persone (il più recente, o quello chiesto con ?anno=AAAA); vuoto senza dati.")),
    Field("risorse_per_100", DECIMAL, _l("Risorse ogni 100 persone con un Budget di Salute, con la virgola decimale; vuoto senza persone.")),
)

SYNTHESIS_FIELDS = (
    Field("procedure", TEXT, _l("Identificativo del procedimento.")),
    Field("published_at", DATETIME, _l("Quando la sintesi è stata pubblicata.")),
    Field("licence", TEXT, _l("La licenza dei dati: CC-BY-4.0.")),
    Field("introduction", TEXT, _l("L'introduzione della sintesi.")),
    Field("items", LIST, _l("Le voci della sintesi, nell'ordine della pagina.")),
    Field("items[].id", INTEGER, _l("Identificativo della voce.")),
    Field("items[].kind", TEXT, _l("actors (attori da coinvolgere), direction (direzione), intervention (intervento prioritario), cross_cutting (direzione trasversale) o perspective (prospettiva).")),
    Field("items[].axis", _nullable(TEXT), _l("Asse della voce; null per le voci che valgono per tutti gli assi.")),
    Field("items[].title, items[].description", TEXT, _l("Titolo e descrizione della voce.")),
    Field("items[].tables, items[].contributions", INTEGER, _l("Da quanti tavoli e da quanti contributi è emersa la voce.")),
    Field("items[].url", URL, _l("La pagina pubblica della voce.")),
    Field("items[].sources.sessions", LIST, _l("I tavoli di origine: id, axis, date (AAAA-MM-GG), groups (elenco dei tavoli) e minutes_url (il verbale pubblico).")),
    Field("items[].sources.contributions", LIST, _l("I contributi di origine: id, actor (i cittadini cooptati non sono nominati), axis, type, comune (o null) e description.")),
)


# The datasets ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Format:
    code: str  # of the EU file-type vocabulary
    media_type: str
    endpoint: str
    fields: tuple[Field, ...]
    note: object = ""


@dataclass(frozen=True)
class Spec:
    key: str
    title: object
    description: object
    keywords: tuple
    themes: tuple[str, ...]  # codes of the EU data-theme vocabulary
    formats: tuple[Format, ...]
    landing: str  # the endpoint of the public page that shows the same data
    needs: str | None = None  # ADMITTED, MAPPING, SYNTHESIS
    pending: object = ""  # why it is not out yet, for the page


CSV_NOTE = _l("Separatore punto e virgola, codifica UTF-8, una riga di intestazione.")
JSON_NOTE = _l("JSON in UTF-8.")

SPECS = (
    Spec("ammessi", _l("Enti ammessi"),
         _l("Gli enti del Terzo settore ammessi al procedimento, con il protocollo della domanda e i soggetti che hanno cooptato."),
         (_l("enti ammessi"), _l("Terzo settore"), "RUNTS"), ("GOVE", "SOCI"),
         (Format("CSV", "text/csv", "applications.admitted_open_data", ADMITTED_FIELDS, CSV_NOTE),),
         "notices.detail", needs=ADMITTED, pending=_l("Disponibile alla pubblicazione dell'elenco degli ammessi.")),
    Spec("partecipazione", _l("Partecipazione ai tavoli"),
         _l("Per ogni incontro dei tavoli di co-programmazione: gli iscritti e i presenti per categoria di partecipanti. Solo numeri, nessun nome."),
         (_l("partecipazione"), _l("tavoli di co-programmazione")), ("GOVE", "SOCI"),
         (Format("JSON", "application/json", "tables.figures_json", PARTICIPATION_JSON_FIELDS, JSON_NOTE),
          Format("CSV", "text/csv", "tables.figures_csv", PARTICIPATION_CSV_FIELDS, CSV_NOTE)),
         "tables.public_figures"),
    Spec("risorse", _l("Risorse mappate"),
         _l("Le risorse messe a disposizione da enti del Terzo settore, soggetti cooptati, soggetti invitati e servizi pubblici, pubblicate dopo la moderazione, con la loro posizione."),
         (_l("mappatura delle risorse"), _l("Budget di Salute")), ("HEAL", "SOCI", "REGI"),
         (Format("GEOJSON", "application/geo+json", "mapping.open_resources", RESOURCES_FIELDS, _l("GeoJSON (RFC 7946) in UTF-8.")),),
         "mapping.map_page", needs=MAPPING, pending=_l("Disponibile alla pubblicazione delle prime risorse mappate.")),
    Spec("rete", _l("Rete degli attori"),
         _l("Chi offre quali risorse e chi collabora con chi, con le misure di centralità e le comunità di ogni soggetto."),
         (_l("rete"), _l("collaborazioni")), ("SOCI", "HEAL"),
         (Format("JSON", "application/json", "mapping.network_json", NETWORK_FIELDS, _l("JSON in UTF-8, nel formato nodi-legami (node-link).")),),
         "mapping.public_network", needs=MAPPING, pending=_l("Disponibile alla pubblicazione delle prime risorse mappate.")),
    Spec("copertura", _l("Copertura per distretto e asse"),
         _l("Per ogni distretto e asse: le risorse pubblicate, la capacità dichiarata e le persone con un Budget di Salute, con il rapporto tra le due."),
         (_l("copertura"), _l("Budget di Salute"), _l("distretti")), ("HEAL", "REGI"),
         (Format("CSV", "text/csv", "mapping.coverage_csv_data", COVERAGE_FIELDS, CSV_NOTE),),
         "mapping.coverage_page", needs=MAPPING, pending=_l("Disponibile alla pubblicazione delle prime risorse mappate.")),
    Spec("sintesi", _l("Sintesi del percorso"),
         _l("Le voci della sintesi (per asse e trasversali), ciascuna con i tavoli e i contributi da cui è emersa e i collegamenti alle sue fonti."),
         (_l("sintesi"), _l("restituzione")), ("GOVE", "HEAL", "SOCI"),
         (Format("JSON", "application/json", "restitution.synthesis_json", SYNTHESIS_FIELDS, JSON_NOTE),),
         "restitution.public_restitution", needs=SYNTHESIS, pending=_l("Disponibile alla pubblicazione della sintesi.")),
)


@dataclass(frozen=True)
class Distribution:
    format: Format
    url: str  # absolute

    @property
    def file_name(self) -> str:
        return self.url.rsplit("/", 1)[-1]


@dataclass(frozen=True)
class Dataset:
    spec: Spec
    distributions: list[Distribution]
    landing_url: str | None
    available: bool
    modified: datetime | None  # naive UTC; None when not out yet
    issued: datetime | None = None


def datasets(notice: Notice) -> list[Dataset]:
    """The procedure's datasets in the order of the procedure, with what is known of them now."""
    procedure, slug = notice.procedure, notice.procedure.slug
    synthesis = published_synthesis(procedure)
    links = mapping_links(notice)
    mapped = {url for _label, url in links["data"]} if links else set()
    contributions = _contributions_modified(procedure) if mapped else None
    dates = {  # (modified, issued) once out
        "ammessi": (notice.admitted_published_at, notice.admitted_published_at),
        "partecipazione": (_participation_modified(procedure) or notice.published_at or notice.updated_at, None),
        "risorse": (contributions, None),
        "rete": (_network_built(procedure) or contributions, None),
        "copertura": (contributions, None),
        "sintesi": (synthesis.published_at, synthesis.published_at) if synthesis is not None else (None, None),
    }
    found = []
    for spec in SPECS:
        available = {
            ADMITTED: notice.admitted_published_at is not None,
            MAPPING: all(url_if(f.endpoint, slug=slug) in mapped for f in spec.formats),
            SYNTHESIS: synthesis is not None,
            None: True,
        }[spec.needs]
        modified, issued = dates[spec.key] if available else (None, None)
        found.append(Dataset(
            spec, [Distribution(f, url_for(f.endpoint, slug=slug, _external=True)) for f in spec.formats],
            _landing(spec, slug), available, modified, issued,
        ))
    return found


def _landing(spec: Spec, slug: str) -> str | None:
    anchor = "ammessi" if spec.key == "ammessi" else None
    if url_if(spec.landing, slug=slug) is None:
        return None
    return url_for(spec.landing, slug=slug, _external=True, _anchor=anchor)


def _participation_modified(procedure: Procedure) -> datetime | None:
    """The latest registration, cancellation or check-in at the procedure's tables."""
    in_procedure = TableSession.procedure_id == procedure.id
    registered, cancelled = db.session.execute(
        select(func.max(Registration.created_at), func.max(Registration.cancelled_at))
        .join(TableSession, TableSession.id == Registration.session_id).where(in_procedure)
    ).one()
    attended = db.session.scalar(
        select(func.max(Attendance.checked_in_at)).join(TableSession, TableSession.id == Attendance.session_id)
        .where(in_procedure)
    )
    return max((d for d in (registered, cancelled, attended) if d is not None), default=None)


def _contributions_modified(procedure: Procedure) -> datetime | None:
    return db.session.scalar(select(func.max(Contribution.updated_at)).where(Contribution.procedure_id == procedure.id))


def _network_built(procedure: Procedure) -> datetime | None:
    from ..mapping.services.network import snapshot_of

    snapshot = snapshot_of(procedure)
    return snapshot.built_at if snapshot is not None else None


# DCAT-AP_IT as JSON-LD ----------------------------------------------------------------------


def _it(text) -> dict:
    return {"@value": str(text), "@language": "it"}


def _date(moment: datetime) -> dict:
    return {"@value": to_rome(moment).date().isoformat(), "@type": "xsd:date"}


def _ref(uri: str) -> dict:
    return {"@id": uri}


def agent_identifier(authority) -> str:
    """DCAT-AP_IT wants the IPA code; the authority's model has none yet, so its codice fiscale
    (what the IPA index also lists), or its slug when that is missing."""
    return authority.fiscal_code or authority.slug


def _agent(authority, uri: str) -> dict:
    agent = {
        "@id": uri,
        "@type": ["foaf:Organization", "foaf:Agent", "dcatapit:Agent"],
        "dct:identifier": agent_identifier(authority),
        "foaf:name": _it(authority.name),
    }
    if authority.website:
        agent["foaf:homepage"] = _ref(authority.website)
    return agent


def _contact(notice: Notice, uri: str) -> dict:
    authority = notice.procedure.authority
    email = notice.contact_email or notice.contact_pec or authority.email or authority.pec
    name = f"{authority.name} – {authority.department}" if authority.department else authority.name
    contact = {"@id": uri, "@type": ["vcard:Organization", "vcard:Kind", "dcatapit:Organization"], "vcard:fn": name}
    if email:
        contact["vcard:hasEmail"] = _ref(f"mailto:{email}")
    return contact


def licence() -> dict:
    return {
        "@id": LICENCE_URL,
        "@type": ["dct:LicenseDocument", "dcatapit:LicenseDocument"],
        "dct:type": _ref("http://purl.org/adms/licencetype/Attribution"),
        "foaf:name": _it(_l("Creative Commons Attribuzione 4.0 Internazionale (CC BY 4.0)")),
        "owl:versionInfo": "4.0",
        "owl:sameAs": _ref(LICENCE_EU),
    }


def _distribution(dataset: Dataset, distribution: Distribution, page: str) -> dict:
    fmt = distribution.format
    return {
        "@id": f"{page}#{dataset.spec.key}-{fmt.code.lower()}",
        "@type": ["dcat:Distribution", "dcatapit:Distribution"],
        "dct:title": _it(f"{dataset.spec.title} ({fmt.code})"),
        "dct:description": _it(fmt.note),
        "dcat:accessURL": _ref(distribution.url),
        "dcat:downloadURL": _ref(distribution.url),
        "dct:format": _ref(f"{FILE_TYPES}/{fmt.code}"),
        "dcat:mediaType": _ref(f"{MEDIA_TYPES}/{fmt.media_type}"),
        "dct:license": licence(),
    }


def _dataset(dataset: Dataset, notice: Notice, page: str) -> dict:
    authority = notice.procedure.authority
    node = {
        "@id": f"{page}#{dataset.spec.key}",
        "@type": ["dcat:Dataset", "dcatapit:Dataset"],
        "dct:identifier": f"{agent_identifier(authority)}:{notice.procedure.slug}-{dataset.spec.key}",
        "dct:title": _it(dataset.spec.title),
        "dct:description": _it(dataset.spec.description),
        "dcat:keyword": [_it(k) for k in (_l("co-programmazione"), *dataset.spec.keywords)],
        "dcat:theme": [_ref(f"{THEMES}/{code}") for code in dataset.spec.themes],
        "dct:language": _ref(ITALIAN),
        "dct:publisher": _agent(authority, f"{page}#ente"),
        "dct:rightsHolder": _agent(authority, f"{page}#ente"),
        "dcat:contactPoint": _contact(notice, f"{page}#contatto"),
        "dct:accrualPeriodicity": _ref(FREQUENCY),
        "dct:modified": _date(dataset.modified),
        "dcat:distribution": [_distribution(dataset, d, page) for d in dataset.distributions],
    }
    if dataset.issued is not None:
        node["dct:issued"] = _date(dataset.issued)
    if dataset.landing_url:
        node["dcat:landingPage"] = _ref(dataset.landing_url)
    return node


def dcat_catalogue(notice: Notice, found: list[Dataset]) -> dict:
    """The catalogue of the procedure's available datasets (dcatapit:Catalog)."""
    procedure = notice.procedure
    page = url_for("restitution.open_data_catalogue", slug=procedure.slug, _external=True)
    out = [d for d in found if d.available]
    modified = max((d.modified for d in out), default=None) or notice.published_at or notice.updated_at
    catalogue = {
        "@context": CONTEXT,
        "@id": page,
        "@type": ["dcat:Catalog", "dcatapit:Catalog"],
        "dct:title": _it(_l("Dati aperti del procedimento «%(title)s»", title=notice.title)),
        "dct:description": _it(_l("I dati aperti del procedimento di co-programmazione (art. 55 del Codice del Terzo settore) «%(title)s» di %(authority)s, con licenza CC BY 4.0.", title=notice.title, authority=procedure.authority.name)),
        "dct:publisher": _agent(procedure.authority, f"{page}#ente"),
        "dct:language": _ref(ITALIAN),
        "foaf:homepage": _ref(page),
        "dcat:themeTaxonomy": _ref(THEMES),
        "dct:modified": _date(modified),
        "dcat:dataset": [_dataset(d, notice, page) for d in out],
    }
    if notice.published_at:
        catalogue["dct:issued"] = _date(notice.published_at)
    return catalogue
