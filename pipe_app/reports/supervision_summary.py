"""Supervision compliance summary for a site and period, fit to show an auditor.

Counts only signed-off records (a draft is not yet a record). Cases discussed are shown as
resident pseudonyms and themes are scrubbed of resident names, so the PDF names no resident
and holds no CRN: any CRN-shaped text left after that is withheld too.
"""

from __future__ import annotations

import io
import re
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.units import cm, mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import KeepTogether, Paragraph, Spacer, Table, TableStyle

from pipe_app.domain.enums import Role, StaffRole, SupervisionKind, SupervisionStatus
from pipe_app.reports.pdf_base import (
    ACCENT,
    BOLD,
    FONT,
    RULE,
    MarkedDocument,
    styles,
    write_atomically,
)
from pipe_app.reports.pseudonyms import WITHHELD, Pseudonyms, site_identities
from pipe_app.services.errors import PermissionDenied, ValidationError
from pipe_app.services.permissions import Actor, Permission
from pipe_app.services.sites import SiteService
from pipe_app.services.supervision import SupervisionRow, SupervisionService
from pipe_app.services.supervision_compliance import (
    CompliancePoint,
    ComplianceRow,
    SupervisionComplianceService,
)
from pipe_app.storage.database import Database
from pipe_app.timeutil import local_day, local_today

ANY_CRN = re.compile(r"(?<![A-Za-z0-9])[A-Za-z][0-9]{6}(?![0-9])")
OVERSEERS = frozenset({Role.MANAGER, Role.PSYCHOLOGIST})
COUNTED = (SupervisionStatus.SIGNED_OFF, SupervisionStatus.LOCKED)
PADDING = 4


def kind_label(kind: SupervisionKind) -> str:
    return kind.value.replace("_", " ").capitalize()


def role_label(role: StaffRole) -> str:
    return role.value.replace("_", " ").capitalize()


@dataclass(frozen=True)
class CaseLine:
    day: date
    kind: SupervisionKind
    cases: tuple[str, ...]
    themes: tuple[str, ...]


@dataclass(frozen=True)
class PersonLine:
    name: str
    job_role: StaffRole | None
    by_kind: dict[SupervisionKind, int]
    last_on: date | None

    @property
    def total(self) -> int:
        return sum(self.by_kind.values())


@dataclass(frozen=True)
class SupervisionSummary:
    site_name: str
    start: date
    end: date
    measured_on: date
    by_kind: dict[SupervisionKind, tuple[int, int, int]]  # sessions, minutes, people
    people: tuple[PersonLine, ...]
    awaiting_sign_off: int
    overdue: tuple[ComplianceRow, ...]
    series: tuple[CompliancePoint, ...]
    cases: tuple[CaseLine, ...]


def scrub(pseudonyms: Pseudonyms, text: str) -> str:
    return ANY_CRN.sub(WITHHELD, pseudonyms.scrub(text))


def build_summary(
    db: Database, actor: Actor, site_id: uuid.UUID, start: date, end: date
) -> SupervisionSummary:
    if end < start:
        raise ValidationError.single("to", "must be on or after the start of the period")
    actor.require(Permission.SUPERVISION_READ, site_id)
    if not (actor.is_system or actor.roles & OVERSEERS):
        raise PermissionDenied("only managers and psychologists can print the supervision summary")
    site = SiteService(db, actor).get(site_id)
    measured = min(end, local_today())
    records = SupervisionService(db, actor).rows(site_id=site_id, from_day=start, to_day=end)
    counted = sorted(
        (r for r in records if r.status in COUNTED), key=lambda r: (r.started_at, r.id)
    )
    awaiting = sum(r.status not in COUNTED and r.status != SupervisionStatus.DRAFT for r in records)
    compliance = SupervisionComplianceService(db, actor)
    rows = compliance.rows(site_id, measured)
    series = compliance.series(site_id, measured)
    pseudonyms = Pseudonyms(site_identities(db, actor, site_id))
    return SupervisionSummary(
        site.name,
        start,
        end,
        measured,
        _by_kind(counted),
        _people(counted, rows),
        awaiting,
        tuple(r for r in rows if r.status in ("overdue", "never")),
        tuple(series),
        tuple(
            CaseLine(
                local_day(r.started_at),
                r.kind,
                tuple(scrub(pseudonyms, crn) for crn in r.cases_discussed),
                tuple(scrub(pseudonyms, theme) for theme in r.themes),
            )
            for r in counted
            if r.cases_discussed or r.themes
        ),
    )


