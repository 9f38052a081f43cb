"""The protective marking every page PIPE Desk prints or writes carries, top and bottom.

Its own module so that the desktop's printing can use it without loading ReportLab."""

MARKING = "OFFICIAL-SENSITIVE"
