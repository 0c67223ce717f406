"""The processes the tests start: a real Celery worker, a killable search
server, free ports, and polling to a deadline."""

import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
VARNISHD = shutil.which("varnishd", path="/usr/sbin:/usr/bin")


def wait_for(predicate, timeout=30.0, interval=0.1, message="condition"):
    """Poll until `predicate()` is truthy; fail with `message` on timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    pytest.fail(f"Timed out after {timeout}s waiting for {message}")


TASK_EVENT = re.compile(r"Task [\w.]+\[([0-9a-f-]+)\] (received|succeeded|raised|retry|ignored|rejected)")
# A task past its `expires` (a heartbeat a dead worker never ran) is received, then discarded.
DISCARDED_TASK = re.compile(r"Discarding revoked task: [\w.]+\[([0-9a-f-]+)\]")


class WorkerProcess:
    """A real `celery worker` process, on the broker and database the tests use."""

    def __init__(self, database_name, extra_env=None):
        self.database_name = database_name
        self.extra_env = extra_env or {}
        self.process = None
        self.output = []
        self.test_from_line = 0
        self.ready = threading.Event()

    def start(self):
        from config.celery import app

        # Messages left on a shared broker (Redis) by earlier runs must not run
        # here. Purging empties the queues only: a message a killed worker of
        # an earlier run held waits in Redis's unacked set, and the first
        # worker to start after its visibility timeout puts it back.
        app.control.purge()
        with app.connection_for_write() as connection:
            if connection.transport.driver_type == "redis":
                channel = connection.default_channel
                channel.client.delete(channel.unacked_key, channel.unacked_index_key, channel.unacked_mutex_key)
        return self.restart()

    def restart(self):
        """Start (again) without purging: what a supervisor does after a crash."""
        env = dict(os.environ)
        env.update(
            DJANGO_SETTINGS_MODULE="config.settings.test",
            TALKIES_WORKER_DATABASE_NAME=str(self.database_name),
            PYTHONUNBUFFERED="1",
            **self.extra_env,
        )
        self.ready.clear()
        # Tasks a killed process had taken count no longer: log from here on.
        self.started_at_line = len(self.output)
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--pool=solo",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                f"--hostname=test-worker-{os.getpid()}@%h",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        threading.Thread(target=self._read_output, args=(self.process,), daemon=True).start()
        if not self.ready.wait(60):
            self.stop()
            pytest.fail("Celery worker did not start:\n" + "".join(self.output[-50:]))
        return self

    def _read_output(self, process):
        for line in process.stdout:
            self.output.append(line)
            if " ready." in line:
                self.ready.set()

    def arm(self, point):
        """The worker SIGKILLs itself the next time it reaches `point` (operations/faults.py)."""
        path = Path(self.extra_env["TALKIES_FAULT_POINTS_FILE"])
        armed = path.read_text().split() if path.exists() else []
        path.write_text("\n".join([*armed, point]))

    def disarm(self):
        Path(self.extra_env["TALKIES_FAULT_POINTS_FILE"]).unlink(missing_ok=True)

    def died_at(self, point, timeout=120):
        """Wait for the SIGKILL an armed fault point gives the worker."""
        wait_for(lambda: self.process.poll() is not None, timeout=timeout, message=f"the worker to die at {point}")

    def recover_through(self, beat, finished, message, timeout=180):
        """Start again, as a supervisor would, and let a real beat (sweeping
        every second) hand out what the dead worker held until `finished()`."""
        self.restart()
        beat.start(BEAT_SWEEP_SECONDS="1")
        wait_for(finished, timeout=timeout, message=message)

    def begin_test(self):
        """From here on `log()` shows only what the current test's work wrote."""
        self.test_from_line = len(self.output)

    def log(self):
        return "".join(self.output[self.test_from_line :])

    def queued_messages(self):
        """Messages waiting on the broker's default queue, taken by no worker yet."""
        from amqp.exceptions import ChannelError

        from config.celery import app

        with app.connection_for_write() as connection:
            try:
                return connection.SimpleQueue(app.conf.task_default_queue).qsize()
            except ChannelError:
                return 0  # Redis keeps no key for an empty queue: nothing queued

    def kill(self):
        """SIGKILL: no clean-up, no acknowledgement, like a machine losing power."""
        self.process.kill()
        self.process.wait(10)

    def unfinished_tasks(self):
        """Ids of tasks the worker received and has not finished (retries pending included)."""
        open_runs = {}
        log = "".join(self.output[self.started_at_line :])
        for task_id, event in TASK_EVENT.findall(log):
            open_runs[task_id] = open_runs.get(task_id, 0) + (1 if event == "received" else -1)
        for task_id in DISCARDED_TASK.findall(log):
            open_runs[task_id] = open_runs.get(task_id, 0) - 1
        return [task_id for task_id, count in open_runs.items() if count > 0]

    def drain(self, timeout=30.0):
        """Wait until everything queued so far has run.

        The session's worker outlives each test; a task still running when
        the test database is flushed deadlocks the flush, and one left queued
        would act on the next test's rows. A marker task queued behind the
        test's own work shows when the queue has been worked through.
        """
        from config.celery import app

        if self.process is None or self.process.poll() is not None:
            return
        marker = app.send_task("celery.accumulate", args=(1,))
        deadline = time.monotonic() + timeout
        idle_since = None
        while time.monotonic() < deadline:
            if f"[{marker.id}] succeeded" in self.log() and not self.unfinished_tasks():
                # A retried task logs "retry" a moment before its next
                # "received": idle only if it stays so for a second.
                idle_since = idle_since or time.monotonic()
                if time.monotonic() - idle_since >= 1.0:
                    return
            else:
                idle_since = None
            time.sleep(0.1)
        pytest.fail(
            f"The worker is still busy {timeout}s after the test with tasks {self.unfinished_tasks()}; "
            f"its log since the test started ends:\n{self.log()[-3000:]}"
        )

    def assert_idle(self):
        """Nothing queued and nothing under way: a test starts from a clean queue."""
        if self.process is None or self.process.poll() is not None:
            return
        queued, unfinished = self.queued_messages(), self.unfinished_tasks()
        if queued or unfinished:
            lines = [line for line in self.output[self.started_at_line :] if any(i in line for i in unfinished)]
            pytest.fail(
                f"An earlier test left work for the worker: {queued} message(s) queued, "
                f"tasks under way:\n{''.join(lines)}"
            )

    def stop(self):
        if self.process:
            stop_process(self.process)


