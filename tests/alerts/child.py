"""An alert evaluation in a child process that SIGKILLs itself after claiming a message and
before sending it.

    python -m tests.alerts.child

The wrapper is test-only: product code has no kill hooks. Exit status 3 means no message was
claimed. The database comes from DATABASE_URL (tests/faults/conftest.SharedDatabase).
"""

import os
import signal
import sys
from datetime import UTC, datetime

import django


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    django.setup()
    from apps.alerts.services import alerts_evaluate

    def killed() -> None:
        os.kill(os.getpid(), signal.SIGKILL)

    alerts_evaluate(now=datetime(2026, 4, 15, 12, tzinfo=UTC), before_send=killed)
    sys.exit(3)


if __name__ == "__main__":
    main()
