"""Full text in Italian: the same words find the same services on SQLite (FTS5) and PostgreSQL
(a `simple` tsvector). The suite runs on SQLite by default and on PostgreSQL in CI
(COPROG_TEST_DATABASE_URL): the expectations below are fixed, so both databases must give
exactly these services: accents do not count, a word finds the words it begins, every word must
be found, a word that is nowhere finds nothing, and search syntax is read as words."""

from __future__ import annotations

import pytest

from coprog.qualified.services.search import Filters, normalise, search, words

from ..factories import make_list_notice, make_organisation, make_qualified_entry

SERVICES = {
    "casa": ("Cooperativa Sociale La Città Verde", "Appartamenti per la vita autonoma",
             "Attività di accompagnamento all'abitare e alla cura della casa."),
    "lavoro": ("Associazione Il Ponte", "Laboratorio di falegnameria",
               "Tirocini formativi e attività artigianali per giovani adulti."),
    "socialita": ("ODV Amici del Quartiere", "Gruppo di cammino",
                  "Socialità e sport nel quartiere Navile; perché muoversi fa bene."),
    "caffe": ("APS Caffè Letterario", "Caffè delle parole",
              "Incontri di lettura ad alta voce, un caffè e una chiacchierata."),
}

CASES = [
    # accents: "attività" found by "attivita", and the other way round
    ("attivita", {"casa", "lavoro"}),
    ("attività", {"casa", "lavoro"}),
    ("ATTIVITÀ", {"casa", "lavoro"}),
    ("citta", {"casa"}),
    ("perche", {"socialita"}),
    ("caffe", {"caffe"}),
    ("caffè letterario", {"caffe"}),
    # prefixes: "appartament" finds "appartamenti"; "falegnam" finds "falegnameria"
    ("appartament", {"casa"}),
    ("appartamenti", {"casa"}),
    ("falegnam", {"lavoro"}),
    ("social", {"casa", "socialita"}),  # "sociale" in the entity's name, "socialità"
    # two words: both must be found (AND), in any field, in any order
    ("tirocini giovani", {"lavoro"}),
    ("giovani tirocini", {"lavoro"}),
    ("quartiere cammino", {"socialita"}),
    ("attivita falegnameria", {"lavoro"}),
    ("attivita cammino", set()),
    # a word absent: nothing
    ("piscina", set()),
    ("appartamenti piscina", set()),
    # punctuation and the search syntax of either database are only separators
    ("all'abitare", {"casa"}),
    ('"cammino" OR *', set()),  # "or" is a word here, and no service has a word starting with it
    ("cammino*", {"socialita"}),
    ("sport & (quartiere | navile)", {"socialita"}),
    ("lettura:* !caffe", {"caffe"}),
    ("NEAR(lettura voce)", set()),  # "near" is a word, found nowhere
    # nothing to look for: every service
    ("", {"casa", "lavoro", "socialita", "caffe"}),
    ("  ¿? ", {"casa", "lavoro", "socialita", "caffe"}),
]


@pytest.fixture
def catalogue(app_ctx, session):
    notice = make_list_notice()
    found = {}
    for key, (organisation, title, description) in SERVICES.items():
        entry = make_qualified_entry(notice, organisation=make_organisation(name=organisation), title=title,
                                     description=description)
        found[key] = entry.services[0].id
    suspended = make_qualified_entry(notice, organisation=make_organisation(name="Cooperativa Sospesa"),
                                     title="Appartamenti sospesi", description="Attività sospese", state="suspended")
    found["suspended"] = suspended.services[0].id
    session.commit()
    return found


@pytest.mark.parametrize("text,expected", CASES, ids=[c[0] or "empty" for c in CASES])
def test_the_same_words_find_the_same_services(catalogue, text, expected):
    results = search(Filters(text=text))
    assert {h.service.id for h in results.hits} == {catalogue[k] for k in expected}
    assert results.total == len(expected)


def test_a_suspended_entry_is_never_found(catalogue):
    assert catalogue["suspended"] not in {h.service.id for h in search(Filters(text="sospes")).hits}


def test_the_words_searched():
    assert normalise("Attività  all'Abitare, CAFFÈ!") == "attivita all abitare caffe"
    assert words('"a" OR b* NEAR(c) d:* !e') == ["a", "or", "b", "near", "c", "d", "e"]
    assert len(words(" ".join(f"w{n}" for n in range(20)))) == 8  # at most eight words
