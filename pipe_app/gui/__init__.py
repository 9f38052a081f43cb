"""The PySide6 desktop app. Only this package (and the entry point) may import Qt."""