class BeatProcess:
    """A real `celery beat` process on the broker the tests use, its schedule
    file and log in the test's own directory."""

    def __init__(self, directory):
        self.directory = Path(directory)
        self.log_path = self.directory / "beat.log"
        self.process = None

    def start(self, **settings_env):
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", **settings_env}
        with self.log_path.open("w") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "config", "beat", "--loglevel=INFO"]
                + ["--schedule", str(self.directory / "celerybeat-schedule")],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        return self

    def poll(self):
        return self.process.poll()

    def kill(self):
        self.process.kill()
        self.process.wait(10)

    def log(self):
        return self.log_path.read_text() if self.log_path.exists() else ""

    def stop(self):
        if self.process:
            stop_process(self.process)


class PrivateRedis:
    """A redis-server of the test's own on a free port, which the test may
    shut down (saving its data, as a configured Redis does) and start again
    with that data."""

    def __init__(self, directory):
        self.directory = Path(directory)
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.directory)]
            + ["--dbfilename", "dump.rdb", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(self.answers, timeout=20, message=f"redis-server on port {self.port}")
        return self

    def answers(self):
        done = subprocess.run(["redis-cli", "-p", str(self.port), "ping"], capture_output=True, text=True)
        return done.stdout.strip() == "PONG"

    def shut_down(self):
        """SHUTDOWN SAVE: its data is on disk for the next start."""
        subprocess.run(["redis-cli", "-p", str(self.port), "shutdown", "save"], capture_output=True)
        self.process.wait(20)

    def stop(self):
        if self.process:
            stop_process(self.process)


class KillableSearchServer:
    """An osmem-server process of its own, on a fixed address, that a test
    can kill with SIGKILL and start again there, as an operator's supervisor
    would restart a crashed search node. It keeps its data in memory, so it
    comes back empty (an Elasticsearch node would come back with its data)."""

    def __init__(self):
        from osmem_server import OsmemServer

        self.server = OsmemServer.start(japanese=False)
        self.url = self.server.url
        self.address = self.url.split("://", 1)[1].rstrip("/")

    def kill(self):
        self.server.process.kill()
        self.server.process.wait(10)

    def start(self):
        from osmem_server import OsmemServer

        self.server = OsmemServer.start(japanese=False, addr=self.address)
        assert self.server.url == self.url

    def close(self):
        self.server.close()


def in_another_process(code):
    """Run `code` in a fresh Django process sharing this test's generation
    file: as a second web process or the Celery worker would."""
    from django.conf import settings

    subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); "
            "from django.conf import settings; settings.PAGE_CACHE_GENERATION_FILE = "
            f"{settings.PAGE_CACHE_GENERATION_FILE!r}; {code}",
        ],
        check=True,
        cwd=settings.BASE_DIR,
    )


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def stop_process(process):
    """SIGTERM, then SIGKILL if it has not gone within 20 s."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


def varnish_config(folder, backend_port):
    """The repository's VCL, its backend pointed at 127.0.0.1:`backend_port`;
    returns the path of the copy written into `folder`."""
    vcl = (ROOT / "caching" / "varnish.vcl").read_text()
    vcl = vcl.replace('.host = "web";', '.host = "127.0.0.1";').replace(
        '.port = "8000";', f'.port = "{backend_port}";'
    )
    path = folder / "talkies.vcl"
    path.write_text(vcl)
    return path
