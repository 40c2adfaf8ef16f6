"""What the public restitution page shows, computed from the procedure's own data: the phases as
they happened, the participation per axis (with a chart drawn on the server), the published
synthesis with where each item came from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import url_for
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ...actors.models import Actor
from ...actors.services import public_name
from ...extensions import db
from ...mapping.models import Contribution
from ...notices.models import Notice
from ...tables.models import TableSession
from ...tables.services.figures import axis_totals, participation, used_categories
from ..models import ItemKind, Synthesis, SynthesisItem, SynthesisSource
from .synthesis import Provenance, load_sources, provenance, published_synthesis, sections

CHART_WIDTH = 640  # units of the SVG's viewBox
LABEL_WIDTH = 150
ROW_HEIGHT = 34


@dataclass(frozen=True)
class Phase:
    key: str
    starts: datetime | None
    ends: datetime | None


def phases(notice: Notice, synthesis: Synthesis | None) -> list[Phase]:
    """Preparatory (publication to the deadline), the process (first to last table), the
    restitution (the synthesis published)."""
    first, last = db.session.execute(
        select(func.min(TableSession.starts_at), func.max(TableSession.ends_at))
        .where(TableSession.procedure_id == notice.procedure_id)
    ).one()
    return [
        Phase("preparatoria", notice.published_at, notice.deadline_at),
        Phase("percorso", first, last),
        Phase("restituzione", synthesis.published_at if synthesis is not None else None, None),
    ]


@dataclass(frozen=True)
class Segment:
    category_index: int
    label: str
    value: int
    percent: int
    x: float
    width: float


@dataclass(frozen=True)
class ChartRow:
    axis: object
    total: int
    registered: int
    y: int
    segments: list[Segment]


@dataclass(frozen=True)
class Participation:
    categories: list
    rows: list[ChartRow]
    width: int
    height: int
    label_width: int

    @property
    def attended(self) -> int:
        return sum(row.total for row in self.rows)


def participation_chart(notice: Notice) -> Participation:
    """Attended per axis, stacked by category, bars to the scale of the largest axis."""
    figures = participation(notice.procedure)
    categories = used_categories(figures)
    totals = axis_totals(figures)
    largest = max((t["attended"] for t in totals), default=0) or 1
    span = CHART_WIDTH - LABEL_WIDTH - 50
    rows = []
    for index, total in enumerate(totals):
        x, segments = float(LABEL_WIDTH), []
        for position, category in enumerate(categories):
            value = total["by_category"][category.id]
            width = span * value / largest
            percent = round(100 * value / total["attended"]) if total["attended"] else 0
            segments.append(Segment(position, str(category.label), value, percent, round(x, 1), round(width, 1)))
            x += width
        rows.append(ChartRow(total["axis"], total["attended"], total["registered"], 10 + index * ROW_HEIGHT, segments))
    return Participation(categories, rows, CHART_WIDTH, 20 + len(rows) * ROW_HEIGHT, LABEL_WIDTH)


@dataclass(frozen=True)
class PublicSection:
    kind: ItemKind
    axis: object | None
    items: list[tuple[SynthesisItem, Provenance]]


def public_sections(synthesis: Synthesis) -> list[PublicSection]:
    """The sections that have items, per axis first, then the whole procedure's."""
    load_sources(synthesis)
    return [PublicSection(s.kind, s.axis, [(item, provenance(item)) for item in s.items])
            for s in sections(synthesis) if s.items]


def published_item(notice: Notice, item_id: int) -> SynthesisItem | None:
    synthesis = published_synthesis(notice.procedure)
    if synthesis is None:
        return None
    return next((item for item in synthesis.items if item.id == item_id), None)


# What the open data and the final document read of each source: a query per relationship, not per source.
SOURCE_DETAILS = (
    selectinload(SynthesisSource.session).options(selectinload(TableSession.axis), selectinload(TableSession.groups)),
    selectinload(SynthesisSource.contribution).options(
        selectinload(Contribution.actor).selectinload(Actor.co_opted_subject), selectinload(Contribution.axis),
        selectinload(Contribution.resource_type), selectinload(Contribution.comune),
    ),
)


def synthesis_open_data(synthesis: Synthesis) -> dict:
    """/dati/<slug>/sintesi.json: items in the page's order, their sources as public URLs (the
    verbali's public version; the contributions' public data), no personal names."""
    slug = synthesis.procedure.slug

    def session(source) -> dict:
        s = source.session
        return {"id": s.id, "axis": s.axis.name, "date": s.starts_at.date().isoformat(),
                "groups": [g.name for g in s.groups],
                "minutes_url": url_for("tables.public_minutes", slug=slug, session_id=s.id, _external=True)}

    def contribution(source) -> dict:
        c = source.contribution
        return {"id": c.id, "actor": public_name(c.actor), "axis": c.axis.name,
                "type": c.resource_type.stored_label, "comune": c.comune.name if c.comune else None,
                "description": c.description}

    load_sources(synthesis, *SOURCE_DETAILS)
    items = []
    for section in sections(synthesis):
        for item in section.items:
            found = provenance(item)
            items.append({
                "id": item.id, "kind": item.kind.value, "axis": item.axis.name if item.axis else None,
                "title": item.title, "description": item.description,
                "tables": found.tables, "contributions": found.contributions,
                "url": url_for("restitution.public_item", slug=slug, item_id=item.id, _external=True),
                "sources": {"sessions": [session(s) for s in item.sources if s.session_id is not None],
                            "contributions": [contribution(s) for s in item.sources if s.contribution_id is not None]},
            })
    return {"procedure": slug, "published_at": synthesis.published_at.isoformat() + "Z",
            "licence": "CC-BY-4.0", "introduction": synthesis.introduction, "items": items}
