"""Mail handoff that a crashed worker cannot turn into a duplicate.

An SMTP relay accepts a message only when it reads the end of its data. The
backend below can stop just before that line: the caller marks the message
sent in its database transaction, sends the COMMIT and, without waiting for
the answer, ends the data (alerts.delivery.commit_then). A process killed
before the COMMIT leaves the row unsent and the relay, seeing the connection
drop mid-message, discards it; the retry sends it once. (Killed in the
microseconds between the two writes, the message is lost rather than
doubled.)
"""

import re
import smtplib
import socket

from django.core.mail.backends.smtp import EmailBackend as DjangoSMTPBackend
from django.core.mail.message import sanitize_address

LEADING_DOT = re.compile(rb"(?m)^\.")
CRLF = b"\r\n"


class EmailBackend(DjangoSMTPBackend):
    def open(self):
        opened = super().open()
        if self.connection is not None and self.connection.sock is not None:
            # The end of data is a small write after a large one: without this,
            # Nagle's algorithm and delayed ACKs hold it back 40 ms a message.
            self.connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return opened

    def begin(self, message):
        """Send `message` up to, not including, its end of data.

        Returns the function that ends it; until that runs the relay has
        not accepted the message. SMTP refusals raise `smtplib` errors.
        """
        if self.connection is None:
            self.open()
        smtp = self.connection
        encoding = message.encoding or "utf-8"
        sender = sanitize_address(message.from_email, encoding)
        recipients = [sanitize_address(address, encoding) for address in message.recipients()]
        payload = LEADING_DOT.sub(b"..", message.message().as_bytes(linesep="\r\n"))
        if not payload.endswith(CRLF):
            payload += CRLF

        smtp.ehlo_or_helo_if_needed()
        code, reply = smtp.mail(sender)
        if code != 250:
            smtp.rset()
            raise smtplib.SMTPSenderRefused(code, reply, sender)
        refused = {}
        for recipient in recipients:
            code, reply = smtp.rcpt(recipient)
            if code not in (250, 251):
                refused[recipient] = (code, reply)
        if len(refused) == len(recipients):
            smtp.rset()
            raise smtplib.SMTPRecipientsRefused(refused)
        code, reply = smtp.docmd("data")
        if code != 354:
            smtp.rset()
            raise smtplib.SMTPDataError(code, reply)
        smtp.send(payload)

        def end_of_data():
            smtp.send(b"." + CRLF)
            code, reply = smtp.getreply()
            if code != 250:
                raise smtplib.SMTPDataError(code, reply)

        return end_of_data


def begin_handoff(connection, message):
    """Start handing `message` to the mail backend; return what completes it.

    Backends without a two-step handoff (console, file, memory) take the
    message at once, so for them the completing step does nothing.
    """
    if hasattr(connection, "begin"):
        return connection.begin(message)
    connection.send_messages([message])
    return lambda: None
