"""Mail handoff that a crashed worker cannot turn into a duplicate.

An SMTP relay accepts a message only when it reads the end of its data. The
backend below can stop just before that line: the caller marks the message
sent in its database transaction, sends the COMMIT and, without waiting for
the answer, ends the data (`commit_then` below). A process killed
before the COMMIT leaves the row unsent and the relay, seeing the connection
drop mid-message, discards it; the retry sends it once. (Killed in the
microseconds between the two writes, the message is lost rather than
doubled.)
"""

import contextlib
import dataclasses
import re
import smtplib
import socket

from django.core.mail.backends.smtp import EmailBackend as DjangoSMTPBackend
from django.core.mail.message import sanitize_address
from django.db import DatabaseError, transaction

from operations.faults import armed, die

LEADING_DOT = re.compile(rb"(?m)^\.")
CRLF = b"\r\n"


@dataclasses.dataclass
class PreparedMessage:
    """A message already serialized (RFC 5322, CRLF line ends), for backends
    with `begin_many`: building the MIME tree per recipient costs more than
    sending it."""

    sender: str
    recipients: list
    data: bytes


class Abandoned(smtplib.SMTPException):
    """Dropped by the caller before its end of data: not an error of the relay."""


class EmailBackend(DjangoSMTPBackend):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.lanes = []  # extra connections for begin_many, opened as needed

    def open(self):
        opened = super().open()
        if self.connection is not None and self.connection.sock is not None:
            # The end of data is a small write after a large one: without this,
            # Nagle's algorithm and delayed ACKs hold it back 40 ms a message.
            self.connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return opened

    def begin_many(self, messages):
        """Send each message up to, not including, its end of data.

        Each message gets a connection of its own ("lane"), and each SMTP
        step goes out on every lane before any reply is read, so a batch
        costs a few round trips rather than a few per message. Returns a
        `HeldMessages`; until its `end()` runs the relay has accepted none.
        """
        while len(self.lanes) < len(messages):
            self.lanes.append(self.new_lane())
        return HeldMessages(self.lanes[: len(messages)], messages)

    def new_lane(self):
        return DjangoSMTPBackend(
            host=self.host,
            port=self.port,
            username=self.username,
            password=self.password,
            use_tls=self.use_tls,
            use_ssl=self.use_ssl,
            timeout=self.timeout,
            ssl_keyfile=self.ssl_keyfile,
            ssl_certfile=self.ssl_certfile,
            fail_silently=False,
        )

    def close(self):
        for lane in self.lanes:
            lane.close()
        self.lanes.clear()
        super().close()


class HeldMessages:
    """Messages held just short of their end of data, one per lane.

    `errors[i]` is the exception that stopped message i before its data
    (a refused address, a lost connection), or None if it is held.
    """

    def __init__(self, lanes, messages):
        self.lanes = lanes
        self.errors = [None] * len(messages)
        envelopes = []
        for index, (lane, message) in enumerate(zip(lanes, messages, strict=True)):
            envelope = None
            try:
                if isinstance(message, PreparedMessage):
                    sender, recipients, payload = message.sender, message.recipients, message.data
                else:
                    encoding = message.encoding or "utf-8"
                    sender = sanitize_address(message.from_email, encoding)
                    recipients = [sanitize_address(address, encoding) for address in message.recipients()]
                    payload = message.message().as_bytes(linesep="\r\n")
                payload = LEADING_DOT.sub(b"..", payload)
                envelope = (sender, recipients, payload if payload.endswith(CRLF) else payload + CRLF)
                if lane.connection is None:
                    lane.open()
                    lane.connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                lane.connection.ehlo_or_helo_if_needed()
            except Exception as exc:
                self.fail(index, exc)
            envelopes.append(envelope)

        def mail(index):
            sender = envelopes[index][0]
            return [("mail", f"FROM:{smtplib.quoteaddr(sender)}", (250,), smtplib.SMTPSenderRefused, sender)]

        def rcpt(index):
            return [
                ("rcpt", f"TO:{smtplib.quoteaddr(recipient)}", (250, 251), smtplib.SMTPRecipientsRefused, recipient)
                for recipient in envelopes[index][1]
            ]

        def data(index):
            return [("data", "", (354,), smtplib.SMTPDataError, None)]

        for step in (mail, rcpt, data):
            self.round(step)
        for index in self.held():
            try:
                self.lanes[index].connection.send(envelopes[index][2])
            except Exception as exc:
                self.fail(index, exc)

    def held(self):
        return [index for index, error in enumerate(self.errors) if error is None]

    def round(self, commands_for):
        """Send one step's commands on every held lane, then read the replies."""
        sent = {}
        for index in self.held():
            try:
                commands = commands_for(index)
                for verb, argument, _, _, _ in commands:
                    self.lanes[index].connection.putcmd(verb, argument)
                sent[index] = commands
            except Exception as exc:
                self.fail(index, exc)
        for index, commands in sent.items():
            try:
                for _, _, expected, error_class, subject in commands:
                    code, reply = self.lanes[index].connection.getreply()
                    if code not in expected:
                        raise refusal(error_class, code, reply, subject)
            except Exception as exc:
                self.fail(index, exc)

    def fail(self, index, exc):
        self.errors[index] = exc
        # Dropped without QUIT (mid-data it would be read as text): the relay
        # sees the connection end before the end of data and discards it.
        lane = self.lanes[index]
        if lane.connection is not None:
            with contextlib.suppress(Exception):
                lane.connection.close()
            lane.connection = None

    def abort(self, indices):
        for index in indices:
            self.fail(index, Abandoned())

    def end(self, indices):
        """End the data of the given held messages, back to back, then read
        the relay's verdicts into `errors`."""
        for index in indices:
            try:
                self.lanes[index].connection.send(b"." + CRLF)
            except Exception as exc:
                self.fail(index, exc)
        for index in indices:
            if self.errors[index] is not None:
                continue
            try:
                code, reply = self.lanes[index].connection.getreply()
                if code != 250:
                    raise smtplib.SMTPDataError(code, reply)
            except Exception as exc:
                self.fail(index, exc)


