"""Text and dates of the demo procedure.

Dates, axes, districts and the notice's objectives come from the AUSL di Bologna 2025
procedure (shared/seeds/002). People, e-mail addresses and phone numbers are fictional.
The publication date of the notice is not in the seed: 2 September 2025 is an assumption
(after the internal start of 28 August, before the online presentation of 12 September).
"""

from __future__ import annotations

from datetime import date, datetime

SLUG = "bds-bologna-2025"
DEMO_PASSWORD = "coprog-demo-2025"
PUBLISHED_AT = datetime(2025, 9, 2, 9, 0)  # Rome time, assumption (see above)
DEADLINE_AT = datetime(2025, 9, 29, 12, 0)  # Rome time, from the seed

ACCOUNTS = (
    # (e-mail, name, role, admin)
    ("rup@demo.coprog.it", "Anna Esempio (RUP, demo)", "staff", True),
    ("personale@demo.coprog.it", "Paolo Prova (personale AUSL, demo)", "staff", False),
    ("ets@demo.coprog.it", "Chiara Campione (ETS, demo)", "ets", False),
    ("facilitatore@demo.coprog.it", "Marco Modello (facilitatore, demo)", "facilitator", False),
    ("casemanager@demo.coprog.it", "Elena Esempio (case manager, demo)", "case_manager", False),
    ("invitato@demo.coprog.it", "Luca Saggio (soggetto invitato, demo)", "invited_body", False),
)

NOTICE = {
    "title": (
        "Avviso di co-programmazione per l'individuazione di soluzioni innovative e reti di "
        "collaborazione alla gestione del Budget di Salute"
    ),
    "summary": (
        "Invito a partecipare alla procedura di evidenza pubblica di co-programmazione promossa "
        "dal Dipartimento di Salute Mentale e Dipendenze Patologiche (DSM-DP) dell'AUSL di "
        "Bologna sui tre assi del Budget di Salute: abitare, socialità, formazione e lavoro."
    ),
    "legal_basis": (
        "Art. 55 del D.Lgs. 3 luglio 2017, n. 117 (Codice del Terzo settore).\n\n"
        "D.M. 31 marzo 2021, n. 72 (Linee guida sul rapporto tra pubbliche amministrazioni ed "
        "enti del Terzo settore).\n\n"
        "Legge regionale Emilia-Romagna 13 aprile 2023, n. 3."
    ),
    "objectives": (
        "Costruire una lettura condivisa dei bisogni e delle criticità rilevate a livello "
        "territoriale.\n\n"
        "Individuare condizioni, strumenti e processi per il superamento delle barriere "
        "esistenti.\n\n"
        "Definire dispositivi di governance integrata tra istituzioni pubbliche, servizi "
        "socio-sanitari ed enti del Terzo settore.\n\n"
        "Definire target di utenti e bisogni per i quali ipotizzare percorsi di "
        "co-progettazione innovativa su tematiche specifiche (abitare, socialità, lavoro).\n\n"
        "Condividere le prassi e le risorse territoriali nei distretti e a livello metropolitano "
        "sugli assi di intervento a supporto dei piani individualizzati del Budget di Salute."
    ),
    "requirements": (
        "Possono partecipare gli enti del Terzo settore iscritti nel Registro unico nazionale "
        "del Terzo settore (RUNTS) da almeno 6 mesi alla data di scadenza dell'avviso.\n\n"
        "Soggetti privati diversi dagli ETS (associazioni, fondazioni, enti morali e religiosi, "
        "imprese, cittadini singoli e associati in gruppi informali) possono partecipare solo se "
        "cooptati e indicati da un ETS che abbia presentato domanda.\n\n"
        "Enti e istituzioni pubblici, enti privati e altri soggetti possono essere coinvolti, "
        "quando il loro contributo sia utile o necessario, mediante un apposito "
        "sub-procedimento.\n\n"
        "Ai tavoli partecipano anche rappresentanti dei Servizi sociali territoriali degli enti "
        "locali."
    ),
    "how_to_apply": (
        "La domanda si presenta con il Modello A (domanda di partecipazione) e l'Allegato 4 "
        "(dichiarazione sostitutiva di certificazione e dell'atto di notorietà, DPR 445/2000, "
        "artt. 46 e 47), compilati secondo la Scheda tecnica, entro le ore 12:00 del 29 "
        "settembre 2025.\n\n"
        "Il 12 settembre 2025 si tiene una presentazione online dei contenuti dell'avviso, con "
        "possibilità di domande da parte dei partecipanti. Il 10 ottobre 2025 viene data "
        "comunicazione agli ammessi delle date dei tavoli."
    ),
    "rup_name": "Anna Esempio",
    "rup_role": "Dirigente, DSM-DP (nominativo dimostrativo)",
    "contact_email": "coprogrammazione@demo.coprog.it",
    "contact_pec": "dsm.coprogrammazione@pec.demo.coprog.it",
    "contact_phone": "051 000 0000",
}

