"""The service as ``talentmatch serve`` runs it on a first start: a uvicorn process on an empty
SQLite database, which it fills with the demo data (the Yiwu round and every party's login,
written to the data directory's demo-logins.txt) before it answers ``/health/ready``."""

from __future__ import annotations

import sys

from live_server import HOST, LiveServer
from talentmatch.platform.demo import LOGINS_FILE, DemoLogin, read_logins

__all__ = ["DemoServer"]


class DemoServer(LiveServer):
    """A ``LiveServer`` started with ``talentmatch serve``, so with the demo data."""

    def command(self) -> list[str]:
        return [
            sys.executable,
            "-m",
            "talentmatch.matching.cli",
            "serve",
            "--host",
            HOST,
            "--port",
            str(self.port),
        ]

    def logins(self) -> list[DemoLogin]:
        """Every demo organization's login, as the server wrote them at start."""
        return read_logins(self.workdir / "data" / LOGINS_FILE)
