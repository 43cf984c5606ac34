"""Index → passages: dense and BM25 signals fused with weights that respect languages.

Why not plain reciprocal-rank fusion: an English question shares no words with Arabic passages,
so its BM25 ranking is noise, and RRF gives that noise the same vote as the dense ranking (it cut
English→Arabic top-1 accuracy by two thirds in our measurements). Here each signal's weight is
how much it can apply:

* the direct lexical signal is weighted by the share of the question's term weight (idf) that
  exists in the index vocabulary at all, so it fades out for a cross-lingual question;
* a feedback signal takes the best dense passages, turns their distinctive terms into a BM25
  query, and so finds passages that use the same (Arabic) words as what the dense model found.

Scores are min-max normalised over the candidate pool before they are combined.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from qa.arabic import detect_language, normalize
from qa.lexical import analyze, is_arabic_term
from qa.names import latin_names
from qa.store import Index, StoredArticle, StoredChunk


@dataclass(frozen=True)
class Hit:
    """One retrieved passage.

    Attributes:
        rank (int): 1-based position in the results.
        score (float): fused relevance in [0, 1] (higher is better).
        article (StoredArticle): the article the passage belongs to.
        chunk (StoredChunk): the passage's row; ``article.body[chunk.start:chunk.end]``.
        dense (float): cosine similarity between question and passage.
        lexical (float): normalised BM25 evidence in [0, 1] (direct and feedback combined).
        terms (tuple[str, ...]): the passage's BM25 terms, its article's title included, as the
            index holds them (empty when they were not read).
    """

    rank: int
    score: float
    article: StoredArticle
    chunk: StoredChunk
    dense: float
    lexical: float
    terms: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        """The passage text, exactly ``article.body[start:end]``."""
        return self.article.body[self.chunk.start:self.chunk.end]

    def to_dict(self) -> dict[str, Any]:
        """The search result object of the ``qa search --json`` contract."""
        a = self.article
        return {
            "rank": self.rank,
            "score": round(float(self.score), 6),
            "article_id": a.id,
            "path": a.path,
            "title": a.title,
            "published": a.published.isoformat() if a.published else None,
            "source": a.source,
            "chunk_id": self.chunk.id,
            "start": self.chunk.start,
            "end": self.chunk.end,
            "text": self.text,
        }


@dataclass(frozen=True)
class Filters:
    """Restrictions on what may be retrieved.

    Attributes:
        date_from (date, optional): earliest publication date (inclusive).
        date_to (date, optional): latest publication date (inclusive).
        source (str, optional): outlet name, compared after Arabic normalisation.
    """

    date_from: date | None = None
    date_to: date | None = None
    source: str | None = None

    def __bool__(self) -> bool:
        return bool(self.date_from or self.date_to or self.source)

    def admits(self, article: StoredArticle) -> bool:
        """Whether an article passes every filter (an undated article fails a date filter)."""
        if self.date_from or self.date_to:
            if article.published is None:
                return False
            if self.date_from and article.published < self.date_from:
                return False
            if self.date_to and article.published > self.date_to:
                return False
        if self.source and normalize(self.source) not in normalize(article.source or ""):
            return False
        return True


# The weight of the name bridge for a question in another language than its passages (see
# HybridSearch._query_terms), as a share of FusionWeights.lexical.
ACROSS_NAME_WEIGHT = 0.25


@dataclass
class FusionWeights:
    """Weights of the three signals (see the module docstring). Defaults measured on dev sets."""

    dense: float = 1.0
    lexical: float = 1.5
    feedback: float = 0.3
    feedback_docs: int = 3
    feedback_terms: int = 12
    pool: int = 60
    repeat_decay: float = 0.8


def _minmax(values: np.ndarray) -> np.ndarray:
    if not len(values):
        return values
    low, high = float(values.min()), float(values.max())
    if high - low < 1e-9:
        return np.where(values > 0, 1.0, 0.0).astype(np.float32)
    return ((values - low) / (high - low)).astype(np.float32)


def _best(scores: np.ndarray, k: int) -> np.ndarray:
    """Positions of the ``k`` highest scores, best first (a partial sort: 100k chunks)."""
    if len(scores) > k:
        part = np.argpartition(-scores, k - 1)[:k]
        return part[np.argsort(-scores[part], kind="stable")]
    return np.argsort(-scores, kind="stable")


class HybridSearch:
    """The ranking itself, independent of LangChain (used by :class:`HybridRetriever`).

    Args:
        index (Index): an open index.
        embeddings: the model the index was built with (``embed_question`` gives unit vectors).
        weights (FusionWeights, optional): fusion parameters.
    """

    def __init__(self, index: Index, embeddings, weights: FusionWeights | None = None) -> None:
        self.index = index
        self.embeddings = embeddings
        self.weights = weights or FusionWeights()

    def search(self, query: str, k: int = 8, *, filters: Filters | None = None,
               diverse: bool = True) -> list[Hit]:
        """The ``k`` best passages for a query.

        Args:
            query (str): the question or keywords, Arabic or English.
            k (int, optional): how many passages. Defaults to 8.
            filters (Filters, optional): date range and outlet restrictions.
            diverse (bool, optional): discount further passages of an article already chosen
                (``weights.repeat_decay``), so that one long article does not crowd out the
                others. Defaults to True.

        Returns:
            list[Hit]: best first, ranks from 1.
        """
        query = (query or "").strip()
        if not query or k <= 0:
            return []
        w = self.weights
        filters = filters or Filters()
        q_vec = self.embeddings.embed_question(query)
        with self.index.snapshot() as index:
            lexical = index.lexical
            pool = max(w.pool, 4 * k) * (4 if filters else 1)
            d_ids, _ = index.dense(q_vec, pool)
            terms, coverage = self._query_terms(query, across=self._across(index, query, d_ids))
            weight_lex = w.lexical * coverage
            lex_scores = lexical.scores(terms) if weight_lex > 0 else np.zeros(len(lexical), np.float32)
            # Feedback: distinctive terms of the best dense passages, as a weighted BM25 query.
            fb_scores = np.zeros(len(lexical), np.float32)
            if w.feedback > 0 and len(d_ids):
                fb_terms = self._feedback_terms(index, [int(r) for r in d_ids[: w.feedback_docs]])
                if fb_terms:
                    fb_scores = lexical.scores(fb_terms)
            cand: dict[int, None] = dict.fromkeys(int(r) for r in d_ids)
            for scores, weight in ((lex_scores, weight_lex), (fb_scores, w.feedback)):
                if weight > 0:
                    positive = np.flatnonzero(scores > 0)  # sorting only these: a third of 100k
                    top = positive[_best(scores[positive], pool)]
                    cand.update(dict.fromkeys(int(r) for r in lexical.rowids[top]))
            rowids = list(cand)
            if not rowids:
                return []
            chunks = index.chunks(rowids)
            rowids = [r for r in rowids if r in chunks]
            if filters:  # only then are the candidates' articles needed before ranking
                by_id = index.articles([chunks[r].article_id for r in rowids])
                rowids = [r for r in rowids if chunks[r].article_id in by_id
                          and filters.admits(by_id[chunks[r].article_id])]
            if not rowids:
                return []
            dense = index.dense_scores(q_vec, rowids)
            pos = [lexical.position[r] for r in rowids]
            lex = _minmax(lex_scores[pos]) if weight_lex > 0 else np.zeros(len(rowids), np.float32)
            fb = _minmax(fb_scores[pos])
            evidence = (weight_lex * lex + w.feedback * fb) / max(weight_lex + w.feedback, 1e-9)
            fused = w.dense * _minmax(dense) + weight_lex * lex + w.feedback * fb
            fused = fused / max(w.dense + weight_lex + w.feedback, 1e-9)
            order = self._diverse_order(fused, [chunks[r].article_id for r in rowids], k, diverse)
            # Articles (with their bodies) are read for the passages returned, not for every
            # candidate: at 100k chunks that was a third of the time spent reading SQLite. Their
            # terms too: the answer would otherwise analyse the passages again.
            by_id = index.articles([chunks[rowids[i]].article_id for i in order])
            terms = index.chunk_terms([rowids[i] for i in order])
            hits: list[Hit] = []
            for i, passage_terms in zip(order, terms):
                chunk = chunks[rowids[i]]
                if chunk.article_id in by_id:
                    hits.append(Hit(len(hits) + 1, float(fused[i]), by_id[chunk.article_id], chunk,
                                    float(dense[i]), float(evidence[i]), tuple(passage_terms)))
            return hits

    def _diverse_order(self, fused: np.ndarray, article_ids: list[str], k: int, diverse: bool) -> list[int]:
        """Indices of the ``k`` best candidates; with ``diverse``, each further passage of an
        article already chosen counts ``weights.repeat_decay`` times less, so other articles get
        a turn without hiding a third passage that is clearly better than anything else."""
        order = np.argsort(-fused, kind="stable")
        if not diverse:
            return [int(i) for i in order[:k]]
        ranked = fused[order]
        _, article = np.unique(np.asarray(article_ids, dtype=object)[order], return_inverse=True)
        taken = np.zeros(len(ranked), np.int64)
        left = np.ones(len(ranked), bool)
        chosen: list[int] = []
        while len(chosen) < min(k, len(ranked)):
            # In the scores' own float32: a float64 discount would break ties the other way.
            discount = (self.weights.repeat_decay ** taken[article]).astype(ranked.dtype)
            adjusted = np.where(left, ranked * discount, -np.inf)
            best = int(np.argmax(adjusted))  # among equals, the best-ranked before discounting
            chosen.append(int(order[best]))
            taken[article[best]] += 1
            left[best] = False
        return chosen

    def whole_articles(self, hits: list[Hit], *, articles: int = 2) -> list[Hit]:
        """``hits`` followed by the other passages of its first ``articles`` articles, for
        questions about an article rather than a passage (its outlet, its date line). An added
        passage carries its article's best score: the article, not the passage, was found."""
        best: dict[str, Hit] = {}
        for h in hits:
            best.setdefault(h.article.id, h)
        have = {h.chunk.id for h in hits}
        out = list(hits)
        with self.index.snapshot() as index:
            for article_id in list(best)[:articles]:
                top = best[article_id]
                for chunk in index.article_chunks(article_id):
                    if chunk.id not in have:
                        out.append(Hit(len(out) + 1, top.score, top.article, chunk, top.dense, top.lexical))
        return out

    def _query_terms(self, query: str, *, across: bool = False) -> tuple[dict[str, float], float]:
        """Weighted BM25 terms of a query and the share of it the index can match.

        Names in an English query also bring the index terms that spell them in other scripts
        ("Haftar" → حفتر): the one lexical bridge an English question has to Arabic articles.
        ``across`` (the best dense passages are in another language than the query) keeps only
        that bridge, at :data:`ACROSS_NAME_WEIGHT`: the query's own words then match only stray
        foreign words in the passages, and names spelled by skeleton are a weak signal. On
        41 ARCD questions put into English this took paragraph R@1 from 0.37 to 0.56 and R@5
        from 0.83 to 0.98 (bench/crosslingual.py).
        """
        terms = analyze(query)
        weights = {} if across else dict.fromkeys(terms, 1.0)
        coverage = 0.0 if across else self._coverage(terms)
        names = latin_names(query) if detect_language(query) == "en" else []
        if names:
            matched = 0
            for name in names:
                spellings = self.index.lexical.name_terms(name)
                if across:  # the bridge leads to the passages' script, not to stray Latin words
                    spellings = [t for t in spellings if is_arabic_term(t)]
                matched += bool(spellings)
                for term in spellings:
                    weights[term] = max(weights.get(term, 0.0), 1.0 / len(spellings) ** 0.5)
            # Names count as the question's most telling words.
            share = matched / len(names)
            coverage = ACROSS_NAME_WEIGHT * share if across else max(coverage, share)
        return weights, coverage

    def _across(self, index: Index, query: str, rowids: np.ndarray) -> bool:
        """Whether the best dense passages are in another language than the query."""
        top = [int(r) for r in rowids[:3]]
        chunks = index.chunks(top)
        articles = index.articles([c.article_id for c in chunks.values()])
        text = " ".join(articles[c.article_id].body[c.start:c.end] for c in chunks.values()
                        if c.article_id in articles)
        return bool(text) and detect_language(text) != detect_language(query)

    def _coverage(self, terms: list[str]) -> float:
        """Share of the query's idf mass that the index vocabulary holds (0 when none)."""
        if not terms:
            return 0.0
        lexical = self.index.lexical
        n = max(len(lexical), 1)
        total = present = 0.0
        for term in dict.fromkeys(terms):  # in the query's order: a set's would vary by process
            df = lexical.document_frequency(term)
            # An unseen term gets the idf of a term seen once: it would have been that rare.
            idf = math.log(1 + n / max(df, 1))
            total += idf
            present += idf if df else 0.0
        return present / total if total else 0.0

    def _feedback_terms(self, index: Index, rowids: list[int]) -> dict[str, float]:
        """Weighted terms shared by the top dense passages, favouring rare ones."""
        lexical = index.lexical
        n = max(len(lexical), 1)
        weights: dict[str, float] = {}
        for rank, terms in enumerate(index.chunk_terms(rowids)):
            for term in dict.fromkeys(terms):
                df = lexical.document_frequency(term)
                if df < 1:
                    continue
                weights[term] = weights.get(term, 0.0) + math.log(1 + n / df) / (rank + 1)
        # Ties (terms as rare in the same passages) are common: broken by the term itself, so
        # that the same question always gets the same feedback.
        best = sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))[: self.weights.feedback_terms]
        top = best[0][1] if best else 1.0
        return {t: v / top for t, v in best}


class HybridRetriever(BaseRetriever):
    """LangChain retriever over a qa index: dense + BM25 with language-aware fusion.

    Each ``Document`` has the passage as ``page_content`` and the fields of a ``qa search``
    result as ``metadata``.

    Example:
        >>> from qa import Assistant
        >>> retriever = Assistant.open("index").retriever  # doctest: +SKIP
        >>> retriever.invoke("متى وقعت ليبيا مع تركيا؟")[0].metadata["published"]  # doctest: +SKIP
        '2024-03-01'
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    engine: Any
    k: int = 8
    filters: Filters | None = None

    def _get_relevant_documents(self, query: str, *,
                                run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        hits = self.engine.search(query, self.k, filters=self.filters)
        return [Document(page_content=h.text, metadata=h.to_dict(), id=h.chunk.id) for h in hits]