# (kind, title, day, axis code or None, internal)
MILESTONES = (
    ("avvio", "Incontro preliminare interno con i servizi sociali e sanitari", date(2025, 8, 28), None, True),
    ("presentazione", "Presentazione online dell'avviso, con domande dei partecipanti", date(2025, 9, 12), None, False),
    ("ammessi", "Comunicazione agli ammessi delle date dei tavoli", date(2025, 10, 10), None, False),
    ("tavolo", "Tavolo 1 – Formazione e lavoro", date(2025, 10, 29), "lavoro", False),
    ("tavolo", "Tavolo 2 – Abitare", date(2025, 11, 12), "abitare", False),
    ("sub_procedimento", "Sub-procedimento con soggetti diversi dagli ETS", date(2025, 11, 19), None, False),
    ("tavolo", "Tavolo 3 – Socialità", date(2025, 11, 25), "socialita", False),
    ("restituzione", "Restituzione pubblica degli esiti", date(2025, 12, 15), None, False),
)

ATTACHMENTS = (
    ("modello_a", "Modello A – Domanda di partecipazione", "modello-a-domanda.pdf"),
    ("scheda_tecnica", "Scheda tecnica allegata all'avviso", "scheda-tecnica.pdf"),
    ("allegato_4", "Allegato 4 – Dichiarazione sostitutiva (DSAN)", "allegato-4-dsan.pdf"),
)

QUESTIONS = (
    (
        "Un'associazione iscritta al RUNTS da meno di 6 mesi, ma prima nel registro regionale "
        "delle APS, può partecipare?",
        "Sì. Per le ODV e le APS trasmigrate dai registri regionali vale la data di iscrizione "
        "nel registro di provenienza (continuità dell'iscrizione, nota ministeriale n. 2904 del "
        "3 marzo 2023). Indicala nel Modello A.",
    ),
    (
        "Un gruppo informale di cittadini può partecipare ai tavoli?",
        "Sì, se è cooptato e indicato da un ente del Terzo settore che abbia presentato domanda.",
    ),
)

# The sub-procedure of 19 November 2025 (seed 002, step 5). Every invitee is fictional.
SUBPROCEDURE = {
    "title": "Sub-procedimento per il coinvolgimento di soggetti diversi dagli ETS",
    "purpose": (
        "Invitare enti pubblici, fondazioni, imprese, l'ente per l'abitare pubblico, enti culturali "
        "e di formazione che dispongono di risorse utili ai progetti del Budget di Salute, perché i "
        "loro contributi entrino nella stessa mappatura delle risorse dei tavoli di "
        "co-programmazione."
    ),
    "legal_basis": "L. 241/1990; art. 55 D.Lgs. 117/2017",
}
SUBPROCEDURE_OPENED_AT = datetime(2025, 11, 19, 10, 0)  # Rome time

# (kind, name, e-mail, outcome, day of the outcome or None, decline reason or contacts)
# Outcomes: accepted (by the demo invited-body account), declined, expired after being opened,
# expired, revoked, sent again (the first link expired; a new one went out when the demo was loaded).
INVITEES = (
    ("fondazione", "Fondazione Esempio per la Comunità", "invitato@demo.coprog.it", "accepted", date(2025, 11, 24),
     (("Luca Saggio (soggetto invitato, demo)", "Referente progetti", "invitato@demo.coprog.it", "051 000 0101"),
      ("Sara Sostituta (demo)", "Segreteria", "segreteria.fondazione@demo.coprog.it", ""))),
    ("impresa", "Impresa Dimostrativa S.r.l.", "impresa@demo.coprog.it", "declined", date(2025, 11, 26),
     "Per il 2026 non abbiamo posti disponibili per tirocini; potremo aderire a un prossimo invito."),
    ("ente_abitare_pubblico", "Agenzia casa dimostrativa (ente per l'abitare pubblico)", "agenzia.casa@demo.coprog.it",
     "resent", None, None),
    ("ente_pubblico", "Unione dei Comuni Immaginari (demo)", "unione@demo.coprog.it", "expired", None, None),
    ("ente_culturale", "Museo Immaginario della Città (demo)", "museo@demo.coprog.it", "opened_expired", date(2025, 11, 21), None),
    ("ente_formazione", "Centro di Formazione Dimostrativo (demo)", "formazione@demo.coprog.it", "expired", None, None),
    ("altro", "Consorzio Esempio dei Servizi (demo)", "consorzio@demo.coprog.it", "revoked", date(2025, 11, 20),
     "Indirizzo e-mail non più attivo."),
)
