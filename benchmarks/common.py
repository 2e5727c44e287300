"""What every benchmark script does first: put the project on the path and set Django up.

from common import setup_django   # (scripts run as `python benchmarks/bench_x.py`)
"""

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def setup_django() -> None:
    """Configure Django with the test settings and migrate. Without DATABASE_URL a throw-away
    SQLite file is used, so a benchmark never touches the project's keel.sqlite3."""
    if "DATABASE_URL" not in os.environ:
        os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
