"""The open data catalogue as the public would use it, on the demo procedure: from the
restitution to the catalogue, every dataset out (the demo publishes the admitted list, the
mapping and the synthesis), each data dictionary opened and read, a CSV downloaded through its
link and parsed, the DCAT-AP_IT metadata fetched from the page's link. axe-core clean in Italian
and in English with every dictionary open; screenshots (make screenshots) in test-artifacts/screenshots/catalogue*.png.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from urllib.parse import quote

import pytest

from .a11y import check_a11y
from .test_tables_minutes import SLUG, shot

pytestmark = pytest.mark.browser

DATASETS = ("ammessi", "partecipazione", "risorse", "rete", "copertura", "sintesi")


def open_dictionaries(page) -> None:
    """Open every data dictionary, as a reader would, so that axe-core checks the tables too."""
    summaries = page.locator("main details > summary")
    for index in range(summaries.count()):
        summaries.nth(index).click()
    assert page.locator("main details[open]").count() == summaries.count() == 7


def test_the_public_reaches_the_catalogue_reads_it_and_downloads_a_dataset(page):
    page.goto(f"/avvisi/{SLUG}/restituzione")
    with page.expect_navigation():
        page.locator("#documenti").get_by_role("link", name=re.compile("^Il catalogo dei dati aperti")).click()
    assert page.url.endswith(f"/dati/{SLUG}/")
    main = page.locator("main")
    assert main.locator("h1").inner_text() == "Dati aperti del procedimento"
    for key in DATASETS:
        section = main.locator(f"section#{key}")
        assert section.locator("a.btn", has_text="Scarica").count() >= 1, key
    assert "Non ancora disponibile" not in main.inner_text()

    open_dictionaries(page)
    table = main.locator("section#partecipazione table").nth(1)
    assert table.locator("caption").inner_text().startswith("Campi di partecipazione.csv.")
    header = table.locator("tbody th[scope=row]").all_inner_texts()
    assert header == ["asse", "data", "turno", "tavoli", "categoria", "iscritti", "presenti"]
    check_a11y(page)
    shot(page, "catalogue")
    with page.expect_navigation():
        page.locator("header").get_by_role("link", name="English").click()
    assert page.locator("html").get_attribute("lang") == "en"
    open_dictionaries(page)
    check_a11y(page)
    shot(page, "catalogue-en")
    page.goto(f"/lingua/it?next={quote(f'/dati/{SLUG}/')}")
    assert page.locator("html").get_attribute("lang") == "it"

    # a dataset through its link: the CSV the dictionary describes
    with page.expect_download() as download:
        page.get_by_role("link", name="Scarica partecipazione.csv").click()
    assert download.value.suggested_filename == f"{SLUG}-partecipazione.csv"
    rows = list(csv.reader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8")), delimiter=";"))
    assert rows[0] == header and len(rows) > 15  # seed 002: 15 sessions, a row per category

    # the metadata for the national catalogue, from the page's own link
    jsonld = page.get_by_role("link", name=re.compile("DCAT-AP_IT")).get_attribute("href")
    answer = page.request.get(jsonld)
    assert answer.ok and answer.headers["content-type"].startswith("application/ld+json")
    catalogue = json.loads(answer.body())
    assert len(catalogue["dcat:dataset"]) == len(DATASETS)
    assert all(d["dcat:distribution"][0]["dct:license"]["@id"] == "https://creativecommons.org/licenses/by/4.0/"
               for d in catalogue["dcat:dataset"])
