from django.apps import AppConfig


class OperationsConfig(AppConfig):
    name = "operations"
    verbose_name = "Health, heartbeats and background work"

    def ready(self):
        from operations import health

        health.register_probe("database", health.check_database)
        health.register_probe("cache", health.check_cache)
        health.register_probe("broker", health.check_broker)
        health.register_probe("beat", health.check_beat, when=health.heartbeats_checked)
        health.register_probe("worker", health.check_worker, when=health.heartbeats_checked)

        from celery.signals import worker_ready

        from operations.heartbeats import stamp_worker_started

        # A worker just started counts as alive for a few periods, while its
        # first `operations.heartbeat` waits behind whatever was queued.
        worker_ready.connect(stamp_worker_started, dispatch_uid="talkies_worker_ready_heartbeat")
