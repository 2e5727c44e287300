#!/usr/bin/env python
"""Refresh the dashboard screenshots in docs/screenshots/ (organisation, team, metric, metric
records, engineer, sources, organisation on a phone).

They are taken by the browser tests (tests/dashboard/test_browser.py: the demo organisation
built by the real demo code, served by a live server, driven by Debian's Chromium at
/usr/bin/chromium), which write them where KEEL_SCREENSHOT_DIR points.

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots]
"""

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    args = parser.parse_args()
    if not Path("/usr/bin/chromium").exists():
        print("needs /usr/bin/chromium (apt-get install chromium)", file=sys.stderr)
        return 2
    out = Path(args.out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "KEEL_SCREENSHOT_DIR": str(out)}
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "tests/dashboard/test_browser.py",
    ]
    result = subprocess.run(command, cwd=ROOT, env=env, check=False)
    if result.returncode == 0:
        for png in sorted(out.glob("*.png")):
            print(f"{png.relative_to(ROOT) if png.is_relative_to(ROOT) else png}")
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
