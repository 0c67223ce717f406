"""Sending delivery rows: each at most once, none skipped.

Rows go in groups of ALERT_SMTP_LANES. Each message is sent to the relay up
to, not including, its end of data, one SMTP connection per message; the
rows are then claimed under a row lock and marked sent in one transaction,
and the end-of-data lines go out as its COMMIT leaves (operations/mail.py). A
worker killed at any point leaves each row either sent and accepted, or
unsent and discarded by the relay, and the retry picks up exactly the
unsent ones.
"""

import contextlib
import logging
import smtplib

from django.conf import settings
from django.core.mail import get_connection
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from alerts.models import Delivery, Follower
from operations.faults import fault_point
from operations.mail import Abandoned, begin_handoffs, close_quietly, commit_then

logger = logging.getLogger(__name__)
Status = Delivery.Status

SENT, RETRY, FAILED, BOUNCED, SKIPPED = "sent", "retry", "failed", "bounced", "skipped"


def outcome_of(exc):
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        return BOUNCED if codes and min(codes) >= 500 else RETRY
    if isinstance(exc, smtplib.SMTPSenderRefused):
        return RETRY  # our sending address, not the reader's: a configuration problem
    if isinstance(exc, smtplib.SMTPResponseException) and exc.smtp_code >= 500:
        return FAILED
    return RETRY


def send_rows(rows, build_message, build_prepared=None):
    """Send each unsent delivery row in `rows`; returns how many to retry later.

    `build_prepared(row)` may offer the row's message already serialized
    (or None), used where the backend takes serialized messages."""
    connection = get_connection()
    if build_prepared is not None and hasattr(connection, "begin_many"):
        build_message = prefer(build_prepared, build_message)
    to_retry = 0
    try:
        with commits_without_flush_wait():
            for start in range(0, len(rows), settings.ALERT_SMTP_LANES):
                if start:
                    fault_point("alerts.between_groups")
                to_retry += send_group(rows[start : start + settings.ALERT_SMTP_LANES], build_message, connection)
    finally:
        close_quietly(connection)
    return to_retry


def prefer(build_prepared, build_message):
    def build(row):
        return build_prepared(row) or build_message(row)

    return build


@contextlib.contextmanager
def commits_without_flush_wait():
    """One commit per group need not wait for PostgreSQL to flush its WAL.

    A worker dying cannot undo a commit either way; only PostgreSQL itself
    crashing could lose the last fraction of a second of "sent" marks, and
    then those few emails would go out twice.
    """
    database = transaction.get_connection()
    if database.vendor != "postgresql":
        yield
        return
    with database.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO OFF")
    try:
        yield
    finally:
        with database.cursor() as cursor:
            cursor.execute("RESET synchronous_commit")


def send_group(rows, build_message, connection):
    """Hold each row's message short of its end of data, claim and mark the
    rows sent in one transaction, and end the data as the COMMIT leaves.
    Returns how many rows wait for a retry."""
    model = type(rows[0])
    now = timezone.now()
    gone = [row.pk for row in rows if row.follower.unsubscribed_at or row.follower.bounced_at]
    if gone:
        model.objects.filter(pk__in=gone, status__in=Delivery.UNSENT).update(status=Status.SKIPPED, updated_at=now)
    rows = [row for row in rows if row.pk not in gone]
    failures = []
    messages, built = [], []
    for row in rows:
        try:
            messages.append(build_message(row))
            built.append(row)
        except Exception as exc:
            logger.exception("Could not build delivery %s", row.pk)
            failures.append((row, FAILED, f"{exc.__class__.__name__}: {exc}"[:500]))
    if built:
        held = begin_handoffs(connection, messages)
        fault_point("alerts.message_data_sent")
        transaction.set_autocommit(False)
        try:
            ready = [built[index].pk for index in held.held()]
            claimed = set(
                model.objects.select_for_update(skip_locked=True)
                .filter(pk__in=ready, status__in=Delivery.UNSENT)
                .values_list("pk", flat=True)
            )
            model.objects.filter(pk__in=claimed).update(
                status=Status.SENT, attempts=F("attempts") + 1, sent_at=now, updated_at=now, last_error=""
            )
            # Sent already, or another worker holds it: drop our copy.
            held.abort([index for index in held.held() if built[index].pk not in claimed])
            commit_then(lambda: held.end(held.held()), "alerts.committed_before_end_of_data")
        except Exception as exc:
            with contextlib.suppress(Exception):
                transaction.rollback()
            held.abort(held.held())
            logger.warning("Delivery group failed before its commit: %s", exc)
            failures += [(row, RETRY, f"{exc.__class__.__name__}: {exc}"[:500]) for row in built]
            built = []
        finally:
            transaction.set_autocommit(True)
        for row, error in zip(built, held.errors, strict=True):
            if error is not None and not isinstance(error, Abandoned):
                failures.append((row, outcome_of(error), f"{error.__class__.__name__}: {error}"[:500]))
    for row, outcome, error in failures:
        record_failure(row, outcome, error)
    return sum(outcome == RETRY for _, outcome, _ in failures)


def record_failure(row, outcome, error):
    model = type(row)
    now = timezone.now()
    attempts = row.attempts + 1
    status = Status.RETRYING
    if outcome in (FAILED, BOUNCED) or attempts >= settings.ALERT_MAX_ATTEMPTS:
        status = Status.FAILED
    model.objects.filter(pk=row.pk).update(
        status=status, attempts=attempts, last_error=error, updated_at=now, sent_at=None
    )
    if outcome == BOUNCED:
        # Refused for good: later alerts and digests skip the address.
        Follower.objects.filter(pk=row.follower_id, bounced_at=None).update(bounced_at=now, bounce_reason=error[:255])
    logger.warning("Delivery %s %s (attempt %s): %s", row.pk, status, attempts, error)
