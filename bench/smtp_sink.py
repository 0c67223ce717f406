"""A mail relay for the benchmark: accepts every message, counts it and its
recipients, and forgets it. The alert figure is measured here, at the relay,
not from the database's own record of what was sent.

python bench/smtp_sink.py PORT COUNTS_FILE

COUNTS_FILE is rewritten a few times a second with
{"received": messages, "recipients": distinct addresses}.
"""

import asyncio
import json
import os
import sys
from pathlib import Path

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self):
        self.received = 0
        self.recipients = set()

    async def handle_DATA(self, server, session, envelope):
        self.received += 1
        self.recipients.update(envelope.rcpt_tos)
        return "250 OK"


async def report(sink, path):
    written = None
    while True:
        counts = {"received": sink.received, "recipients": len(sink.recipients)}
        if counts != written:
            partial = path.with_suffix(".tmp")
            partial.write_text(json.dumps(counts))
            os.replace(partial, path)  # readers never see half a file
            written = counts
        await asyncio.sleep(0.2)


if __name__ == "__main__":
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=int(sys.argv[1]))
    controller.start()
    try:
        asyncio.run(report(sink, Path(sys.argv[2])))
    finally:
        controller.stop()
