"""A small app that touches the parts of Python a distroless image most often breaks."""

import json
import sqlite3
import ssl
import sys
import threading
from datetime import datetime, timezone
from zoneinfo import ZoneInfo


def main() -> None:
    context = ssl.create_default_context()
    certificates = context.cert_store_stats()["x509_ca"]
    db = sqlite3.connect(":memory:")
    (sqlite_version,) = db.execute("select sqlite_version()").fetchone()
    moment = datetime(2024, 1, 1, 12, tzinfo=timezone.utc).astimezone(ZoneInfo("Europe/Paris"))
    report = {
        "python": sys.version.split()[0],
        "ca_certificates": certificates,
        "sqlite": sqlite_version,
        "paris": moment.isoformat(),
    }
    print("hello from bosun: " + json.dumps(report, sort_keys=True), flush=True)
    if "--serve" in sys.argv:
        # Stay up like a server until a signal ends the process.
        threading.Event().wait()


if __name__ == "__main__":
    main()
