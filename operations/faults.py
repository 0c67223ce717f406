"""Named fault points: the places where a test has a real worker process die
(SIGKILL, like a machine losing power) to prove what a crash there leaves.

A test arms a point by writing its name into the file the FAULT_POINTS_FILE
setting names. Only the test settings set it; everywhere else a fault point
costs one attribute lookup. The process disarms the point before it dies, so
the worker started again afterwards runs through it.
"""

import os
import signal
from pathlib import Path

from django.conf import settings


def fault_point(name):
    path = settings.FAULT_POINTS_FILE
    if not path:
        return
    try:
        armed = Path(path).read_text().split()
    except FileNotFoundError:
        return
    if name not in armed:
        return
    Path(path).write_text("\n".join(point for point in armed if point != name))
    os.kill(os.getpid(), signal.SIGKILL)
