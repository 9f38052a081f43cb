"""Cold start to the first window painted; prints the process's CPU seconds so far and the
wall-clock time of that first paint (CPU time holds up better on a machine shared with others).

    QT_QPA_PLATFORM=offscreen python benchmarks/probe_start.py app|bare [DATABASE_URL]

``app`` starts PIPE Desk through the ``pipe-app`` entry point (``pipe-app --database URL``:
its sign-in window); ``bare`` shows an empty PySide6 window. Both quit right after the first
Paint event of a top-level window.
"""

from __future__ import annotations

import resource
import sys
import time

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget


class FirstPaint(QObject):
    def __init__(self, on_paint: object) -> None:
        super().__init__()
        self.done = False
        self.on_paint = on_paint

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            not self.done
            and event.type() == QEvent.Type.Paint
            and isinstance(watched, QWidget)
            and watched.isWindow()
        ):
            self.done = True
            used = resource.getrusage(resource.RUSAGE_SELF)
            print(f"{used.ru_utime + used.ru_stime:.6f} {time.time():.6f}", flush=True)
            QTimer.singleShot(0, self.on_paint)  # type: ignore[arg-type]
        return False


def main() -> int:
    mode = sys.argv[1]
    app = QApplication(sys.argv[:1])
    if mode == "bare":
        spy = FirstPaint(app.quit)
        app.installEventFilter(spy)
        window = QWidget()
        window.setWindowTitle("bare")
        window.resize(440, 300)
        window.show()
        return app.exec()
    from pipe_app.__main__ import main as pipe_app

    spy = FirstPaint(app.quit)
    app.installEventFilter(spy)
    return pipe_app(["--database", sys.argv[2]])  # uses this QApplication; quits on the paint


if __name__ == "__main__":
    raise SystemExit(main())
