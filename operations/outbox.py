"""The outbox pattern every app's background work follows.

A row is written in the transaction that makes the work owed (a notification,
an alert, a reader-index update); its task is queued once that transaction
commits (`enqueue`); and a beat job hands out again whatever no worker has
finished, because the broker was down or a worker died (`sweep`). Tasks
claim their row before acting, so a row handed out twice is done once.
"""

import logging

logger = logging.getLogger(__name__)


def enqueue(task, *args):
    """Queue `task` now, never failing the caller: with the broker down, the
    row stays owed and the app's sweep hands it out later."""
    try:
        task.delay(*args)
        return True
    except Exception:
        logger.exception("Could not queue %s%r; the beat sweep will hand it out", task.name, args)
        return False


def sweep(stale_rows, task, *, limit, mark=None, key="pk"):
    """The beat half: queue `task(value)` for up to `limit` stale rows' `key`.
    `mark(values)` runs first, so that the next sweep leaves these to the
    tasks just queued. Returns how many were handed out."""
    values = list(stale_rows.values_list(key, flat=True).distinct().order_by()[:limit])
    if mark is not None and values:
        mark(values)
    for value in values:
        enqueue(task, value)
    return len(values)
