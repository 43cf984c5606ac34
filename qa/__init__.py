"""qa: question answering over Arabic and English news, with exact citations.

Example:
    >>> from qa import Assistant
    >>> answer = Assistant.open("index").ask("When did Libya sign with Turkey?")  # doctest: +SKIP
    >>> [c.hit.article.title for c in answer.citations]  # doctest: +SKIP
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["Answer", "Assistant", "Citation", "__version__"]

if TYPE_CHECKING:
    from qa.answer import Answer, Citation
    from qa.assistant import Assistant


def __getattr__(name: str) -> Any:
    # Lazy, so that `qa --help` does not load numpy, faiss or langchain.
    if name == "Assistant":
        from qa.assistant import Assistant

        return Assistant
    if name in ("Answer", "Citation"):
        from qa import answer

        return getattr(answer, name)
    raise AttributeError(f"module 'qa' has no attribute {name!r}")
