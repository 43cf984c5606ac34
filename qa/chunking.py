"""Articles → chunks: sentence-aware windows with overlap, as offsets into the article body."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from qa.arabic import split_sentences
from qa.articles import Article


@dataclass(frozen=True)
class Chunk:
    """A passage of one article: ``article.body[start:end] == text``.

    Attributes:
        id (str): ``"{article_id}:{n}"``, stable while the article's body is unchanged.
        article_id (str): the article it comes from.
        n (int): position of the chunk within the article (0-based).
        start (int): offset of the first character in the article body.
        end (int): offset after the last character.
        text (str): the passage itself.
    """

    id: str
    article_id: str
    n: int
    start: int
    end: int
    text: str


def _pieces(body: str, max_chars: int) -> list[tuple[int, int]]:
    """Sentence spans, with sentences longer than ``max_chars`` cut at word boundaries."""
    out: list[tuple[int, int]] = []
    for start, end in split_sentences(body):
        while end - start > max_chars:
            cut = body.rfind(" ", start + max_chars // 2, start + max_chars)
            cut = cut if cut > start else start + max_chars
            out.append((start, cut))
            start = cut
            while start < end and body[start].isspace():
                start += 1
        if end > start:
            out.append((start, end))
    return out


def chunk_article(article: Article, *, max_chars: int = 700, overlap: int = 150) -> list[Chunk]:
    """Cut an article into passages of whole sentences.

    Consecutive sentences are packed until adding the next would pass ``max_chars``; the next
    chunk starts with as many trailing sentences of the previous one as fit in ``overlap``
    characters, so that a fact spanning a sentence boundary is whole in at least one chunk.

    Args:
        article (Article): the article to cut.
        max_chars (int, optional): target length of a chunk in characters. Defaults to 700.
        overlap (int, optional): characters of context repeated between neighbours. Defaults
            to 150.

    Returns:
        list[Chunk]: in body order; ``article.body[c.start:c.end] == c.text`` for each.

    Example:
        >>> chunks = chunk_article(article)  # doctest: +SKIP
        >>> chunks[0].text.startswith("تاريخ النشر")  # doctest: +SKIP
        True
    """
    if max_chars < 1 or overlap < 0:
        raise ValueError("max_chars must be positive and overlap non-negative")
    pieces = _pieces(article.body, max_chars)
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(pieces):
        j = i
        while j + 1 < len(pieces) and pieces[j + 1][1] - pieces[i][0] <= max_chars:
            j += 1
        spans.append((pieces[i][0], pieces[j][1]))
        if j + 1 >= len(pieces):
            break
        # Step back over trailing sentences that fit in the overlap, always moving forward.
        nxt = j + 1
        while nxt - 1 > i and pieces[j][1] - pieces[nxt - 1][0] <= overlap:
            nxt -= 1
        i = nxt
    return [
        Chunk(f"{article.id}:{n}", article.id, n, s, e, article.body[s:e])
        for n, (s, e) in enumerate(spans)
    ]


def chunk_articles(articles: Iterable[Article], *, max_chars: int = 700, overlap: int = 150) -> list[Chunk]:
    """Chunks of several articles, in order (see :func:`chunk_article`)."""
    return [c for a in articles for c in chunk_article(a, max_chars=max_chars, overlap=overlap)]
