"""Chunks → BM25: normalised, stemmed terms with bm25s's Lucene weights, saved without pickle."""

from __future__ import annotations

import bisect
import json
import re
import threading
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import numpy as np

from qa.arabic import STOPWORDS_AR, STOPWORDS_EN, normalize, tokenize

_ARABIC_LETTER = re.compile(r"[\u0600-\u06FF]")
FORMAT = 1


@lru_cache(maxsize=2)
def _stemmer(language: str):
    import Stemmer

    return Stemmer.Stemmer(language)


@lru_cache(maxsize=200_000)
def _stem(token: str) -> str:
    # Snowball's Arabic stemmer strips the article and common affixes; Latin words get Porter2.
    if _ARABIC_LETTER.search(token):
        return _stemmer("arabic").stemWord(token)
    return _stemmer("english").stemWord(token)


# Marks a root term, so that a root never collides with a stem spelled the same way.
ROOT_MARK = "√"
# Bump when analyze() changes: a sync re-analyses the chunks of an index made by another version.
ANALYZER_VERSION = "3"


@lru_cache(maxsize=1)
def _isri():
    from qa.isri import ISRIStemmer

    return ISRIStemmer()


@lru_cache(maxsize=200_000)
def root(token: str) -> str:
    """The ISRI root of a normalised Arabic token (other tokens come back unchanged)."""
    return _isri().stem(token)


def analyze(text: str) -> list[str]:
    """The BM25 terms of a text: normalised tokens, stopwords dropped, each stemmed; an Arabic
    token also gives its root (``√`` + ISRI root) when that differs from the stem.

    Why both: Snowball's light stem keeps apart inflections that a question and its answer
    often differ by (الدولة/دولة, سقطت/سقوط, مضاعفات/المضاعفات), and the ISRI root joins them;
    the root alone would merge too much. On ARCD the pair lifted paragraph R@1 from 0.749 to
    0.772 (roots alone: 0.768).

    Example:
        >>> analyze("سقطت الدولة")
        ['سقط', 'دوله', '√دول']
    """
    return analyze_tokens(tokenize(text))


def analyze_tokens(tokens: Iterable[str]) -> list[str]:
    """:func:`analyze` of a text already split by :func:`qa.arabic.tokenize`."""
    out = []
    for token in tokens:
        token = _CONJUNCTION_BEFORE_ARTICLE.sub("", token)
        if token in STOPWORDS_AR or token in STOPWORDS_EN:
            continue
        stem = _stem(token)
        if stem:
            out.append(stem)
        if _ARABIC_LETTER.search(token):
            token_root = root(token)
            if token_root and token_root != stem:
                out.append(ROOT_MARK + token_root)
    return out


# و/ف ("and"/"so") before the article, alone or with ب/ك/ل: Snowball's Arabic stemmer removes
# a conjunction only when no alef follows it, so it kept والحكومة as "والحكوم" apart from
# الحكومة's "حكومه", and ISRI found no root for وبالمغرب. Three letters must follow the
# article, so that والد/والدة ("father"/"mother") keep their و.
_CONJUNCTION_BEFORE_ARTICLE = re.compile(r"^[وف](?=(?:ال|بال|كال|لل)\w{3})")


def is_arabic_term(term: str) -> bool:
    """Whether a term is Arabic script (an English query can only match such terms by accident)."""
    return bool(_ARABIC_LETTER.search(term))


def _count(docs: list[list[str]], vocab: dict[str, int], n: int):
    """Term counts of documents as a CSR matrix, adding unseen terms to ``vocab``."""
    from scipy import sparse

    ids = [np.fromiter((vocab.setdefault(t, len(vocab)) for t in doc), dtype=np.int32, count=len(doc))
           for doc in docs]
    rows = np.repeat(np.arange(n, dtype=np.int32), [len(d) for d in ids])
    flat = np.concatenate(ids) if ids else np.zeros(0, np.int32)
    counts = sparse.csr_matrix((np.ones(len(flat), np.int32), (rows, flat)), shape=(n, len(vocab)))
    counts.sum_duplicates()
    return counts


def _load_counts(folder: Path, documents: int, terms: int):
    """The term counts saved beside the score matrix, or None for an index written without."""
    from scipy import sparse

    paths = [folder / f"counts.{name}.npy" for name in ("indptr", "indices", "data")]
    if not all(p.exists() for p in paths):
        return None
    indptr, indices, data = (np.load(p, allow_pickle=False) for p in paths)
    if len(indptr) != documents + 1 or len(indices) != len(data) or (len(indices) and indices.max() >= terms):
        raise ValueError("BM25 term counts do not match its documents and vocabulary")
    return sparse.csr_matrix((data, indices, indptr), shape=(documents, terms))


# bm25s's defaults (method "lucene"), which the weights below reproduce.
K1, B = 1.5, 0.75


