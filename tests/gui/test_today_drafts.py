"""Unsaved forms kept on this computer are listed on Today, and each line opens its own form
with the typing put back: new records and edits, on every page that keeps drafts."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QPlainTextEdit, QTextEdit, QWidget

from pipe_app.domain.enums import Role
from pipe_app.gui import record_form
from pipe_app.gui.drafts import DraftKey, delete_draft, load_draft, save_draft
from pipe_app.gui.main_window import MainWindow
from pipe_app.gui.placement_form import NEW_KIND, NewPlacementForm
from pipe_app.services.residents import ResidentService
from tests.gui.helpers import ready_window


@pytest.fixture(autouse=True)
def _discard_on_close(monkeypatch) -> None:
    """The reopened forms hold unsaved typing: closing the window at the end discards it."""
    monkeypatch.setattr(record_form.Confirm, "ask", classmethod(lambda *a, **k: True))


def _window(qtbot, world, settings) -> MainWindow:
    return ready_window(qtbot, world, settings, Role.MANAGER)


def _open_line(qtbot, window: MainWindow, title: str) -> None:
    """Enter on the Today line called ``title`` in "Your unfinished drafts"."""
    window.show_page("today")
    today = window.pages["today"]
    qtbot.waitUntil(lambda: not today.is_loading and "drafts" in today.cards)
    card = today.cards["drafts"]
    titles = [line.text for line in card.model.rows]
    assert title in titles
    assert [line.status for line in card.model.rows] == ["Not saved yet"] * len(titles)
    card.view.setFocus()
    card.view.setCurrentIndex(card.model.index(titles.index(title), 1))
    qtbot.keyClick(card.view, Qt.Key.Key_Enter)


def _text_of(root: QWidget, name: str) -> str:
    edit = root.findChild(QPlainTextEdit, name) or root.findChild(QTextEdit, name)
    assert edit is not None, name
    return edit.toPlainText()


def test_a_new_supervision_draft_reopens_with_its_typing(qtbot, world, settings) -> None:
    actor = world.actor(Role.MANAGER, "crowley")
    typed = {"summary": "Half-written summary of the session"}
    save_draft(actor.username, DraftKey("supervision"), "Supervision, not saved", typed)
    window = _window(qtbot, world, settings)

    _open_line(qtbot, window, "Supervision, not saved")

    page = window.pages["supervision"]
    qtbot.waitUntil(lambda: window.current_page is page and page.form_open)
    assert page.form.record_id is None  # a new record, not saved yet
    assert _text_of(page.form, "summaryEdit") == typed["summary"]


def test_a_new_evidence_draft_reopens_with_its_typing(qtbot, world, settings) -> None:
    actor = world.actor(Role.MANAGER, "crowley")
    typed = {"title": "Garden day photographs", "narrative": "Residents planned the day."}
    save_draft(actor.username, DraftKey("evidence"), "Evidence, not saved", typed)
    window = _window(qtbot, world, settings)

    _open_line(qtbot, window, "Evidence, not saved")

    page = window.pages["accreditation"]
    qtbot.waitUntil(lambda: window.current_page is page and page.form_open)
    assert page.form.record_id is None
    assert page.form.title_edit.text() == typed["title"]
    assert _text_of(page.form, "narrativeEdit") == typed["narrative"]


def test_a_new_placement_draft_is_listed_and_reopens_for_its_resident(
    qtbot, world, settings
) -> None:
    resident_id = world.admit("crowley", given_name="Carla", family_name="Crowe")
    actor = world.actor(Role.MANAGER, "crowley")
    typing = NewPlacementForm(world.db, actor)  # what autosave keeps of a half-typed stay
    qtbot.addWidget(typing)
    typing.start_for(ResidentService(world.db, actor).get(resident_id), offer_draft=False)
    sentence = typing.findChild(QComboBox, "sentenceTypeCombo")
    sentence.setCurrentIndex(sentence.count() - 1)
    chosen = sentence.currentText()
    save_draft(actor.username, typing.draft_key, typing.draft_title(), typing.values())
    assert typing.draft_key == DraftKey(NEW_KIND, resident_id)
    window = _window(qtbot, world, settings)

    _open_line(qtbot, window, typing.draft_title())

    page = window.pages["residents"]
    qtbot.waitUntil(lambda: window.current_page is page and page.showing_detail)
    qtbot.waitUntil(lambda: page.detail.new_placement_dialog is not None)
    dialog = page.detail.new_placement_dialog
    assert "Carla Crowe" in page.detail.name_label.text()
    assert dialog.findChild(QComboBox, "sentenceTypeCombo").currentText() == chosen
    assert load_draft(actor.username, typing.draft_key) is not None  # kept until saved


def test_a_draft_saved_since_today_was_read_says_so(qtbot, world, settings) -> None:
    actor = world.actor(Role.MANAGER, "crowley")
    key = DraftKey("supervision")
    save_draft(actor.username, key, "Supervision, not saved", {"summary": "Typed"})
    window = _window(qtbot, world, settings)
    delete_draft(actor.username, key)  # saved or thrown away on another window meanwhile

    _open_line(qtbot, window, "Supervision, not saved")

    page = window.pages["supervision"]
    qtbot.waitUntil(lambda: page.error_banner.isVisible())
    assert "no longer kept on this computer" in page.error_banner.text()
    assert not page.form_open
