"""Tasks of the shell itself."""

import os
import socket

from celery import shared_task


@shared_task(name="openxm.ping")
def ping(token: str) -> dict:
    """Answers with the token and where it ran, so `openxm check` can prove a worker round trip."""
    return {"token": token, "host": socket.gethostname(), "pid": os.getpid()}
