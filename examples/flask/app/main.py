"""A Flask app: `gunicorn main:app` serves it."""

import platform
import sys

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    return f"hello from flask on python {sys.version.split()[0]} ({platform.machine()})\n"