class LexicalIndex:
    """BM25 over chunk terms; documents are identified by chunk row id.

    The index keeps the documents' term counts beside bm25s's score matrix, so that a sync that
    adds or removes a few chunks updates it instead of refitting every document (bm25s has no
    incremental add; a refit took 12-15 s at 100k chunks).

    Args:
        rowids (np.ndarray): int64 row id of each document, in the order of ``docs``.
        retriever: a ``bm25s.BM25`` holding the score matrix and vocabulary.
        counts (scipy.sparse.csr_matrix, optional): term counts, documents × vocabulary ids.
    """

    def __init__(self, rowids: np.ndarray, retriever, counts=None) -> None:
        self.rowids = np.asarray(rowids, dtype=np.int64)
        self._bm25 = retriever
        self._counts = counts
        self._vocab = retriever.vocab_dict if retriever is not None else {}
        self._skeletons: dict[str, list[str]] | None = None
        # Row id → position in the score arrays, built once per loaded generation.
        self.position = {int(r): i for i, r in enumerate(self.rowids)}
        self._skeleton_keys: list[str] = []
        self._skeleton_lock = threading.Lock()
        self._name_terms: dict[str, tuple[str, ...]] = {}

    @classmethod
    def build(cls, rowids: list[int] | np.ndarray, docs: list[list[str]]) -> "LexicalIndex":
        """Fit BM25 on pre-analysed documents (see :func:`analyze`)."""
        vocab: dict[str, int] = {}
        return cls._fitted(np.asarray(rowids, dtype=np.int64), vocab, _count(docs, vocab, len(docs)))

    def updated(self, removed: np.ndarray, rowids: list[int], docs: list[list[str]]) -> "LexicalIndex | None":
        """This index without the documents ``removed`` and with ``docs`` added as ``rowids``
        (greater than every row id kept), scored exactly as :meth:`build` would score the
        result; None when this index has no term counts (an index written before they were
        kept), and the caller builds from scratch."""
        if self._counts is None:
            return None
        from scipy import sparse

        keep = ~np.isin(self.rowids, np.asarray(removed, dtype=np.int64))
        vocab = dict(self._vocab)
        added = _count(docs, vocab, len(docs))
        kept = self._counts[keep]
        kept.resize((kept.shape[0], len(vocab)))  # the new terms have no counts in kept rows
        counts = sparse.vstack([kept, added], format="csr", dtype=np.int32)
        return self._fitted(np.concatenate([self.rowids[keep], np.asarray(rowids, dtype=np.int64)]), vocab, counts)

    @classmethod
    def _fitted(cls, rowids: np.ndarray, vocab: dict[str, int], counts) -> "LexicalIndex":
        """bm25s's Lucene BM25 weights of every (document, term) count, as its score matrix."""
        import bm25s

        if not len(rowids):
            return cls(np.zeros(0, dtype=np.int64), None)
        n = counts.shape[0]
        lengths = np.asarray(counts.sum(axis=1)).ravel().astype(np.float64)
        df = np.bincount(counts.indices, minlength=len(vocab))
        # Lucene's idf is positive for every df; a term no document has any more weighs 0.
        idf = np.where(df > 0, np.log(1 + (n - df + 0.5) / (df + 0.5)), 0.0)
        length = np.repeat(lengths / max(lengths.mean(), 1e-9), np.diff(counts.indptr))
        tf = counts.data.astype(np.float64)
        weights = counts.copy().astype(np.float32)
        weights.data = (idf[counts.indices] * tf / (tf + K1 * (1 - B + B * length))).astype(np.float32)
        by_term = weights.tocsc()
        by_term.sort_indices()
        retriever = bm25s.BM25(k1=K1, b=B, method="lucene")
        retriever.scores = {"data": by_term.data, "indices": by_term.indices.astype(np.int32),
                            "indptr": by_term.indptr.astype(np.int64), "num_docs": n}
        retriever.vocab_dict = vocab
        retriever.nonoccurrence_array = None  # what bm25s's own fit leaves for "lucene"
        return cls(rowids, retriever, counts)

    def __len__(self) -> int:
        return int(self.rowids.shape[0])

    def save(self, folder: Path) -> None:
        """Write arrays (``np.save``, no pickle) and JSON into ``folder``, which must not exist."""
        folder.mkdir(parents=True)
        np.save(folder / "rowids.npy", self.rowids, allow_pickle=False)
        if self._bm25 is not None:
            self._bm25.save(str(folder), allow_pickle=False, show_progress=False)
        if self._counts is not None:
            for name in ("indptr", "indices", "data"):
                np.save(folder / f"counts.{name}.npy", getattr(self._counts, name), allow_pickle=False)
        (folder / "lexical.json").write_text(
            json.dumps({"format": FORMAT, "documents": len(self)}), encoding="utf-8"
        )

    @classmethod
    def load(cls, folder: Path, *, with_counts: bool = False) -> "LexicalIndex":
        """Read an index written by :meth:`save`; raises ``ValueError`` when it is not sound.

        Args:
            folder (Path): the folder :meth:`save` wrote.
            with_counts (bool, optional): also read the term counts, which only a writer
                needs (:meth:`updated`); searching does not. Defaults to False.
        """
        meta = json.loads((folder / "lexical.json").read_text(encoding="utf-8"))
        if meta.get("format") != FORMAT:
            raise ValueError(f"BM25 index format {meta.get('format')!r}, expected {FORMAT}")
        rowids = np.load(folder / "rowids.npy", allow_pickle=False)
        if len(rowids) != meta.get("documents"):
            raise ValueError("BM25 row ids do not match its document count")
        if not len(rowids):
            return cls(rowids, None)
        import bm25s

        retriever = bm25s.BM25.load(str(folder), allow_pickle=False, show_progress=False, verbosity=0)
        counts = _load_counts(folder, len(rowids), len(retriever.vocab_dict)) if with_counts else None
        return cls(rowids, retriever, counts)

    def document_frequency(self, term: str) -> int:
        """How many documents contain a term (0 when it is not in the vocabulary)."""
        vid = self._vocab.get(term)
        if vid is None:
            return 0
        indptr = self._bm25.scores["indptr"]
        return int(indptr[vid + 1] - indptr[vid])

    def name_terms(self, name: str, *, max_share: float = 0.05) -> list[str]:
        """Vocabulary terms (any script) that can spell a name, e.g. "Haftar" → ``حفتر``.

        Terms found in more than ``max_share`` of the documents are left out: a common word that
        happens to share a short skeleton ("Italy" and دول) is noise, not the name. So are words
        whose skeleton stops short of the name's ("Gibran" and خبر, "news") when another word
        spells the whole name (جبران); without one, they are the best guess left.
        """
        from qa.names import holds_stem, name_lookup, skeletons_match, stem_carriers

        if name in self._name_terms:
            return list(self._name_terms[name])
        by_skeleton = self._skeleton_index()
        keys = self._skeleton_keys

        def near(skel: str) -> list[str]:
            """The keys that can match ``skel``: those sharing all but its last two classes."""
            prefix = skel[: max(2, len(skel) - 2)]
            out = []
            for key in keys[bisect.bisect_left(keys, prefix):]:
                if not key.startswith(prefix):
                    break
                out.append(key)
            return out

        lookup = name_lookup(name)
        found: set[str] = set()
        shorter: set[str] = set()  # words whose skeleton stops short of the name's
        for skel in (s for s in lookup.skeletons if len(s) >= 2):
            # Every word under a key has that skeleton: one comparison per key, not per word.
            for key in near(skel):
                if skeletons_match(skel, key):
                    (shorter if len(key) < len(skel) else found).update(by_skeleton[key])
        if not found:
            found = shorter
        # Known forms: the few words that can carry their stems, looked up directly.
        found.update(t for t in stem_carriers(lookup.form_stems)
                     if t in self._vocab and holds_stem(t, lookup.form_stems))
        if lookup.spelling in self._vocab:
            found.add(lookup.spelling)
        limit = max(5, int(max_share * len(self)))
        terms = sorted(t for t in found if 0 < self.document_frequency(t) <= limit)
        if len(self._name_terms) >= 10_000:  # names recur (a generation lives long): keep a few
            self._name_terms.clear()
        self._name_terms[name] = tuple(terms)
        return terms

    def prepare_names(self) -> None:
        """Build the skeleton index of the vocabulary that :meth:`name_terms` reads.

        It takes seconds at 100k chunks (bench/query.py), so :class:`qa.store.Index` starts it
        in the background when it loads a generation instead of making the first English
        question after an update wait for it.
        """
        self._skeleton_index()

    def _skeleton_index(self) -> dict[str, list[str]]:
        if self._skeletons is None:
            with self._skeleton_lock:
                if self._skeletons is None:
                    from qa.names import exonym_word, skeletons

                    index: dict[str, list[str]] = {}
                    for term in self._vocab:
                        if term.startswith(ROOT_MARK) or exonym_word(term):
                            continue  # roots spell no name; "gulf" spells only Gulf
                        for skel in skeletons(term):
                            index.setdefault(skel, []).append(term)
                    # Keys first: a reader that sees the index must see its keys too.
                    self._skeleton_keys = sorted(index)
                    self._skeletons = index
        return self._skeletons

    def scores(self, terms: dict[str, float] | list[str]) -> np.ndarray:
        """BM25 score of every document for weighted query terms (a list weighs each term 1)."""
        weights = {t: 1.0 for t in terms} if isinstance(terms, list) else terms
        if self._bm25 is None:
            return np.zeros(len(self), dtype=np.float32)
        found = [(self._vocab[t], w) for t, w in weights.items() if w and t in self._vocab]
        if not found:
            return np.zeros(len(self), dtype=np.float32)
        # One pass over the terms' postings of bm25s's precomputed score matrix (CSC): an
        # English name can bring hundreds of spellings, and scoring them one call each took
        # most of an answer at 100k chunks (bench/query.py).
        matrix = self._bm25.scores
        indptr, indices, data = matrix["indptr"], matrix["indices"], matrix["data"]
        docs = np.concatenate([indices[indptr[v]:indptr[v + 1]] for v, _ in found])
        values = np.concatenate([data[indptr[v]:indptr[v + 1]] * w for v, w in found])
        return np.bincount(docs, weights=values, minlength=len(self)).astype(np.float32)
