"""Opening an evidence file from the evidence form, and saving a copy of it."""

from __future__ import annotations

import os
import stat
from datetime import timedelta
from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices

from pipe_app.domain.enums import EvidenceKind, Role
from pipe_app.gui import attachment_open
from pipe_app.gui.accreditation_page import AccreditationPage
from pipe_app.gui.attachment_open import safe_file_name
from pipe_app.gui.evidence_form import EvidenceForm
from pipe_app.gui.pages import spec_for
from pipe_app.services.evidence import EvidenceInput, EvidenceService
from pipe_app.services.frameworks import FrameworkService
from pipe_app.timeutil import local_today
from tests.gui.helpers import click

CONTENT = b"%PDF-1.4 community meeting minutes, March"
NAME = "minutes: March?.pdf"


def _page_with_file(qtbot, world, role: Role) -> AccreditationPage:
    FrameworkService(world.db, world.system).install_builtin()
    service = EvidenceService(world.db, world.system)
    item = service.create(
        EvidenceInput(
            world.crowley.id,
            "Community meeting",
            EvidenceKind.MINUTES,
            local_today() - timedelta(1),
        )
    )
    service.add_attachment(item.id, NAME, "application/pdf", CONTENT)
    page = AccreditationPage(spec_for("accreditation"), world.db, world.actor(role, "crowley"))
    qtbot.addWidget(page)
    page.resize(1300, 760)
    page.show()
    qtbot.waitExposed(page)
    page.activate()
    view = page.evidence_table
    page.tabs.setCurrentIndex(1)
    view.setFocus()
    view.setCurrentIndex(page.evidence_model.index(0, 0))
    qtbot.keyClick(view, Qt.Key.Key_Return)
    assert page.form_open and page.form.record_id == item.id
    return page


def _capture_opened(monkeypatch, answer: bool = True) -> list[QUrl]:
    opened: list[QUrl] = []

    def fake_open(url: QUrl) -> bool:
        opened.append(url)
        return answer

    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(fake_open))
    return opened


def _select_file(qtbot, form: EvidenceForm) -> None:
    files = form.attachments_list
    assert files.count() == 1
    rect = files.visualItemRect(files.item(0))
    qtbot.mouseClick(files.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert files.currentItem().isSelected()


def test_enter_opens_a_private_copy_under_its_own_name(qtbot, world, monkeypatch) -> None:
    opened = _capture_opened(monkeypatch)
    page = _page_with_file(qtbot, world, Role.MANAGER)
    form = page.form
    assert not form.open_file_button.isEnabled()  # nothing chosen yet
    _select_file(qtbot, form)
    assert form.open_file_button.isEnabled() and form.save_copy_button.isEnabled()
    qtbot.keyClick(form.attachments_list, Qt.Key.Key_Return)

    assert len(opened) == 1 and opened[0].isLocalFile()
    path = Path(opened[0].toLocalFile())
    assert path.name == "minutes_ March_.pdf"
    assert path.read_bytes() == CONTENT
    private = attachment_open.private_folder()
    assert path.is_relative_to(private)
    if os.name == "posix":  # only this user may read the copies
        assert stat.S_IMODE(private.stat().st_mode) == 0o700
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert not form.file_message.isVisible()

    files = form.attachments_list
    rect = files.visualItemRect(files.item(0))
    qtbot.mouseDClick(files.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert len(opened) == 2 and Path(opened[1].toLocalFile()) != path  # never overwrites
    click(qtbot, form.open_file_button)
    assert len(opened) == 3 and Path(opened[2].toLocalFile()).read_bytes() == CONTENT


def test_key_worker_opens_and_saves_a_copy_but_cannot_add(
    qtbot, world, monkeypatch, tmp_path
) -> None:
    opened = _capture_opened(monkeypatch, answer=False)  # no viewer for PDFs here
    page = _page_with_file(qtbot, world, Role.KEY_WORKER)
    form = page.form
    assert not form.add_file_button.isEnabled()
    _select_file(qtbot, form)
    click(qtbot, form.open_file_button)
    assert len(opened) == 1
    assert form.file_message.isVisible()
    assert form.file_message.text() == (
        "Could not open minutes: March?.pdf: no program on this computer opens minutes_ March_.pdf."
    )

    target = tmp_path / "kept" / "copy.pdf"
    asked: list[str] = []

    def ask(_cls, _parent, file_name: str) -> Path:
        asked.append(file_name)
        return target

    monkeypatch.setattr(attachment_open.AskCopyPath, "ask", classmethod(ask))
    click(qtbot, form.save_copy_button)
    assert asked == [NAME]
    assert "No such file or directory" in form.file_message.text()  # the folder is missing
    target.parent.mkdir()
    click(qtbot, form.save_copy_button)
    assert target.read_bytes() == CONTENT
    assert not form.file_message.isVisible()


def test_file_names_are_made_safe_for_any_file_system() -> None:
    assert safe_file_name("report.pdf") == "report.pdf"
    assert safe_file_name('a<b>c:"d|e?*.pdf') == "a_b_c__d_e__.pdf"
    assert safe_file_name("CON.txt") == "_CON.txt"
    assert safe_file_name(" ..hidden. ") == "hidden"
    assert safe_file_name("...") == "attachment"
    assert safe_file_name("tab\there.png") == "tab_here.png"
    long = safe_file_name("x" * 300 + ".docx")
    assert len(long) == 150 and long.endswith(".docx")
