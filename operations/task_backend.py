"""A django-tasks backend that hands each task to Celery.

Wagtail 8 enqueues its own background work (search and reference index
updates, image focal points, frontend cache purges) through django-tasks.
This backend turns each enqueue into one Celery message, sent only once the
surrounding transaction commits so the worker sees the rows it is asked
about (at once inside a transaction committed by hand, which has no hook).
"""

import logging

from django.db import transaction
from django.utils import timezone

from django_tasks.backends.base import BaseTaskBackend
from django_tasks.base import TaskResult, TaskResultStatus
from django_tasks.utils import get_random_id

from operations.tasks import run_django_task

logger = logging.getLogger(__name__)


class CeleryTaskBackend(BaseTaskBackend):
    supports_defer = True

    def enqueue(self, task, args, kwargs):
        self.validate_task(task)
        result_id = get_random_id()
        args, kwargs = list(args), dict(kwargs)

        def send():
            try:
                run_django_task.apply_async(
                    args=(task.module_path, args, kwargs),
                    task_id=result_id,
                    eta=task.run_after,
                )
            except Exception:
                # The editorial action that caused this has already committed;
                # failing it now would only lose the editor's work. The index
                # can be rebuilt with `manage.py update_index`.
                logger.exception("Could not enqueue %s on the Celery broker", task.module_path)

        connection = transaction.get_connection()
        if not connection.get_autocommit() and not connection.in_atomic_block:
            # A transaction committed by hand (operations/mail.py times its
            # COMMIT with the relay's end of data): Django has no commit hook
            # there and would raise inside the caller's save. Sent now; the
            # task is idempotent and its row is committed moments later.
            send()
        else:
            transaction.on_commit(send, robust=True)
        return TaskResult(
            task=task,
            id=result_id,
            status=TaskResultStatus.READY,
            enqueued_at=timezone.now(),
            started_at=None,
            last_attempted_at=None,
            finished_at=None,
            args=args,
            kwargs=kwargs,
            backend=self.alias,
            errors=[],
            worker_ids=[],
        )
