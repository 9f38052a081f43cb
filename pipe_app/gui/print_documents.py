"""What Ctrl+P prints from a page: the open record (its fields' labels and values) or the list
on show (its headers and loaded rows, with the filters described), as an HTML document that
says its title, who printed it and when. Printing it (``printing.print_document_to``) marks
every page OFFICIAL-SENSITIVE at the top and the bottom and numbers the pages.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QTableView,
    QTextEdit,
    QWidget,
)

from pipe_app.gui.record_form import RecordForm
from pipe_app.services.permissions import Actor
from pipe_app.timeutil import format_local, utc_now

_STYLE = (
    "body { font-size: 10pt; } h1 { font-size: 15pt; } "
    "p.meta { color: #52606d; } th { background-color: #e4e7eb; text-align: left; } "
    "td.label { font-weight: bold; width: 30%; } table { border-collapse: collapse; }"
)


def _checked(box: QAbstractButton) -> str:
    return "Yes" if box.isChecked() else "No"


def widget_text(widget: QWidget) -> str:
    """What a field shows, in words."""
    if isinstance(widget, QLineEdit):
        return "" if widget.echoMode() != QLineEdit.EchoMode.Normal else widget.text()
    if isinstance(widget, QPlainTextEdit | QTextEdit):
        return widget.toPlainText()
    if isinstance(widget, QComboBox):
        return widget.currentText()
    if isinstance(widget, QAbstractSpinBox):
        return widget.text()
    if isinstance(widget, QAbstractButton):
        return f"{widget.text().replace('&', '')}: {_checked(widget)}" if widget.text() else ""
    if isinstance(widget, QListWidget):
        items = [widget.item(row) for row in range(widget.count())]
        checkable = any(item.flags() & Qt.ItemFlag.ItemIsUserCheckable for item in items)
        return ", ".join(
            item.text()
            for item in items
            if (item.checkState() == Qt.CheckState.Checked if checkable else item.isSelected())
        )
    if isinstance(widget, QLabel):
        return widget.text()
    inputs = [
        child
        for kind in (QLineEdit, QComboBox, QAbstractSpinBox, QAbstractButton)
        for child in widget.findChildren(kind)
    ]
    return ", ".join(
        text for child in inputs if child.isVisibleTo(widget) and (text := widget_text(child))
    )


def _frame(title: str, actor: Actor, body: str) -> QTextDocument:
    """The printout: its title, who printed it and when, then ``body``. The marking is not
    in it: ``printing.print_document_to`` puts it at the top and bottom of every page."""
    printed = f"Printed by {actor.display_name} on {format_local(utc_now())}"
    document = QTextDocument()
    document.setDefaultStyleSheet(_STYLE)
    document.setDocumentMargin(12)
    document.setHtml(
        f"<html><body><h1>{escape(title)}</h1>"
        f'<p class="meta">{escape(printed)}</p>{body}</body></html>'
    )
    document.setMetaInformation(QTextDocument.MetaInformation.DocumentTitle, title)  # after
    return document


def _cell(text: str) -> str:
    return escape(text).replace("\n", "<br/>")


def record_document(title: str, fields: Sequence[tuple[str, str]], actor: Actor) -> QTextDocument:
    rows = "".join(
        f'<tr><td class="label">{_cell(label)}</td><td>{_cell(value)}</td></tr>'
        for label, value in fields
    )
    body = f'<table width="100%" cellpadding="4" cellspacing="0" border="1">{rows}</table>'
    return _frame(title, actor, body)


def table_document(
    title: str,
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    actor: Actor,
    *,
    filters: str = "",
    more: bool = False,
) -> QTextDocument:
    count = f"{len(rows)} row{'' if len(rows) == 1 else 's'}"
    if more:
        count += " (the rows loaded so far; scroll the list to load the rest before printing)"
    meta = f"Shown: {filters}. {count}." if filters else f"{count}."
    head = "".join(f"<th>{_cell(header)}</th>" for header in headers)
    body_rows = "".join(
        "<tr>" + "".join(f"<td>{_cell(value)}</td>" for value in row) + "</tr>" for row in rows
    )
    body = (
        f'<p class="meta">{escape(meta)}</p>'
        f'<table width="100%" cellpadding="3" cellspacing="0" border="1">'
        f"<thead><tr>{head}</tr></thead>{body_rows}</table>"
    )
    return _frame(title, actor, body)


def _shown(root: QWidget, kind: type[QWidget]) -> list[QWidget]:
    return [widget for widget in root.findChildren(kind) if widget.isVisibleTo(root)]


def form_fields(form: RecordForm) -> list[tuple[str, str]]:
    """The form's fields on show, by their labels, in the order the form declares them."""
    fields = []
    for name, label in form.FIELDS.values():
        widget = form.form.findChild(QWidget, name)
        if widget is not None and widget.isVisibleTo(form):
            fields.append((label, widget_text(widget)))
    return fields


def _label_for(widget: QWidget) -> str:
    return widget.accessibleName() or widget.objectName()


def describe_filters(table: QTableView) -> str:
    """The filter inputs beside the list (its panel's combos and non-empty text boxes)."""
    panel = table.parentWidget()
    if panel is None:
        return ""
    parts = []
    inputs: list[QWidget] = [*panel.findChildren(QComboBox), *panel.findChildren(QLineEdit)]
    for widget in inputs:
        if (
            not widget.isVisibleTo(panel)
            or table.isAncestorOf(widget)
            or (isinstance(widget, QLineEdit) and isinstance(widget.parentWidget(), QComboBox))
        ):
            continue
        text = widget_text(widget)
        if text:
            parts.append(f"{_label_for(widget)}: {text}")
    return "; ".join(parts)


def _table_rows(table: QTableView) -> tuple[list[str], list[list[str]], bool]:
    model = table.model()
    columns = [c for c in range(model.columnCount()) if not table.isColumnHidden(c)]
    headers = [
        str(model.headerData(c, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole) or "")
        for c in columns
    ]
    rows = [
        [str(model.index(r, c).data(Qt.ItemDataRole.DisplayRole) or "") for c in columns]
        for r in range(model.rowCount())
        if not table.isRowHidden(r)
    ]
    return headers, rows, model.canFetchMore(QModelIndex())


def _chosen_table(root: QWidget) -> QTableView | None:
    tables = [t for t in _shown(root, QTableView) if isinstance(t, QTableView)]
    focus = QApplication.focusWidget()
    for table in tables:
        if focus is not None and (focus is table or table.isAncestorOf(focus)):
            return table
    return tables[0] if tables else None


def view_document(root: QWidget, title: str, actor: Actor) -> QTextDocument | None:
    """The open record form under ``root``, else its visible list; None when neither shows."""
    forms = [form for form in _shown(root, RecordForm) if isinstance(form, RecordForm)]
    if forms:
        form = forms[0]
        return record_document(f"{title}: {form.title_text()}", form_fields(form), actor)
    table = _chosen_table(root)
    if table is None:
        return None
    headers, rows, more = _table_rows(table)
    name = table.accessibleName()
    return table_document(
        f"{title}: {name}" if name else title,
        headers,
        rows,
        actor,
        filters=describe_filters(table),
        more=more,
    )
