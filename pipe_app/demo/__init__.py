"""Fictional demo data for trying PIPE Desk, training staff, and screenshots.

Every person in it is made up. ``DEMO_LOGINS`` lists the demo sign-ins and their passwords.
"""

from pipe_app.demo.generate import DEFAULT_SEED, DemoSummary, generate, resident_count
from pipe_app.demo.organisation import DEMO_LOGINS, DemoLogin

__all__ = ["DEFAULT_SEED", "DEMO_LOGINS", "DemoLogin", "DemoSummary", "generate", "resident_count"]