def _by_kind(records: list[SupervisionRow]) -> dict[SupervisionKind, tuple[int, int, int]]:
    sessions: Counter[SupervisionKind] = Counter()
    minutes: Counter[SupervisionKind] = Counter()
    people: dict[SupervisionKind, set[uuid.UUID]] = defaultdict(set)
    for record in records:
        sessions[record.kind] += 1
        minutes[record.kind] += record.duration_minutes
        people[record.kind] |= set(record.supervisee_ids)
    return {
        kind: (sessions[kind], minutes[kind], len(people[kind]))
        for kind in SupervisionKind
        if sessions[kind]
    }


def _people(records: list[SupervisionRow], rows: list[ComplianceRow]) -> tuple[PersonLine, ...]:
    """Everyone supervised in the period, and everyone a requirement applies to."""
    names: dict[uuid.UUID, str] = {r.staff_member_id: r.staff_name for r in rows}
    roles: dict[uuid.UUID, StaffRole] = {r.staff_member_id: r.job_role for r in rows}
    counts: dict[uuid.UUID, Counter[SupervisionKind]] = defaultdict(Counter)
    last: dict[uuid.UUID, date] = {}
    for record in records:
        for person, name in zip(record.supervisee_ids, record.supervisee_names, strict=True):
            names.setdefault(person, name)
            counts[person][record.kind] += 1
            last[person] = max(last.get(person, date.min), local_day(record.started_at))
    lines = [PersonLine(names[p], roles.get(p), dict(counts[p]), last.get(p)) for p in names]
    return tuple(sorted(lines, key=lambda line: (line.name.split()[-1:], line.name)))


# ---- PDF --------------------------------------------------------------------------------


def _table(data: list[list[Any]], widths: list[float], *, zebra: bool = True) -> Table:
    table = Table(data, colWidths=widths, repeatRows=1, hAlign="LEFT")
    commands: list[tuple[Any, ...]] = [
        ("GRID", (0, 0), (-1, -1), 0.4, RULE),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e4e9ef")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), PADDING),
        ("RIGHTPADDING", (0, 0), (-1, -1), PADDING),
    ]
    if zebra:
        for row in range(2, len(data), 2):
            commands.append(("BACKGROUND", (0, row), (-1, row), colors.HexColor("#f7f9fb")))
    table.setStyle(TableStyle(commands))
    return table


def _fitting_size(labels: list[str], inner_width: float, size: float = 7.0) -> float:
    """A header size at which each word fits its column, so words never break inside."""
    widest = max((stringWidth(w, BOLD, size) for t in labels for w in t.split()), default=0)
    return size if widest <= inner_width else max(5.5, round(size * inner_width / widest, 1) - 0.1)


def _chart(series: tuple[CompliancePoint, ...], width: float) -> Drawing:
    height = 6 * cm
    drawing = Drawing(width, height)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 1.2 * cm, 1.1 * cm, width - 1.6 * cm, 4.3 * cm
    chart.data = [[p.percent or 0 for p in series]]
    chart.categoryAxis.categoryNames = [p.month.strftime("%b %y") for p in series]
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 7
    chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0, 100, 25
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.labelTextFormat = "%d%%"
    chart.bars[0].fillColor = ACCENT
    chart.bars[0].strokeColor = None
    chart.barLabels.fontName = FONT
    chart.barLabels.fontSize = 6.5
    chart.barLabelFormat = "%.0f%%"
    chart.barLabels.nudge = 6
    drawing.add(chart)
    drawing.add(
        String(0, height - 0.3 * cm, "Staff-requirements met at each month end", fontName=FONT)
    )
    return drawing


