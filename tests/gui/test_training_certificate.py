"""A training record's certificate: attached by dialog or drop, opened, saved as a copy."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDesktopServices, QDragEnterEvent, QDropEvent

from pipe_app.domain.enums import Role, StaffRole
from pipe_app.gui import attachment_open, attachments
from pipe_app.gui.pages import spec_for
from pipe_app.gui.staff_page import StaffPage
from pipe_app.gui.training_record_form import TrainingRecordForm
from pipe_app.services import evidence as evidence_service
from pipe_app.services.training import CourseInput, TrainingRecordInput, TrainingService
from pipe_app.timeutil import local_today
from tests.gui.helpers import click

CTRL = Qt.KeyboardModifier.ControlModifier
PDF = b"%PDF-1.4 first aid certificate"


def _record(world):
    training = TrainingService(world.db, world.system)
    course = training.create_course(
        CourseInput("FA1", "First aid", renewal_months=36, mandatory_for=frozenset(StaffRole))
    )
    row = training.record(
        TrainingRecordInput(
            staff_member_id=world.staff[(Role.KEY_WORKER, "crowley")].id,
            course_id=course.id,
            completed_on=local_today() - timedelta(days=10),
            hours=6,
        )
    )
    return training, row


def _form(qtbot, world, row) -> TrainingRecordForm:
    page = StaffPage(spec_for("staff"), world.db, world.actor(Role.MANAGER, "crowley"))
    qtbot.addWidget(page)
    page.resize(1200, 800)
    page.show()
    qtbot.waitExposed(page)
    page.activateWindow()
    qtbot.waitUntil(page.isActiveWindow)
    page.activate()
    page.open_record(row.id)
    assert page.form_open
    return page.form


def _choose(monkeypatch, path: Path | None) -> None:
    monkeypatch.setattr(attachments.AskFiles, "ask_one", classmethod(lambda cls, *a: path))


def _drop(form: TrainingRecordForm, *paths: Path) -> bool:
    """Drag files over the form and drop them (the form's handlers get real events, as Qt
    delivers no posted drop without a real drag). True when the form took the drag."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path)) for path in paths])
    point, action = QPointF(20, 20), Qt.DropAction.CopyAction
    buttons, keys = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(point.toPoint(), action, mime, buttons, keys)
    form.dragEnterEvent(enter)
    if not enter.isAccepted():
        return False
    form.dropEvent(QDropEvent(point, action, mime, buttons, keys))
    return True


def test_attach_open_and_save_a_copy_keeping_the_typing(qtbot, world, monkeypatch, tmp_path):
    training, row = _record(world)
    form = _form(qtbot, world, row)
    assert form.certificate_file.text().startswith("None attached")
    assert not form.open_button.isEnabled() and not form.save_copy_button.isEnabled()
    form.notes_edit.setFocus()
    qtbot.keyClicks(form.notes_edit, "Certificate no. 4471")  # not saved yet

    pdf = tmp_path / "first-aid.pdf"
    pdf.write_bytes(PDF)
    _choose(monkeypatch, pdf)
    click(qtbot, form.attach_button)
    assert form.certificate_file.text() == f"first-aid.pdf  ·  {len(PDF)} bytes"
    assert training.certificate_content(row.id) == PDF
    assert form.notes_edit.toPlainText() == "Certificate no. 4471" and form.is_dirty()
    assert form.open_button.isEnabled() and form.save_copy_button.isEnabled()

    opened: list[QUrl] = []
    monkeypatch.setattr(
        QDesktopServices, "openUrl", staticmethod(lambda url: opened.append(url) or True)
    )
    form.open_button.setFocus()
    qtbot.keyClick(form.open_button, Qt.Key.Key_Space)
    [url] = opened
    copy = Path(url.toLocalFile())
    assert copy.name == "first-aid.pdf" and copy.read_bytes() == training.certificate_content(
        row.id
    )
    assert copy.parent.parent == attachment_open.private_folder()

    target = tmp_path / "saved" / "copy.pdf"
    target.parent.mkdir()
    monkeypatch.setattr(attachment_open.AskCopyPath, "ask", classmethod(lambda cls, *a: target))
    click(qtbot, form.save_copy_button)
    assert target.read_bytes() == PDF

    qtbot.keyClick(form.notes_edit, Qt.Key.Key_S, CTRL)  # the typing saves, the file stays
    saved = training.get(row.id)
    assert saved.notes == "Certificate no. 4471"
    assert saved.certificate_attachment_id is not None
    assert training.certificate_content(row.id) == PDF


def test_a_dropped_file_replaces_the_certificate(qtbot, world, tmp_path):
    training, row = _record(world)
    form = _form(qtbot, world, row)
    first, second = tmp_path / "old.pdf", tmp_path / "scan.png"
    first.write_bytes(PDF)
    second.write_bytes(b"\x89PNG scanned certificate")
    assert not _drop(form, first, second)  # one certificate at a time
    assert _drop(form, first)
    assert _drop(form, second)
    assert form.certificate_file.text().startswith("scan.png  ·  ")
    assert training.certificate_content(row.id) == b"\x89PNG scanned certificate"


def test_wrong_type_and_too_large_say_so_under_the_certificate(qtbot, world, monkeypatch, tmp_path):
    training, row = _record(world)
    form = _form(qtbot, world, row)
    program = tmp_path / "setup.exe"
    program.write_bytes(b"MZ")
    _choose(monkeypatch, program)
    click(qtbot, form.attach_button)
    message = form.errors.message_for("certificate_attachment_id")
    assert message.startswith("Certificate: setup.exe was not attached")
    assert "only PDF, image and office document files" in message

    monkeypatch.setattr(evidence_service, "MAX_ATTACHMENT_BYTES", 10)
    big = tmp_path / "big.pdf"
    big.write_bytes(PDF)
    _choose(monkeypatch, big)
    click(qtbot, form.attach_button)
    message = form.errors.message_for("certificate_attachment_id")
    assert message.startswith("Certificate: big.pdf was not attached")
    assert "largest allowed is 25 MB" in message
    assert training.get(row.id).certificate_attachment_id is None
    assert form.certificate_file.text().startswith("None attached")


def test_a_new_record_asks_to_be_saved_first(qtbot, world):
    _record(world)
    page = StaffPage(spec_for("staff"), world.db, world.actor(Role.MANAGER, "crowley"))
    qtbot.addWidget(page)
    page.show()
    qtbot.waitExposed(page)
    page.activate()
    page.new_record()
    form = page.form
    assert form.certificate_file.text().startswith("Save the record first")
    assert not form.attach_button.isEnabled() and not form.open_button.isEnabled()
