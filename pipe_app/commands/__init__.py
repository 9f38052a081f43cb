"""More `pipe-app` sub-commands, one module per area; each has ``register(commands, common)``.

``commands`` is the argparse sub-parser collection and ``common`` the parent parser that
carries ``--database``; a handler is set with ``set_defaults(handler=...)`` and returns the
exit code. Shared helpers (``open_database``, ``say``, ``Failed``...) live in ``pipe_app.cli``.
"""

from __future__ import annotations

MODULES = ("pipe_app.commands.reports", "pipe_app.commands.evidence")
