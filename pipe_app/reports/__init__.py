"""ReportLab documents: the evidence pack (more reports later). Qt-free."""
