"""Serve the qa chat: ``python app.py`` is ``qa serve`` (settings from ``QA_*``)."""

from __future__ import annotations

from qa.cli import cli

if __name__ == "__main__":
    cli(["serve"], prog_name="qa")
