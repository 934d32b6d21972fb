"""python -m dashboard: serve the dashboard on http://127.0.0.1:$PORT (default 8050)."""
from __future__ import annotations

import os
import sys


def main() -> int:
    port = os.environ.get("PORT", "8050")
    if not port.isdigit():
        print(f"error: PORT must be a number, got {port!r}", file=sys.stderr)
        return 2
    from dashboard.app import create_app

    app = create_app()
    host = os.environ.get("HOST", "127.0.0.1")
    print(f"Dashboard on http://{host}:{port}/", flush=True)
    app.run(host=host, port=int(port), debug=False, dev_tools_disable_version_check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
