"""A small app that touches the parts of Python a distroless image most often breaks."""

import json
import sqlite3
import ssl
import sys
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
    print("hello from bosun: " + json.dumps(report, sort_keys=True))


if __name__ == "__main__":
    main()