def summary_pdf(summary: SupervisionSummary) -> bytes:
    buffer = io.BytesIO()
    title = f"Supervision summary: {summary.site_name}"
    period = f"{summary.start:%d %b %Y} to {summary.end:%d %b %Y}"
    doc = MarkedDocument(
        buffer,
        running_title=f"{title}, {period}",
        title=title,
        author="PIPE Desk",
        subject="Clinical supervision compliance",
    )
    sheet = styles()
    cell, bold = sheet["cell"], sheet["cellbold"]
    head = bold.clone("Head", fontSize=7, leading=8.5)

    def p(text: object, style: Any = cell) -> Paragraph:
        return Paragraph(escape(str(text)), style)

    story: list[Any] = [doc.counter, Paragraph(escape(title), sheet["h1"])]
    intro = (
        f"Period {period}. Only signed-off supervision records are counted"
        + (
            f"; {summary.awaiting_sign_off} more in the period await acknowledgement or sign-off."
            if summary.awaiting_sign_off
            else "."
        )
        + f" Compliance is measured on {summary.measured_on:%d %b %Y}. Residents are shown "
        "by pseudonym only."
    )
    story += [Paragraph(escape(intro), sheet["body"]), Spacer(0, 4 * mm)]

    story.append(Paragraph("Supervision by kind", sheet["h2"]))
    if summary.by_kind:
        data = [[p(h, head) for h in ("Kind", "Sessions", "Hours", "Staff supervised")]]
        for kind, (sessions, minutes, people) in summary.by_kind.items():
            data.append([p(kind_label(kind)), p(sessions), p(f"{minutes / 60:.1f}"), p(people)])
        story.append(_table(data, [6 * cm, 2.5 * cm, 2.5 * cm, 3.5 * cm]))
    else:
        story.append(p("No signed-off supervision in this period.", sheet["body"]))

    story.append(Paragraph("Who was supervised, and how often", sheet["h2"]))
    kinds = list(summary.by_kind)
    if summary.people:
        heads = ["Staff member", *(kind_label(k) for k in kinds), "Total", "Last"]
        data = [[p(h, head) for h in heads]]
        for line in summary.people:
            role = role_label(line.job_role) if line.job_role else ""
            name = Paragraph(
                f"{escape(line.name)}<br/><font size='6.5' color='#52606d'>{role}</font>", cell
            )
            data.append(
                [
                    name,
                    *(p(line.by_kind.get(k, 0)) for k in kinds),
                    p(line.total),
                    p(f"{line.last_on:%d %b %Y}" if line.last_on else "none"),
                ]
            )
        rest = doc.width - 4.4 * cm - 2.3 * cm - 1.2 * cm
        each = rest / max(1, len(kinds))
        size = _fitting_size([kind_label(k) for k in kinds], each - 2 * PADDING)
        data[0][1 : 1 + len(kinds)] = [
            p(kind_label(k), head.clone("Kind", fontSize=size, leading=size + 1.5)) for k in kinds
        ]
        story.append(_table(data, [4.4 * cm, *([each] * len(kinds)), 1.2 * cm, 2.3 * cm]))
    else:
        story.append(p("Nobody was supervised and no requirements are set.", sheet["body"]))

    story.append(
        Paragraph(f"Overdue or never supervised on {summary.measured_on:%d %b %Y}", sheet["h2"])
    )
    if summary.overdue:
        heads = ["Staff member", "Kind", "Every", "Last", "Due", "Days over", "Status"]
        data = [[p(h, head) for h in heads]]
        for row in summary.overdue:
            data.append(
                [
                    p(row.staff_name),
                    p(kind_label(row.kind)),
                    p(f"{row.frequency_days} days"),
                    p(f"{row.last_on:%d %b %Y}" if row.last_on else "never"),
                    p(f"{row.next_due:%d %b %Y}"),
                    p(row.days_overdue),
                    p(row.status.capitalize(), bold),
                ]
            )
        widths = [4.1 * cm, 3.2 * cm, 1.6 * cm, 2.3 * cm, 2.3 * cm, 1.5 * cm, 2.0 * cm]
        story.append(_table(data, widths))
    else:
        story.append(p("Nobody is overdue.", sheet["body"]))

    chart_block: list[Any] = [Paragraph("Compliance over twelve months", sheet["h2"])]
    chart_block.append(_chart(summary.series, doc.width))
    data = [[p(h, head) for h in ("Month", "Requirements", "Met", "Met %")]]
    for point in summary.series:
        percent = "n/a" if point.percent is None else f"{point.percent:.0f}%"
        data.append([p(point.label), p(point.required), p(point.met), p(percent)])
    chart_block.append(Spacer(0, 2 * mm))
    chart_block.append(_table(data, [3 * cm, 3 * cm, 2 * cm, 2 * cm]))
    story.append(KeepTogether(chart_block))

    story.append(Paragraph("Cases and themes discussed", sheet["h2"]))
    if summary.cases:
        data = [[p(h, head) for h in ("Date", "Kind", "Cases (pseudonyms)", "Themes")]]
        for case in summary.cases:
            data.append(
                [
                    p(f"{case.day:%d %b %Y}"),
                    p(kind_label(case.kind)),
                    p(", ".join(case.cases) or "none"),
                    p(", ".join(case.themes) or ""),
                ]
            )
        story.append(_table(data, [2.3 * cm, 3.4 * cm, 5 * cm, doc.width - 10.7 * cm]))
    else:
        story.append(p("No cases or themes were recorded.", sheet["body"]))
    doc.build_laid_out(story)
    return buffer.getvalue()


def export(summary: SupervisionSummary, path: Path) -> None:
    """The PDF, written whole or not at all."""
    if path.suffix.lower() != ".pdf":
        raise ValidationError.single("output", "must end in .pdf")
    write_atomically(path, summary_pdf(summary))
