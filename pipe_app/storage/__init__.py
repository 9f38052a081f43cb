"""Engines, sessions, migrations and backups. Qt-free."""