def refusal(error_class, code, reply, subject):
    if error_class is smtplib.SMTPRecipientsRefused:
        return smtplib.SMTPRecipientsRefused({subject: (code, reply)})
    if error_class is smtplib.SMTPSenderRefused:
        return smtplib.SMTPSenderRefused(code, reply, subject)
    return smtplib.SMTPDataError(code, reply)


class SentAfterCommit:
    """For backends without a two-step handoff (console, file, memory): the
    messages are given to the backend at `end()`, after the commit."""

    def __init__(self, connection, messages):
        self.connection = connection
        self.messages = messages
        self.errors = [None] * len(messages)

    def held(self):
        return list(range(len(self.messages)))

    def abort(self, indices):
        for index in indices:
            self.errors[index] = Abandoned()

    def end(self, indices):
        for index in indices:
            try:
                self.connection.send_messages([self.messages[index]])
            except Exception as exc:
                self.errors[index] = exc


def begin_handoffs(connection, messages):
    """Start handing `messages` to the mail backend; `end()` completes it."""
    if hasattr(connection, "begin_many"):
        return connection.begin_many(messages)
    return SentAfterCommit(connection, messages)


def commit_then(end_of_data, window):
    """Commit, and send the relay's end of data as soon as the COMMIT has left.
    `window` names the fault point between the two (operations/faults.py).

    Waiting for PostgreSQL's answer first would leave a window of a whole
    round trip and WAL flush in which a killed worker has committed "sent"
    but never ended the message. Sent back to back, the two writes leave
    only the microseconds between two system calls; the kernel delivers
    both even if the process dies right after. SQLite commits in process,
    and its commit point is the last thing its commit does.
    """
    database = transaction.get_connection()
    dies_in_window = armed(window)
    if database.vendor != "postgresql":
        transaction.commit()
        if dies_in_window:
            die()
        end_of_data()
        return
    from psycopg import pq

    pgconn = database.connection.pgconn
    pgconn.send_query(b"COMMIT")
    try:
        if dies_in_window:
            die()
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


def write_then_end(write, held, indices, window):
    """Run `write()` in a transaction of its own and end the data of `held`
    messages `indices` as it commits (`commit_then`, at fault point
    `window`); if it fails, the relay
    drops them. Inside a caller's atomic block (a shell, a test), whose
    commit is not ours to time, write and then end."""
    database = transaction.get_connection()
    if database.in_atomic_block:
        write()
        held.end(indices)
        return
    transaction.set_autocommit(False)
    try:
        write()
        commit_then(lambda: held.end(indices), window)
    except Exception:
        with contextlib.suppress(Exception):
            transaction.rollback()
        held.abort(indices)
        raise
    finally:
        transaction.set_autocommit(True)


def close_quietly(connection):
    with contextlib.suppress(Exception):
        connection.close()
