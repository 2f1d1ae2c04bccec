"""Fail when any measured module is below the coverage bar.

Usage: python scripts/coverage_gate.py coverage.json 95
"""

import json
from pathlib import Path
import sys


def main() -> int:
    """Print each module under the bar and return 1 if there is any."""
    report = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    bar = float(sys.argv[2])
    low = {
        name: data["summary"]["percent_covered"]
        for name, data in report["files"].items()
        if data["summary"]["percent_covered"] < bar
    }
    for name, percent in sorted(low.items()):
        print(f"{name}: {percent:.1f} % < {bar:.0f} %")
    total = report["totals"]["percent_covered"]
    print(
        f"{len(report['files'])} modules, total {total:.1f} %, {len(low)} below {bar:.0f} %"
    )
    return 1 if low else 0


if __name__ == "__main__":
    sys.exit(main())
