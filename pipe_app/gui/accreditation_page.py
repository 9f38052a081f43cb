"""The accreditation page (a placeholder until its view is built)."""

from __future__ import annotations

from pipe_app.gui.pages import PlaceholderPage


class AccreditationPage(PlaceholderPage):
    pass
