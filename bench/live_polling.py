"""Readers polling a live story through Varnish while a writer posts.

`readers` simulated readers each ask for the story's updates fragment every
`poll_seconds`, as site/static/js/live.js does, spread evenly over the
interval, through Varnish on keep-alive connections shared by a pool of
threads. A writer process (bench/probe.py live_writer) posts an update
every `interval` seconds the way the live desk saves one; a Celery worker
runs the edge purges it queues (Wagtail's background tasks), as deployed.

Reported: for each update, how long after it was posted each reader's next
response held it (p50/p95/max over every reader and update; a reader only
asks every `poll_seconds`, so that bounds it), how long until the first
reader's response held it (the delay of the purge itself), and the
requests that reached the app per update (Varnish's backend requests).
"""

import http.client
import json
import re
import statistics
import subprocess
import sys
import threading
import time

NEWEST = re.compile(rb'data-update-id="(\d+)"')
THREADS = 50
WORKER = [
    sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "--loglevel=WARNING",
    "--without-gossip", "--without-mingle", "--without-heartbeat", "--hostname=bench-live@%h",
]  # fmt: skip


def varnish_backend_requests(varnish_dir):
    output = subprocess.run(
        ["varnishstat", "-n", str(varnish_dir), "-1", "-f", "MAIN.backend_req"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return int(output.split()[1])


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


class Readers:
    """The simulated readers: what each has seen, and when."""

    def __init__(self, varnish_port, fragment, readers, poll_seconds):
        self.varnish_port, self.fragment = varnish_port, fragment
        self.readers, self.poll_seconds = readers, poll_seconds
        self.newest = [0] * readers
        self.seen = {}  # update id -> wall-clock times readers first held it
        self.errors = 0
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.threads = [
            threading.Thread(target=self.poll, args=(list(range(n, readers, THREADS)),), daemon=True)
            for n in range(THREADS)
        ]

    def start(self):
        for thread in self.threads:
            thread.start()

    def finish(self):
        self.stop.set()
        for thread in self.threads:
            thread.join(15)

    def connect(self):
        return http.client.HTTPConnection("127.0.0.1", self.varnish_port, timeout=10)

    def poll(self, indices):
        connection = self.connect()
        start = time.monotonic()
        next_poll = {i: start + self.poll_seconds * i / self.readers for i in indices}
        while not self.stop.is_set():
            i = min(next_poll, key=next_poll.get)
            pause = next_poll[i] - time.monotonic()
            if pause > 0 and self.stop.wait(pause):
                break
            next_poll[i] += self.poll_seconds
            try:
                connection.request("GET", self.fragment)
                response = connection.getresponse()
                body = response.read()
            except (OSError, http.client.HTTPException):
                connection.close()
                connection = self.connect()
                body, response = None, None
            now = time.time()
            if response is None or response.status != 200:
                with self.lock:
                    self.errors += 1
                continue
            fresh = [int(found) for found in NEWEST.findall(body) if int(found) > self.newest[i]]
            if not fresh:
                continue
            if self.newest[i]:  # the first response is the reader arriving, not an update
                with self.lock:
                    for update_id in fresh:
                        self.seen.setdefault(update_id, []).append(now)
            self.newest[i] = max(fresh)
        connection.close()


def run(varnish_port, varnish_dir, fragment, writer_command, writer_env, readers, poll_seconds, updates, interval):
    crowd = Readers(varnish_port, fragment, readers, poll_seconds)
    worker = subprocess.Popen(WORKER, env=writer_env, stdout=subprocess.DEVNULL, stderr=sys.stderr)
    posted = {}  # update id -> wall-clock time it was posted
    try:
        crowd.start()
        # Every reader has arrived (and the worker started) before the first post.
        time.sleep(max(poll_seconds + 1, 6))
        before = varnish_backend_requests(varnish_dir)
        writer = subprocess.Popen(writer_command, env=writer_env, stdout=subprocess.PIPE, text=True)
        for line in writer.stdout:
            if line.startswith("{") and '"posted"' in line:
                record = json.loads(line)
                posted[record["id"]] = record["posted"]
                print(f"  update {len(posted)}/{updates} posted", file=sys.stderr, flush=True)
        if writer.wait() != 0:
            raise RuntimeError("the live writer failed")
        # Every reader polls again after the last update.
        time.sleep(poll_seconds + 3)
        origin = varnish_backend_requests(varnish_dir) - before
    finally:
        crowd.finish()
        worker.terminate()
        worker.wait(30)

    delays, first = [], []
    for update_id, at in posted.items():
        times = crowd.seen.get(update_id, [])
        delays += [moment - at for moment in times]
        if times:
            first.append(min(times) - at)
    return {
        "readers": readers,
        "poll_seconds": poll_seconds,
        "updates": len(posted),
        "update_interval_seconds": interval,
        "reader_requests_per_second": round(readers / poll_seconds, 1),
        "posted_to_reader_p50_s": round(statistics.median(delays), 2) if delays else None,
        "posted_to_reader_p95_s": round(percentile(delays, 0.95), 2) if delays else None,
        "posted_to_reader_max_s": round(max(delays), 2) if delays else None,
        "posted_to_first_reader_max_s": round(max(first), 2) if first else None,
        "updates_a_reader_never_saw": sum(readers - len(crowd.seen.get(update_id, [])) for update_id in posted),
        "origin_requests_per_update": round(origin / len(posted), 1) if posted else None,
        "errors": crowd.errors,
    }
