"""qa: question answering over Arabic and English news, with exact citations."""

__version__ = "0.1.0"
