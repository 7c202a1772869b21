"""``peerdiag db_worker``: django-tasks-db's worker, with a heartbeat.

The same options as django-tasks-db's own command. Beside the worker loop, a thread writes a
heartbeat every few seconds (the worker's row and the job it runs) and sweeps for work left by
workers that stopped; the worker also sweeps once as it starts. See peerdiag.common.jobs.

peerdiag.common is listed before django_tasks_db in INSTALLED_APPS, so this command is the one
`peerdiag db_worker` runs.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from peerdiag.common import jobs

logger = logging.getLogger(__name__)


class Command(DbWorkerCommand):
    help = "Run a background worker that records a heartbeat and retries work of dead workers"

    def handle(self, *args: Any, **options: Any) -> None:
        if options.get("reload") and os.environ.get(DJANGO_AUTORELOAD_ENV) != "true":
            # The reloader's parent process only restarts the child, which does the beating.
            super().handle(*args, **options)
            return
        worker_id = options["worker_id"]
        jobs.set_current_worker(worker_id)
        # Anything still marked as this worker's was left by an earlier process with its id.
        for what, outcome in jobs.sweep(gone=[worker_id]).items():
            logger.warning("Worker %s starting: %s %s", worker_id, outcome, what)
        jobs.register_worker(worker_id)
        heartbeat = jobs.Heartbeat(worker_id)
        heartbeat.start()
        try:
            super().handle(*args, **options)
        finally:
            heartbeat.stop()
            try:
                jobs.worker_stopped(worker_id)
            except Exception:  # the database may be gone; the sweep will notice the silence
                logger.exception("Could not record that worker %s stopped", worker_id)
