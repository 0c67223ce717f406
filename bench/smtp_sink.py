"""A mail relay for the benchmark: accepts every message, counts it and its
recipients, and forgets it. The alert figure is measured here, at the relay,
not from the database's own record of what was sent.

python bench/smtp_sink.py PORT COUNTS_FILE [DOMAIN]

COUNTS_FILE is rewritten a few times a second with {"received": messages,
"recipients": distinct addresses}, counting only addresses at DOMAIN when it
is given (the bench's own followers, not the demo's).
"""

import asyncio
import json
import os
import sys
from pathlib import Path

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, domain=None):
        self.suffix = f"@{domain}" if domain else ""
        self.received = 0
        self.recipients = set()

    async def handle_DATA(self, server, session, envelope):
        counted = [address for address in envelope.rcpt_tos if address.endswith(self.suffix)]
        self.received += len(counted)
        self.recipients.update(counted)
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
    sink = Sink(sys.argv[3] if len(sys.argv) > 3 else None)
    controller = Controller(sink, hostname="127.0.0.1", port=int(sys.argv[1]))
    controller.start()
    try:
        asyncio.run(report(sink, Path(sys.argv[2])))
    finally:
        controller.stop()
