"""Sending delivery rows: each at most once, none skipped.

Every row is claimed under a row lock and marked sent in the same
transaction that hands its message to the mail relay; the relay's end of
data goes out only after that commit (see config/mail.py). A worker killed
at any point leaves each row either sent and accepted, or unsent and
discarded by the relay, and the retry picks up exactly the unsent ones.
"""

import contextlib
import logging
import smtplib

from django.conf import settings
from django.core.mail import get_connection
from django.db import DatabaseError, transaction
from django.db.models import F
from django.utils import timezone

from alerts.models import Delivery, Follower
from config.mail import begin_handoff

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


def send_rows(rows, build_message):
    """Send each unsent delivery row in `rows`; returns how many to retry later."""
    connection = get_connection()
    to_retry = 0
    try:
        for row in rows:
            outcome, error = send_row(row, build_message, connection)
            if outcome != SENT and outcome != SKIPPED:
                record_failure(row, outcome, error)
                to_retry += outcome == RETRY
                close_quietly(connection)  # start the next message on a fresh connection
    finally:
        close_quietly(connection)
    return to_retry


def send_row(row, build_message, connection):
    """Claim, hand over and mark one row; the transaction is managed by hand
    so that its COMMIT and the relay's end of data leave back to back."""
    model = type(row)
    now = timezone.now()
    transaction.set_autocommit(False)
    try:
        claimed = list(
            model.objects.select_for_update(skip_locked=True)
            .filter(pk=row.pk, status__in=Delivery.UNSENT)
            .values_list("pk", flat=True)
        )
        if not claimed:
            transaction.rollback()
            return SKIPPED, ""  # sent already, or another worker holds it
        follower = row.follower
        if follower.unsubscribed_at or follower.bounced_at:
            model.objects.filter(pk=row.pk).update(status=Status.SKIPPED, updated_at=now)
            transaction.commit()
            return SKIPPED, ""
        end_of_data = begin_handoff(connection, build_message(row))
        model.objects.filter(pk=row.pk).update(
            status=Status.SENT, attempts=F("attempts") + 1, sent_at=now, updated_at=now, last_error=""
        )
        commit_then(end_of_data)
    except Exception as exc:
        with contextlib.suppress(Exception):
            transaction.rollback()
        if not isinstance(exc, smtplib.SMTPException | OSError):
            logger.exception("Could not build or send delivery %s", row.pk)
        return outcome_of(exc), f"{exc.__class__.__name__}: {exc}"[:500]
    finally:
        transaction.set_autocommit(True)
    return SENT, ""


def commit_then(end_of_data):
    """Commit, and send the relay's end of data as soon as the COMMIT has left.

    Waiting for PostgreSQL's answer first would leave a window of a whole
    round trip and WAL flush in which a killed worker has committed "sent"
    but never ended the message. Sent back to back, the two writes leave
    only the microseconds between two system calls; the kernel delivers
    both even if the process dies right after. SQLite commits in process,
    and its commit point is the last thing its commit does.
    """
    database = transaction.get_connection()
    if database.vendor != "postgresql":
        transaction.commit()
        end_of_data()
        return
    from psycopg import pq

    pgconn = database.connection.pgconn
    pgconn.send_query(b"COMMIT")
    try:
        end_of_data()
    finally:
        failure = None
        while (result := pgconn.get_result()) is not None:
            if result.status != pq.ExecStatus.COMMAND_OK:
                failure = (result.error_message or b"").decode(errors="replace")
        if failure:
            # The relay took the message but the row is not marked: the one
            # case that can repeat an email. Rare (the database going away).
            raise DatabaseError(f"COMMIT failed after the handoff: {failure}")


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


def close_quietly(connection):
    with contextlib.suppress(Exception):
        connection.close()
