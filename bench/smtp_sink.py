"""A mail relay for the benchmark: accepts every message and forgets it.

python bench/smtp_sink.py PORT
"""

import asyncio
import sys

from aiosmtpd.controller import Controller


class Sink:
    accepted = 0

    async def handle_DATA(self, server, session, envelope):
        Sink.accepted += 1
        return "250 OK"


if __name__ == "__main__":
    controller = Controller(Sink(), hostname="127.0.0.1", port=int(sys.argv[1]))
    controller.start()
    try:
        asyncio.run(asyncio.Event().wait())
    finally:
        controller.stop()
