"""Serve the qa chat: ``python app.py`` (the same as ``qa serve``; settings from ``QA_*``)."""

from __future__ import annotations

from qa.config import Settings
from qa.ui import serve

if __name__ == "__main__":
    serve(Settings())
