"""Passages → an answer: extractive, deterministic, every sentence cited.

(Interface stub: the answerer is being written; see Answer and Citation.)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from qa.retrieval import Hit


@dataclass(frozen=True)
class Citation:
    """A numbered source of an answer: a retrieved passage and the sentence in it that is quoted.

    Attributes:
        n (int): the number used as ``[n]`` in the answer text.
        hit (Hit): the passage (its fields are those of a search result).
        quote_start (int): offset in the article body where the supporting sentence starts;
            ``hit.chunk.start <= quote_start < quote_end <= hit.chunk.end``.
        quote_end (int): offset after it.
    """

    n: int
    hit: Hit
    quote_start: int
    quote_end: int

    @property
    def quote(self) -> str:
        """The supporting sentence, exactly as in the article."""
        return self.hit.article.body[self.quote_start:self.quote_end]

    def to_dict(self) -> dict[str, Any]:
        """``{"n": …, <search result fields>, "quote": …, "quote_start": …, "quote_end": …}``."""
        return {"n": self.n, **self.hit.to_dict(), "quote": self.quote,
                "quote_start": self.quote_start, "quote_end": self.quote_end}


@dataclass(frozen=True)
class Answer:
    """What the assistant says.

    Attributes:
        question (str): the question as asked.
        text (str): the answer with ``[n]`` markers.
        language (Literal["ar", "en"]): the question's language (the answer's framing).
        found (bool): False when the articles do not answer; ``text`` then says so.
        dates (list[date]): event dates the answer gives, oldest first.
        citations (list[Citation]): one per ``[n]`` in ``text``.
        related (list[Hit]): closest passages shown when nothing answers — not proof.
    """

    question: str
    text: str
    language: Literal["ar", "en"]
    found: bool
    dates: list[date] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    related: list[Hit] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The object of the ``qa ask --json`` contract (plus ``related``)."""
        return {
            "question": self.question,
            "language": self.language,
            "found": self.found,
            "answer": self.text,
            "dates": [d.isoformat() for d in self.dates],
            "citations": [c.to_dict() for c in self.citations],
            "related": [h.to_dict() for h in self.related],
        }


def answer_question(question: str, hits: list[Hit]) -> Answer:
    """Answer ``question`` from retrieved passages (stub: returns the best passage's first sentence)."""
    from qa.arabic import detect_language, split_sentences

    language = "ar" if detect_language(question) == "ar" else "en"
    if not hits:
        return Answer(question, "No answer in the articles." if language == "en" else "لا جواب في المقالات.",
                      language, False)
    hit = hits[0]
    spans = [(hit.chunk.start + s, hit.chunk.start + e) for s, e in split_sentences(hit.text)]
    s, e = spans[0]
    citation = Citation(1, hit, s, e)
    return Answer(question, f"{citation.quote} [1]", language, True, [], [citation])
