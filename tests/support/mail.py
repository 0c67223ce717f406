"""A mail relay on 127.0.0.1 for the tests."""

import contextlib
import threading


class SMTPSink:
    """A mail relay on 127.0.0.1 that keeps what it accepts.

    A message counts once its end of data has arrived, as with a real relay
    (Postfix queues it then, whether or not the client stays to read the
    reply); a connection that ends before it discards the message. aiosmtpd
    is not used here because it abandons messages whose end of data arrived
    just before the client vanished. `refuse` maps an address to the reply
    its RCPT gets (e.g. "550 5.1.1 No such user").
    """

    def __init__(self):
        import socketserver

        sink = self
        self.messages = []
        self.refuse = {}

        class Session(socketserver.StreamRequestHandler):
            def reply(self, line):
                # If the client went away, what it completed is kept all the same.
                with contextlib.suppress(OSError):
                    self.wfile.write(line.encode() + b"\r\n")

            def handle(self):
                self.reply("220 talkies-test-relay ESMTP")
                while line := self.rfile.readline():
                    command = line.strip().decode(errors="replace")
                    verb = command[:4].upper()
                    if verb in ("EHLO", "HELO"):
                        self.reply("250 talkies-test-relay")
                    elif verb == "RCPT":
                        address = command.split(":", 1)[1].strip().strip("<>")
                        self.reply(sink.refuse.get(address, "250 OK"))
                    elif verb == "DATA":
                        self.reply("354 End data with <CR><LF>.<CR><LF>")
                        data = []
                        while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                            data.append(chunk[1:] if chunk.startswith(b"..") else chunk)
                        if chunk == b"":
                            return  # ended mid-message: discarded
                        sink.messages.append(b"".join(data))
                        self.reply("250 Message accepted for delivery")
                    elif verb == "QUIT":
                        self.reply("221 Bye")
                        return
                    else:  # MAIL, RSET, NOOP
                        self.reply("250 OK")

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self.server = Server(("127.0.0.1", 0), Session)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def parsed(self):
        import email
        from email import policy

        return [email.message_from_bytes(raw, policy=policy.default) for raw in list(self.messages)]

    def clear(self):
        self.messages.clear()
        self.refuse.clear()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def worker_mail(worker):
    """Every message the worker has handed to the mail relay, parsed."""
    return worker.smtp.parsed()
