"""Where the benchmarks keep their figures: var/benchmarks/<name>.json, one entry per size or variant,
each with the machine, the load average and the date of its run (the README keeps the latest)."""

import json
import os
import platform
import time
from pathlib import Path

FOLDER = Path(__file__).resolve().parents[2] / "var" / "benchmarks"


def save(name, key, figures):
    """Print `figures` with what ran them, and keep them under `key` in <name>.json (the other keys stay:
    a run of one size does not erase another's)."""
    figures |= {
        "load_average": [round(load, 2) for load in os.getloadavg()],
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }
    print(json.dumps(figures, indent=2))
    FOLDER.mkdir(parents=True, exist_ok=True)
    path = FOLDER / f"{name}.json"
    saved = json.loads(path.read_text()) if path.exists() else {}
    saved[key] = figures
    path.write_text(json.dumps(saved, indent=2))
