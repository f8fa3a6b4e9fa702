"""`manage.py screenshots`: PNGs of the main pages for each demo persona (`make screenshots`)."""

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demo.screenshots import PERSONAS, ScreenshotError, take_screenshots

STARTUP_SECONDS = 60


class Command(BaseCommand):
    help = (
        "Sign in as each demo persona and write PNGs of the home, scorecard, map, dashboard, "
        "review, actions and My updates pages at 1400 and 390 px into screenshots/. Starts "
        "its own server on a free port unless --url names a running one. Needs the demo "
        "(manage.py seed_demo) and Chromium."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--url", help="A running Sightline to photograph instead.")
        parser.add_argument(
            "--out", default=str(Path(settings.BASE_DIR) / "screenshots"), help="Folder."
        )
        parser.add_argument(
            "--persona",
            action="append",
            help=f"A demo username (repeatable; default: {', '.join(PERSONAS)}).",
        )

    def handle(self, *args, **options) -> None:
        personas = options["persona"] or PERSONAS
        folder = Path(options["out"])
        server = None
        url = options["url"]
        if not url:
            server, url = _start_server()
        try:
            shots = take_screenshots(url, folder, personas)
        except ScreenshotError as problem:
            raise CommandError(str(problem)) from None
        except ImportError:
            raise CommandError(
                "Screenshots need Playwright (the development requirements: make install)."
            ) from None
        finally:
            if server is not None:
                server.terminate()
                server.wait(timeout=20)
        self.stdout.write(self.style.SUCCESS(f"Wrote {len(shots)} screenshots into {folder}/"))


def _start_server() -> tuple[subprocess.Popen, str]:
    """Django's runserver (as `make run` serves the demo) on a free port, once it answers."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    manage = Path(settings.BASE_DIR) / "manage.py"
    server = subprocess.Popen(
        [sys.executable, str(manage), "runserver", "--noreload", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise CommandError("The server stopped before it answered (try `make run`).")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2):
                return server, url
        except OSError:
            time.sleep(0.5)
    server.terminate()
    raise CommandError(f"The server did not answer within {STARTUP_SECONDS} s.")
