"""Every HTML page of the app, found in its URL map, and a crawl of them with axe-core.

The routes come from the app's URL map, so a new page is checked without anyone adding it
here; pages that are not HTML (downloads, iCal, redirects) are listed as such. Used by
test_every_page.py (the public, ETS, facilitators, case managers) and test_every_page_staff.py,
two files so that the two pytest-xdist workers crawl at the same time.
"""

from __future__ import annotations

from coprog import create_app

from .a11y import check_a11y
from .helpers import login

DEMO_PASSWORD = "coprog-demo-2025"
# In the live server's fresh database the demo notice, its first document and its first
# question are the first rows created.
VALUES = {
    "notice_id": 1,
    "slug": "bds-bologna-2025",
    "attachment_id": 1,
    "question_id": 1,
    "token": "token-non-valido",
    # the demo sub-procedure of bds-bologna-2025 and its first invitation
    "procedure_id": 1,
    "sub_id": 1,
    "invitation_id": 1,
    # the first demo table session (Lavoro, published verbale), its first group, registration,
    # category, Part 1 finding and Part 2 direction
    "session_id": 1,
    "group_id": 1,
    "category_id": 1,
    "registration_id": 1,
    "finding_id": 1,
    "direction_id": 1,
    "kind": "bisogno",
    # the first demo contribution; the first item of the demo synthesis and its first source
    "contribution_id": 1,
    "item_id": 1,
    "source_id": 1,
    # the first entry of the demo list of qualified entities (coprog/demo/qualified.py)
    "entry_id": 1,
}
NOT_HTML = {
    "static", "notices.download", "notices.calendar", "pages.set_language", "pages.favicon",
    # POST-only actions
    "notices.transition", "notices.delete_milestone", "notices.delete_attachment",
    "notices.delete_question_view",
    "subprocedures.transition", "subprocedures.resend", "subprocedures.revoke",
    "subprocedures.accept", "subprocedures.decline",
    "subprocedures.answered",  # a redirect unless an answer was just given
    "applications.admitted_open_data",  # CSV
    "applications.publish_admitted", "applications.answer", "applications.withdraw_application",
    "applications.new_version", "applications.add_co_opted_subject", "applications.remove_co_opted_subject",
    "tables.calendar_ics", "tables.figures_json", "tables.figures_csv", "tables.public_minutes_pdf",
    "tables.minutes_pdf_download", "tables.session_registrations_csv",
    # the map's script and data, the open data of the mapping
    "mapping.map_script", "mapping.map_boundaries", "mapping.map_resources", "mapping.map_resource",
    "mapping.open_resources", "mapping.network_json", "mapping.coverage_csv_data",
    "restitution.synthesis_json", "restitution.catalogue_jsonld",
    "restitution.final_document_preview_pdf", "restitution.public_final_document_pdf", "restitution.amendment_file",
    # the qualified list for other systems: JSON APIs, their OpenAPI documents, the public CSV
    "qualified.hsds_meta", "qualified.hsds_openapi", "qualified.hsds_services", "qualified.hsds_service",
    "qualified.hsds_organizations", "qualified.v1_openapi", "qualified.v1_services", "qualified.v1_entity",
    "qualified.list_open_data",
    # a key's revocation page: the demo has no key; test_qualified_api_keys.py walks it (it+en)
    "qualified.revoke_api_key",
    # the search of case managers: the map's script and boundaries, the shortlist's CSV and actions
    "qualified.search_map_script", "qualified.search_boundaries", "qualified.shortlist_csv",
    "qualified.shortlist_add", "qualified.shortlist_remove",
    # the ETS's writes on its entry (POST only)
    "qualified.add_service", "qualified.edit_service", "qualified.remove_service",
    "qualified.update_service_availability", "qualified.save_entry_contacts",
}
# One organisation's own pages: the demo has none yet; test_applications.py walks them as the
# applicant, with axe-core, in both languages.
OWN_DATA = {"organisation_id", "application_id", "subject_id"}
# A registration belongs to whoever made it: test_tables_registrations.py walks those pages; an
# entry of the qualified list to its ETS: test_qualified_ets.py walks it.
# Pages of another procedure than the co-programming: the demo's list of qualified entities (2).
OTHER_VALUES = {"qualified.manage_entries": {"procedure_id": 2}}
# Pages crawled twice, once with VALUES and once with these: the applications tab of the demo's
# list (notice 2), which differs from a co-programming's (no admitted list to publish).
SECOND_VALUES = {"applications.review_queue": {"notice_id": 2}}
OWN_ENDPOINTS = {"tables.cancel_registration", "qualified.my_entry"}
# Pages for the people of an ETS: crawled as the demo ETS user.
ETS_PAGES = {"organisations.mine", "organisations.register", "applications.mine", "applications.start",
             "tables.my_registrations", "tables.register_person",
             "mapping.my_contributions", "mapping.new_contribution"}
# Pages of the table facilitators: crawled as the demo facilitator (who facilitates session 1).
FACILITATOR_PAGES = {"tables.facilitator_home", "tables.door", "tables.edit_minutes", "tables.minutes_document",
                     "mapping.contributions_from_table"}


# The search of the qualified list: crawled as the demo case manager too (staff may use it as well).
CASE_MANAGER_PAGES = {"qualified.search_page", "qualified.entity_page", "qualified.shortlist_page"}


def html_pages(staff: bool, ets: bool = False, facilitator: bool = False, case_manager: bool = False) -> list[str]:
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x", "SERVER_NAME": "x"})
    urls = []
    with app.test_request_context():
        from flask import url_for

        for rule in app.url_map.iter_rules():
            if rule.endpoint in NOT_HTML | OWN_ENDPOINTS or "GET" not in rule.methods or OWN_DATA & rule.arguments:
                continue
            if "/gestione/" in rule.rule and not staff:
                continue
            if (rule.endpoint in ETS_PAGES) != ets:
                continue
            if facilitator and rule.endpoint not in FACILITATOR_PAGES:
                continue
            if case_manager and rule.endpoint not in CASE_MANAGER_PAGES:
                continue
            values = {k: VALUES[k] for k in rule.arguments} | OTHER_VALUES.get(rule.endpoint, {})
            urls.append(url_for(rule.endpoint, **values).replace("http://x", ""))
            if rule.endpoint in SECOND_VALUES:
                urls.append(url_for(rule.endpoint, **values | SECOND_VALUES[rule.endpoint]).replace("http://x", ""))
    return sorted(set(urls))


def sign_in_as(page, email: str, lang: str) -> None:
    login(page, email, DEMO_PASSWORD)
    assert "/accedi" not in page.url, f"the demo account {email} could not sign in"
    page.goto(f"/lingua/{lang}?next=/")


def crawl(page, urls: list[str], lang: str, *, allow_errors: bool = False) -> None:
    """Each page in `lang`, axe-core clean; an error status only where `allow_errors` (the
    public's and staff's forged e-mail tokens)."""
    for url in urls:
        response = page.goto(url)
        shown = page.locator("html").get_attribute("lang")
        assert shown == lang and (allow_errors or response.status < 400), (
            f"{url} -> {page.url} ({response.status}) in {shown}")
        check_a11y(page)
