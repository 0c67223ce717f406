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
    if armed(name):
        die()


def armed(name):
    """Whether a test armed `name` (disarming it). A point inside a window
    that must stay as short as it is (alerts/delivery.py's commit and end of
    data) asks before the window and calls `die()` inside it, so the file is
    never read there."""
    path = settings.FAULT_POINTS_FILE
    if not path:
        return False
    try:
        points = Path(path).read_text().split()
    except FileNotFoundError:
        return False
    if name not in points:
        return False
    Path(path).write_text("\n".join(point for point in points if point != name))
    return True


def die():
    os.kill(os.getpid(), signal.SIGKILL)
