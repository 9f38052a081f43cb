"""PySide6 6.12.0 on Python 3.11 drops a reference to None on every call that returns
nothing; a desktop left signed in through a shift then aborts ("deallocating None").
pyproject.toml keeps that release out; this test catches any binding that does it."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication, QLabel


def test_qt_calls_do_not_leak_references_to_none(qapp: QApplication) -> None:
    label = QLabel("x")
    before = sys.getrefcount(None)
    for _ in range(1000):
        label.setText("y")
        qapp.processEvents()
    assert before - sys.getrefcount(None) < 100
