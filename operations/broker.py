"""The embedded Celery broker: kombu's filesystem transport, made safe to
read while another process writes.

kombu (5.7) creates a message file under its final name and only then writes
the message into it. A worker polling the folder every 0.1 s can move the
file away while it is still empty, fail to decode it and drop the message
(CI saw it: a JSONDecodeError in a consumer, the message gone). Here
the message is written under a name the readers ignore and renamed into the
queue when complete; a rename within one folder is atomic.

Only the embedded default uses it (`CELERY_BROKER_TRANSPORT` in the
settings); a deployment's Redis broker is kombu's own.
"""

import os
import uuid
from time import monotonic

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.json import dumps


class Channel(filesystem.Channel):
    def _put(self, queue, payload, **kwargs):
        # The same name kombu gives a message: its readers sort by it and
        # match the queue on what follows the first dot.
        name = f"{round(monotonic() * 1000)}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        partial = final + ".part"
        try:
            with open(partial, "wb") as f:
                f.write(dumps(payload).encode())
            os.replace(partial, final)
        except OSError as exc:
            raise ChannelError(f"Cannot add file {final!r} to directory") from exc


class Transport(filesystem.Transport):
    Channel = Channel
