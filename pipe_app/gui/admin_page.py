"""Administration: logins, site settings and backups, each on a tab shown only to those
who may use it (users: USER_MANAGE; backups: BACKUP)."""

from __future__ import annotations

from PySide6.QtWidgets import QTableView, QTabWidget, QWidget

from pipe_app.gui.admin_backup import BackupTab
from pipe_app.gui.admin_sites import SitesTab
from pipe_app.gui.admin_users import UsersTab
from pipe_app.gui.pages import Page, PageSpec
from pipe_app.gui.problems import describe_failure
from pipe_app.gui.table_model import RowTableModel
from pipe_app.services.permissions import Actor, Permission
from pipe_app.services.sites import SiteRow, SiteService
from pipe_app.services.users import UserRow, UserService
from pipe_app.storage.database import Database


class AdministrationPage(Page):
    def __init__(
        self, spec: PageSpec, db: Database, actor: Actor, parent: QWidget | None = None
    ) -> None:
        super().__init__(spec, db, actor, parent)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("administrationTabs")
        self.tabs.setDocumentMode(True)
        self.users_tab = UsersTab(db, actor, self)
        self.sites_tab = SitesTab(db, actor, self)
        self.backup_tab = BackupTab(db, actor, self)
        if actor.can(Permission.USER_MANAGE):
            self.tabs.addTab(self.users_tab, "Users")
        else:
            self.users_tab.hide()
        self.tabs.addTab(self.sites_tab, "Sites")
        if actor.can(Permission.BACKUP):
            self.tabs.addTab(self.backup_tab, "Backups")
        else:
            self.backup_tab.hide()
        self.body.addWidget(self.tabs, 1)
        self._connect_signals()

    def _connect_signals(self) -> None:
        self.users_tab.changed.connect(self.refresh)
        self.sites_tab.changed.connect(self.refresh)
        self.backup_tab.restored.connect(self._on_restored)

    # the tables, as tests and screenshots reach them
    @property
    def users_model(self) -> RowTableModel[UserRow]:
        return self.users_tab.model

    @property
    def users_table(self) -> QTableView:
        return self.users_tab.table

    @property
    def sites_model(self) -> RowTableModel[SiteRow]:
        return self.sites_tab.model

    @property
    def sites_table(self) -> QTableView:
        return self.sites_tab.table

    def show_tab(self, tab: QWidget) -> bool:
        index = self.tabs.indexOf(tab)
        if index >= 0:
            self.tabs.setCurrentIndex(index)
        return index >= 0

    def refresh(self) -> None:
        try:
            sites = SiteService(self.db, self.actor).rows()
            users = (
                UserService(self.db, self.actor).rows()
                if self.actor.can(Permission.USER_MANAGE)
                else []
            )
        except Exception as exc:
            self.show_error(describe_failure(exc, "load the users and sites"))
            return
        self.show_error("")
        self.users_tab.set_rows(users, sites)
        self.sites_tab.set_rows(sites)
        if self.actor.can(Permission.BACKUP):
            self.backup_tab.refresh()

    def can_leave(self) -> bool:
        """Not while a backup or restore is running: its result must be seen."""
        return not self.backup_tab.busy

    def _on_restored(self) -> None:
        """The data changed under everyone: sign out, as the message said."""
        from pipe_app.gui.main_window import MainWindow  # the window imports this page

        window = self.window()
        if isinstance(window, MainWindow):
            window.sign_out()
