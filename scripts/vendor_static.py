"""Copy the npm-installed front-end libraries into static/vendor (served by the app)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FILES = {
    "node_modules/htmx.org/dist/htmx.min.js": "htmx.min.js",
    "node_modules/echarts/dist/echarts.min.js": "echarts.min.js",
    "node_modules/bootstrap/dist/css/bootstrap.min.css": "bootstrap.min.css",
    "node_modules/bootstrap/dist/js/bootstrap.bundle.min.js": "bootstrap.bundle.min.js",
}


def main() -> int:
    out = ROOT / "static" / "vendor"
    out.mkdir(parents=True, exist_ok=True)
    for src, dst in FILES.items():
        path = ROOT / src
        if not path.exists():
            print(f"missing {src}: run `npm ci` first", file=sys.stderr)
            return 1
        shutil.copyfile(path, out / dst)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
