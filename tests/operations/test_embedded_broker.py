"""The embedded broker loses no message while producers and a worker share
its folder.

kombu's own filesystem transport lets a consumer take a message file before
its producer has written it; run against it, the busy-folder test below
loses a message in about one run in three. `operations.broker` writes each message whole
and renames it into the queue.
"""

import multiprocessing
import time
from queue import Empty

from django.conf import settings

from kombu import Connection

EMBEDDED_TRANSPORT = "operations.broker:Transport"
PRODUCERS = 4
MESSAGES_EACH = 1000


def transport_options(folder):
    """A queue folder of the test's own. kombu remembers declared exchanges
    per process, not per folder, so each test also names its own queue."""
    (folder / "control").mkdir(parents=True, exist_ok=True)
    return {
        "data_folder_in": str(folder),
        "data_folder_out": str(folder),
        "control_folder": str(folder / "control"),
        "polling_interval": 0.01,
    }


def produce(options, queue_name, producer):
    with Connection("filesystem://", transport=EMBEDDED_TRANSPORT, transport_options=options) as connection:
        queue = connection.SimpleQueue(queue_name)
        for number in range(MESSAGES_EACH):
            # Big enough that a write is not one instant.
            queue.put({"producer": producer, "number": number, "body": "x" * 2000})


def test_the_embedded_default_uses_this_transport():
    embedded = settings.CELERY_BROKER_URL.startswith("filesystem")
    assert getattr(settings, "CELERY_BROKER_TRANSPORT", None) == (EMBEDDED_TRANSPORT if embedded else None)


def test_a_busy_folder_delivers_every_message_once_and_whole(tmp_path):
    options = transport_options(tmp_path / "queue")
    fork = multiprocessing.get_context("fork")
    producers = [fork.Process(target=produce, args=(options, "busy", n)) for n in range(PRODUCERS)]
    received, undecodable = [], []
    with Connection("filesystem://", transport=EMBEDDED_TRANSPORT, transport_options=options) as connection:
        queue = connection.SimpleQueue("busy")
        for producer in producers:
            producer.start()
        deadline = time.monotonic() + 120
        while len(received) < PRODUCERS * MESSAGES_EACH and time.monotonic() < deadline:
            producing = any(producer.is_alive() for producer in producers)
            try:
                message = queue.get(timeout=0.05 if producing else 2)
            except Empty:
                if producing:
                    continue
                break  # every producer is done and the folder stayed empty
            except ValueError as exc:  # the message file was read before it was written
                undecodable.append(exc)
                continue
            received.append((message.payload["producer"], message.payload["number"]))
            message.ack()
        for producer in producers:
            producer.join(30)

    assert not undecodable
    assert sorted(received) == [(p, n) for p in range(PRODUCERS) for n in range(MESSAGES_EACH)]


def test_a_message_still_being_written_is_not_taken(tmp_path):
    options = transport_options(tmp_path / "queue")
    with Connection("filesystem://", transport=EMBEDDED_TRANSPORT, transport_options=options) as connection:
        queue = connection.SimpleQueue("partial")
        queue.put({"headline": "Starfall renewed"})
        written = next((tmp_path / "queue").glob("*.msg"))
        # A producer part-way through its next message: the same name, not yet renamed.
        partial = written.with_name(f"0_{written.name.split('_', 1)[1]}.part")
        partial.write_text('{"body": "{\\"headl')

        assert queue.get_nowait().payload == {"headline": "Starfall renewed"}
        try:
            queue.get_nowait()
        except Empty:
            pass
        else:
            raise AssertionError("a half-written message was delivered")
        assert partial.exists()
