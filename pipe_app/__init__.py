"""PIPE Desk: records and evidence for PIPE Approved Premises."""

__version__ = "0.1.0"
