"""Chunks and vectors → the index folder on disk, kept in step with the data folder.

Layout of an index folder::

    qa.sqlite            articles, chunks (row id = FAISS id), files seen, parameters, generation
    embeddings.sqlite    cache: (model, sha256 of the embedded text) → vector
    vectors-G.faiss      FAISS IndexIDMap2 over inner product of unit vectors, generation G
    bm25-G/              BM25 arrays (numpy, no pickle) + JSON, generation G
    write.lock           held by the one writer

Atomicity: a writer embeds first (into the cache, one transaction per batch, so a killed run
resumes where it stopped), then opens one SQLite write transaction, writes generation G+1's
FAISS and BM25 files beside G's, and commits the row changes together with ``generation = G+1``.
The commit is the switch: until it lands readers see G, whole; after it they see G+1, whole.
Files of a generation that never committed are removed by the next writer.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path

import numpy as np

from qa.articles import Article, ArticleError, iter_article_files, read_file
from qa.chunking import Chunk, chunk_article
from qa.config import Settings
from qa.embeddings import canonical_spec, load_embeddings
from qa.lexical import ANALYZER_VERSION, LexicalIndex, analyze

FORMAT_VERSION = 1
DB_NAME = "qa.sqlite"
CACHE_NAME = "embeddings.sqlite"
LOCK_NAME = "write.lock"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files (
    path TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL,
    sha256 TEXT NOT NULL, skipped TEXT
);
CREATE TABLE IF NOT EXISTS articles (
    id TEXT PRIMARY KEY, path TEXT NOT NULL, position INTEGER NOT NULL, title TEXT,
    published TEXT, source TEXT, lang TEXT NOT NULL, body TEXT NOT NULL, sha256 TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS articles_path ON articles(path);
CREATE TABLE IF NOT EXISTS chunks (
    rowid INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, article_id TEXT NOT NULL,
    n INTEGER NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL,
    text_sha256 TEXT NOT NULL, terms TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_article ON chunks(article_id);
"""


class IndexProblem(RuntimeError):
    """The index cannot be used as asked; the message says why and what to do."""


class IndexBusy(IndexProblem):
    """Another writer holds the index lock."""


# ---------------------------------------------------------------------------------------------
# Helpers shared by reader and writer


def embed_text(article: Article | "StoredArticle", chunk_text: str) -> str:
    """The text the encoder sees for a chunk: its article's title, then the passage.

    The title carries the subject that a passage deep in the article often leaves implicit.
    """
    return _titled(article.title, chunk_text)


def _titled(title: str | None, chunk_text: str) -> str:
    return f"{title}\n{chunk_text}" if title else chunk_text


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _connect(path: Path, *, readonly: bool = False) -> sqlite3.Connection:
    if readonly:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None,
                               check_same_thread=False, timeout=30)
        try:
            conn.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()
        except sqlite3.OperationalError:
            # A reader of a WAL database creates its -shm file; on a read-only folder or a full
            # disk it cannot, and no writer can be at work there either: read it as immutable.
            conn.close()
            conn = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True, isolation_level=None,
                                   check_same_thread=False, timeout=30)
    else:
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA busy_timeout=30000")
    return conn


@contextmanager
def _transaction(conn: sqlite3.Connection) -> Iterator[None]:
    """A write transaction that rolls back on any error, including KeyboardInterrupt."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _vectors_path(index_dir: Path, generation: int) -> Path:
    return index_dir / f"vectors-{generation}.faiss"


def _bm25_path(index_dir: Path, generation: int) -> Path:
    return index_dir / f"bm25-{generation}"


def _chunk_rowids(conn: sqlite3.Connection) -> np.ndarray:
    return np.array([r[0] for r in conn.execute("SELECT rowid FROM chunks ORDER BY rowid")], dtype=np.int64)


def _ivf_lists(n: int) -> int:
    """Clusters for ``n`` vectors: ~4·√n, the usual FAISS guidance, with the 39 training points
    per cluster FAISS asks for (it warns on stderr otherwise)."""
    return max(1, min(n // 39, max(16, int(4 * n ** 0.5))))


def _ivf_probes(nlist: int) -> int:
    """Clusters searched per query: 1/16 of them (candidate recall measured in bench/query.py)."""
    return max(8, nlist // 16)


def _is_ivf(vectors) -> bool:
    return hasattr(vectors, "invlists")


def _stored(vectors) -> tuple[np.ndarray, np.ndarray]:
    """Ids and vectors of every entry of a FAISS index of either kind qa writes."""
    import faiss

    if not _is_ivf(vectors):
        ids = faiss.vector_to_array(vectors.id_map).astype(np.int64)
        return ids, vectors.index.reconstruct_n(0, vectors.ntotal) if vectors.ntotal else np.zeros((0, vectors.d), np.float32)
    lists = vectors.invlists
    ids, rows = [np.zeros(0, np.int64)], [np.zeros((0, vectors.d), np.float32)]
    for cluster in range(vectors.nlist):
        size = lists.list_size(cluster)
        if size:
            ids.append(faiss.rev_swig_ptr(lists.get_ids(cluster), size).astype(np.int64))
            codes = faiss.rev_swig_ptr(lists.get_codes(cluster), size * vectors.code_size)
            rows.append(np.frombuffer(codes.tobytes(), dtype=np.float32).reshape(size, vectors.d))
    return np.concatenate(ids), np.vstack(rows)


def _vectors_problem(vectors, rowids: np.ndarray, dim: int) -> str | None:
    """Why a FAISS index does not hold exactly one unit vector of size ``dim`` per chunk row id
    (bytes scribbled over vectors show as other norms), or None; one pass over its entries."""
    if vectors.d != dim:
        return f"FAISS vectors have dimension {vectors.d}, the index says {dim}"
    ids, matrix = _stored(vectors)
    if not np.array_equal(np.sort(ids), rowids):
        return f"FAISS holds {len(ids)} vectors whose ids differ from the {len(rowids)} chunks"
    with np.errstate(all="ignore"):  # damaged bytes overflow: that is the finding, not a warning
        norms = np.linalg.norm(matrix, axis=1)
    if not np.all(np.isfinite(norms) & (np.abs(norms - 1.0) <= 1e-3)):
        return "FAISS holds vectors that are not unit vectors (damaged bytes)"
    return None


def _layout(vectors) -> str:
    """``flat`` or ``ivf-<clusters>``: the kind of FAISS index, as recorded in the meta table."""
    return f"ivf-{vectors.nlist}" if _is_ivf(vectors) else "flat"


def _wanted_layout(n: int, current: str, min_vectors: int) -> str:
    """The layout ``n`` vectors call for, given the current one.

    Below ``min_vectors`` (``Settings.ivf_min_vectors``) exact search reads every vector in a
    few milliseconds; above it an IVF-flat index reads a few clusters instead (at 100k chunks
    flat search alone took ~42 ms of the 40 ms budget, bench/query.py). Exact cosines are
    recomputed for the candidates either way. The clusters are retrained when the collection
    has grown fourfold; IVF turns back into flat only below half the threshold, so that a
    collection near it does not flip at every sync.
    """
    nlist = int(current[4:]) if current.startswith("ivf-") else 0
    if not (n >= max(min_vectors, 1) or (nlist and n >= max(min_vectors // 2, 1))):
        return "flat"
    if nlist and nlist * 2 >= _ivf_lists(n):
        return current
    return f"ivf-{_ivf_lists(n)}"


def _fitted(vectors, min_vectors: int):
    """The same entries in the layout their number calls for (see :func:`_wanted_layout`)."""
    import faiss

    layout = _wanted_layout(vectors.ntotal, _layout(vectors), min_vectors)
    if layout == _layout(vectors):
        return vectors
    ids, matrix = _stored(vectors)
    if layout == "flat":
        flat = faiss.IndexIDMap2(faiss.IndexFlatIP(vectors.d))
        flat.add_with_ids(matrix, ids)
        return flat
    nlist = int(layout[4:])
    index = faiss.IndexIVFFlat(faiss.IndexFlatIP(vectors.d), vectors.d, nlist, faiss.METRIC_INNER_PRODUCT)
    # k-means on a fixed sample: training cost stays bounded and the result reproducible.
    sample = np.random.default_rng(0).choice(len(ids), size=min(len(ids), 40 * nlist), replace=False)
    index.train(matrix[np.sort(sample)])
    # A hash table from id to entry: reconstruct_batch(rowids) and remove_ids need it.
    index.set_direct_map_type(faiss.DirectMap.Hashtable)
    index.add_with_ids(matrix, ids)
    index.nprobe = _ivf_probes(nlist)
    return index


def _mismatch(conn: sqlite3.Connection, vectors, lexical: LexicalIndex, dim: int) -> str | None:
    """Why FAISS, BM25 and the chunk rows of one generation disagree, or None when they agree.

    Run on every load: a reader must fail with a sentence, not a KeyError deep in a search.
    """
    rowids = _chunk_rowids(conn)
    problem = _vectors_problem(vectors, rowids, dim)
    if problem is None and not np.array_equal(np.sort(lexical.rowids), rowids):
        problem = f"BM25 holds {len(lexical)} documents that differ from the {len(rowids)} chunks"
    return problem


def _read_meta(conn: sqlite3.Connection) -> dict[str, str]:
    try:
        return dict(conn.execute("SELECT key, value FROM meta").fetchall())
    except sqlite3.DatabaseError as exc:
        raise IndexProblem(f"the index database is not readable ({exc}); run `qa index --rebuild`") from exc


# ---------------------------------------------------------------------------------------------
# Reading


@dataclass(frozen=True)
class StoredArticle:
    """An article as the index holds it (the fields of :class:`qa.articles.Article`)."""

    id: str
    path: str
    title: str | None
    published: date | None
    source: str | None
    body: str
    lang: str


@dataclass(frozen=True)
class StoredChunk:
    """A chunk row: ``article.body[start:end]`` is its text."""

    rowid: int
    id: str
    article_id: str
    n: int
    start: int
    end: int


@dataclass(frozen=True)
class IndexStats:
    """What an index holds."""

    articles: int
    chunks: int
    files: int
    outlets: dict[str, int]
    first_published: date | None
    last_published: date | None
    languages: dict[str, int]
    model: str
    dim: int
    generation: int
    updated_at: str | None
    skipped_files: dict[str, str]
    # BM25 terms made by another version of the analyser: searches work, but match words as
    # that version split them until `qa index` re-analyses the stored text (nothing re-embedded).
    terms_outdated: bool = False


class Index:
    """A read-only view of an index folder that follows the writer's generations.

    Every public method works on one complete generation: it checks the committed generation
    inside a SQLite read transaction and, when a writer has committed a newer one, loads that
    generation's FAISS and BM25 files before answering. Thread-safe.

    Use :meth:`open`.
    """

    def __init__(self, index_dir: Path, conn: sqlite3.Connection, meta: dict[str, str]) -> None:
        self.index_dir = index_dir
        self._conn = conn
        self.model = meta["model"]
        self.dim = int(meta["dim"])
        self.generation = -1
        self._vectors = None
        self._lexical: LexicalIndex | None = None
        self._lock = threading.RLock()
        self._articles: dict[str, StoredArticle] = {}

    @classmethod
    def open(cls, index_dir: str | Path, *, model: str | None = None) -> "Index":
        """Open an index folder for reading.

        Args:
            index_dir (str | Path): the folder ``qa index`` wrote.
            model (str, optional): the model spec the caller will embed queries with; a
                different spec than the index's is an error. Defaults to the index's own.

        Raises:
            IndexProblem: the folder holds no index, an index of another format or model, or
                files that cannot be read.
        """
        index_dir = Path(index_dir)
        db = index_dir / DB_NAME
        if not db.is_file():
            raise IndexProblem(
                f"no index in {index_dir}: build one with `qa index --data DIR --index {index_dir}`"
            )
        try:
            conn = _connect(db, readonly=True)
        except sqlite3.Error as exc:
            raise IndexProblem(f"cannot open {db}: {exc}; run `qa index --rebuild`") from exc
        meta = _read_meta(conn)
        if not meta.get("generation"):
            raise IndexProblem(f"the index in {index_dir} was never completed: run `qa index`")
        missing = [key for key in ("format", "model", "dim") if not meta.get(key)]
        if missing:
            raise IndexProblem(
                f"the index in {index_dir} lacks its {', '.join(missing)} parameter: "
                f"check it with `qa index --check` and repair with `qa index --rebuild`"
            )
        if int(meta.get("format", 0)) != FORMAT_VERSION:
            raise IndexProblem(
                f"the index in {index_dir} has format {meta.get('format')}, this qa reads "
                f"{FORMAT_VERSION}: run `qa index --rebuild --index {index_dir}`"
            )
        if model is not None and canonical_spec(model) != meta["model"]:
            raise IndexProblem(
                f"the index in {index_dir} was built with model {meta['model']!r}, not "
                f"{canonical_spec(model)!r}: rebuild it with "
                f"`qa index --rebuild --model {model} --index {index_dir}` or use that model"
            )
        index = cls(index_dir, conn, meta)
        with index.snapshot():
            pass
        return index

    def close(self) -> None:
        """Release the database connection."""
        with self._lock:
            self._conn.close()

    @contextmanager
    def snapshot(self) -> Iterator["Index"]:
        """Hold one committed generation (and its rows) for the duration of the block."""
        with self._lock:
            try:
                self._conn.execute("BEGIN")
                try:
                    generation = int(self._conn.execute(
                        "SELECT value FROM meta WHERE key='generation'").fetchone()[0])
                    if generation != self.generation:
                        self._load(generation)
                    yield self
                finally:
                    self._conn.execute("COMMIT")
            except sqlite3.DatabaseError as exc:
                raise IndexProblem(
                    f"the index database in {self.index_dir} is damaged ({exc}); "
                    f"check it with `qa index --check` and repair with `qa index --rebuild`"
                ) from exc

    def _load(self, generation: int) -> None:
        import faiss

        vectors_file = _vectors_path(self.index_dir, generation)
        try:
            vectors = faiss.read_index(str(vectors_file))
            lexical = LexicalIndex.load(_bm25_path(self.index_dir, generation))
        except Exception as exc:  # faiss raises RuntimeError, numpy/json ValueError/OSError
            raise IndexProblem(
                f"generation {generation} of {self.index_dir} is damaged ({exc}); "
                f"check it with `qa index --check` and repair with `qa index --rebuild`"
            ) from exc
        if _is_ivf(vectors):
            vectors.nprobe = _ivf_probes(vectors.nlist)
        problem = _mismatch(self._conn, vectors, lexical, self.dim)
        if problem:
            raise IndexProblem(
                f"generation {generation} of {self.index_dir} is inconsistent ({problem}); "
                f"check it with `qa index --check` and repair with `qa index --rebuild`"
            )
        self._vectors, self._lexical, self.generation = vectors, lexical, generation
        self._articles = {}
        threading.Thread(target=lexical.prepare_names, name="qa-names", daemon=True).start()

    def refresh(self) -> bool:
        """Load the newest committed generation if a writer made one; True when it changed."""
        before = self.generation
        with self.snapshot():
            pass
        return self.generation != before

    # The methods below are called inside `snapshot()` by retrieval code.

    def dense(self, query: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Row ids and inner-product scores of the ``k`` nearest chunks to a unit vector."""
        if self._vectors is None or self._vectors.ntotal == 0 or k <= 0:
            return np.zeros(0, np.int64), np.zeros(0, np.float32)
        scores, ids = self._vectors.search(query.reshape(1, -1).astype(np.float32), min(k, self._vectors.ntotal))
        keep = ids[0] >= 0
        return ids[0][keep], scores[0][keep]

    def dense_scores(self, query: np.ndarray, rowids: list[int]) -> np.ndarray:
        """Inner products of a unit query with the stored vectors of given chunks."""
        if not rowids:
            return np.zeros(0, np.float32)
        vectors = self._vectors.reconstruct_batch(np.asarray(rowids, dtype=np.int64))
        return vectors @ query.astype(np.float32)

    @property
    def lexical(self) -> LexicalIndex:
        """The BM25 index of the current generation."""
        assert self._lexical is not None
        return self._lexical

    def chunks(self, rowids: list[int]) -> dict[int, StoredChunk]:
        """Chunk rows by row id."""
        if not rowids:
            return {}
        marks = ",".join("?" * len(rowids))
        rows = self._conn.execute(
            f'SELECT rowid, id, article_id, n, start, "end" FROM chunks WHERE rowid IN ({marks})',
            [int(r) for r in rowids],
        ).fetchall()
        return {r[0]: StoredChunk(*r) for r in rows}

    def chunk_terms(self, rowids: list[int]) -> list[list[str]]:
        """The BM25 terms of chunks, in the order asked."""
        marks = ",".join("?" * len(rowids))
        terms = dict(self._conn.execute(
            f"SELECT rowid, terms FROM chunks WHERE rowid IN ({marks})", [int(r) for r in rowids]))
        return [terms.get(int(r), "").split() for r in rowids]

    def chunk_by_id(self, chunk_id: str) -> StoredChunk | None:
        """A chunk row by its string id."""
        row = self._conn.execute(
            'SELECT rowid, id, article_id, n, start, "end" FROM chunks WHERE id = ?', (chunk_id,)
        ).fetchone()
        return StoredChunk(*row) if row else None

    def article_chunks(self, article_id: str) -> list[StoredChunk]:
        """All chunks of an article, in order."""
        rows = self._conn.execute(
            'SELECT rowid, id, article_id, n, start, "end" FROM chunks WHERE article_id = ? ORDER BY n',
            (article_id,),
        ).fetchall()
        return [StoredChunk(*r) for r in rows]

    def article(self, article_id: str) -> StoredArticle | None:
        """An article by id (cached per generation)."""
        return self.articles([article_id]).get(article_id)

    def articles(self, article_ids: list[str]) -> dict[str, StoredArticle]:
        """Articles by id, read in one query for those not cached (absent ids are left out)."""
        missing = list({a for a in article_ids if a not in self._articles})
        if len(self._articles) + len(missing) > 5000:
            self._articles.clear()
            missing = list(set(article_ids))
        for i in range(0, len(missing), 500):
            part = missing[i:i + 500]
            rows = self._conn.execute(
                "SELECT id, path, title, published, source, body, lang FROM articles "
                f"WHERE id IN ({','.join('?' * len(part))})", part).fetchall()
            for row in rows:
                published = date.fromisoformat(row[3]) if row[3] else None
                self._articles[row[0]] = StoredArticle(row[0], row[1], row[2], published, row[4], row[5], row[6])
        return {a: self._articles[a] for a in article_ids if a in self._articles}

    def stats(self) -> IndexStats:
        """Counts and ranges for ``qa stats`` and the chat's status panel."""
        with self.snapshot():
            c = self._conn
            meta = dict(c.execute("SELECT key, value FROM meta").fetchall())
            outlets = dict(c.execute(
                "SELECT COALESCE(source, ''), COUNT(*) FROM articles GROUP BY 1 ORDER BY 2 DESC"
            ).fetchall())
            outlets.pop("", None)
            first, last = c.execute("SELECT MIN(published), MAX(published) FROM articles").fetchone()
            return IndexStats(
                articles=c.execute("SELECT COUNT(*) FROM articles").fetchone()[0],
                chunks=c.execute("SELECT COUNT(*) FROM chunks").fetchone()[0],
                files=c.execute("SELECT COUNT(*) FROM files WHERE skipped IS NULL").fetchone()[0],
                outlets=outlets,
                first_published=date.fromisoformat(first) if first else None,
                last_published=date.fromisoformat(last) if last else None,
                languages=dict(c.execute("SELECT lang, COUNT(*) FROM articles GROUP BY 1").fetchall()),
                model=meta["model"],
                dim=int(meta["dim"]),
                generation=int(meta["generation"]),
                updated_at=meta.get("updated_at"),
                skipped_files=dict(c.execute(
                    "SELECT path, skipped FROM files WHERE skipped IS NOT NULL ORDER BY path").fetchall()),
                terms_outdated=meta.get("analyzer") != ANALYZER_VERSION,
            )

    def terms_outdated(self) -> bool:
        """Whether the BM25 terms were made by another version of the analyser (see
        :class:`IndexStats`)."""
        with self.snapshot():
            return _read_meta(self._conn).get("analyzer") != ANALYZER_VERSION


# ---------------------------------------------------------------------------------------------
# Checking


def check_index(index_dir: str | Path) -> list[str]:
    """Verify an index folder; the empty list means it is sound.

    Checks SQLite's own integrity, the parameters, that FAISS ids, SQLite chunks and BM25
    documents are the same set, that every chunk's offsets fall inside its article and that the
    chunk text still hashes to what was embedded.

    Returns:
        list[str]: one sentence per problem found.
    """
    index_dir = Path(index_dir)
    db = index_dir / DB_NAME
    if not db.is_file():
        return [f"no index database at {db}"]
    problems: list[str] = []
    try:
        conn = _connect(db, readonly=True)
        conn.execute("BEGIN")
        verdict = conn.execute("PRAGMA integrity_check").fetchone()[0]
        if verdict != "ok":
            return [f"SQLite integrity check failed: {verdict}"]
        meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
    except sqlite3.DatabaseError as exc:
        return [f"the index database is damaged: {exc}"]
    for key in ("format", "model", "dim", "generation"):
        if key not in meta:
            problems.append(f"parameter {key!r} is missing")
    if problems:
        return problems
    if int(meta["format"]) != FORMAT_VERSION:
        return [f"format {meta['format']} is not {FORMAT_VERSION}"]
    generation = int(meta["generation"])
    rows = conn.execute(
        'SELECT c.rowid, c.id, c.start, c."end", c.text_sha256, a.id, a.title, a.body '
        "FROM chunks c LEFT JOIN articles a ON a.id = c.article_id ORDER BY c.rowid"
    ).fetchall()
    chunk_problems: list[str] = []
    rowids = np.array([r[0] for r in rows], dtype=np.int64)
    for rowid, chunk_id, start, end, sha, article_id, title, body in rows:
        if article_id is None:
            chunk_problems.append(f"chunk {chunk_id} belongs to no article")
        elif not (0 <= start < end <= len(body)):
            chunk_problems.append(f"chunk {chunk_id} has offsets {start}:{end} outside its article")
        elif _sha(f"{title}\n{body[start:end]}" if title else body[start:end]) != sha:
            chunk_problems.append(f"chunk {chunk_id} text does not match what was embedded")
    problems += chunk_problems[:5]
    if len(chunk_problems) > 5:
        problems.append(f"… and {len(chunk_problems) - 5} more damaged chunks")
    orphans = conn.execute(
        "SELECT COUNT(*) FROM articles a WHERE NOT EXISTS (SELECT 1 FROM chunks c WHERE c.article_id = a.id)"
    ).fetchone()[0]
    if orphans:
        problems.append(f"{orphans} articles have no chunks")
    conn.execute("COMMIT")
    conn.close()
    try:
        import faiss

        vectors = faiss.read_index(str(_vectors_path(index_dir, generation)))
        problem = _vectors_problem(vectors, rowids, int(meta["dim"]))
        if problem:
            problems.append(problem)
    except Exception as exc:
        problems.append(f"FAISS file of generation {generation} is unreadable: {exc}")
    try:
        lexical = LexicalIndex.load(_bm25_path(index_dir, generation), with_counts=True)
        if not np.array_equal(np.sort(lexical.rowids), rowids):
            problems.append(f"BM25 holds {len(lexical)} documents that do not match the {len(rowids)} chunks")
    except Exception as exc:
        problems.append(f"BM25 files of generation {generation} are unreadable: {exc}")
    return problems


# ---------------------------------------------------------------------------------------------
# Writing


@dataclass
class SyncReport:
    """What one ``sync`` did.

    Attributes:
        added / updated / removed (list[str]): article ids.
        unchanged (int): articles left as they were.
        skipped (dict[str, str]): path (or ``path#line N``) → why it was not indexed.
        chunks_embedded (int): texts sent to the encoder (cache misses).
        chunks_cached (int): chunk texts whose vectors came from the cache.
        duplicates (int): chunks whose text another chunk in the index already has.
        generation (int): the generation now current.
        articles (int): articles in the index after the run.
        seconds (float): wall time.
    """

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    skipped: dict[str, str] = field(default_factory=dict)
    chunks_embedded: int = 0
    chunks_cached: int = 0
    duplicates: int = 0
    generation: int = 0
    articles: int = 0
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        """Whether the index content changed."""
        return bool(self.added or self.updated or self.removed)

    def as_dict(self) -> dict:
        """JSON-ready form."""
        return {
            "added": self.added, "updated": self.updated, "removed": self.removed,
            "unchanged": self.unchanged, "skipped": self.skipped,
            "chunks_embedded": self.chunks_embedded, "chunks_cached": self.chunks_cached,
            "duplicates": self.duplicates, "generation": self.generation, "articles": self.articles,
            "seconds": round(self.seconds, 3),
        }


Progress = Callable[[str, int, int], None]
"""``progress(stage, done, total)``: called while syncing (stages: read, embed, write)."""


@dataclass
class _Planned:
    article: Article
    sha: str
    chunks: list[Chunk]
    hashes: list[str]
    terms: list[str]


def _article_sha(a: Article) -> str:
    return _sha(json.dumps([a.title, a.published.isoformat() if a.published else None, a.source, a.lang, a.body],
                           ensure_ascii=False))


class _EmbeddingCache:
    """Vectors by (model, text hash), in their own SQLite file; committed per batch."""

    def __init__(self, path: Path, model: str, dim: int, *, verify: bool = False) -> None:
        # Only a cache: a damaged one is set aside rather than failing, and its vectors get
        # re-embedded. Every page is verified only when asked (a rebuild); otherwise damage
        # that the opening read misses is handled (see _damage_named) when a damaged page is met.
        if path.exists() and not _readable(path, table="vectors", thorough=verify):
            _set_aside(path)
        self.path = path
        self._conn = _connect(path)
        self._conn.execute(
            "CREATE TABLE IF NOT EXISTS vectors (model TEXT NOT NULL, sha256 TEXT NOT NULL, "
            "vector BLOB NOT NULL, PRIMARY KEY (model, sha256)) WITHOUT ROWID"
        )
        self.model, self.dim = model, dim

    @contextmanager
    def _damage_named(self) -> Iterator[None]:
        try:
            yield
        except sqlite3.OperationalError:
            raise  # a full disk or a lock, not damage: sync reports it as such
        except sqlite3.DatabaseError as exc:
            # Set aside now, so that the next run starts a fresh cache: only new texts need it
            # (the vectors of unchanged chunks come from the current FAISS file).
            self._conn.close()
            _set_aside(self.path)
            raise IndexProblem(f"the embedding cache {self.path} was damaged ({exc}) and is set aside; "
                               "run `qa index` again") from exc

    def missing(self, hashes: list[str]) -> set[str]:
        with self._damage_named():
            return self._missing(hashes)

    def _missing(self, hashes: list[str]) -> set[str]:
        have: set[str] = set()
        for i in range(0, len(hashes), 500):
            part = hashes[i:i + 500]
            marks = ",".join("?" * len(part))
            have.update(r[0] for r in self._conn.execute(
                f"SELECT sha256 FROM vectors WHERE model = ? AND sha256 IN ({marks})", [self.model, *part]))
        return set(hashes) - have

    def put(self, hashes: list[str], vectors: np.ndarray) -> None:
        with self._damage_named(), _transaction(self._conn):
            self._conn.executemany(
                "INSERT OR REPLACE INTO vectors VALUES (?, ?, ?)",
                [(self.model, h, v.astype(np.float32).tobytes()) for h, v in zip(hashes, vectors)],
            )

    def get(self, hashes: list[str]) -> np.ndarray:
        with self._damage_named():
            return self._get(hashes)

    def _get(self, hashes: list[str]) -> np.ndarray:
        out = np.zeros((len(hashes), self.dim), dtype=np.float32)
        where: dict[str, list[int]] = {}
        for i, h in enumerate(hashes):
            where.setdefault(h, []).append(i)  # identical texts (wire copies) share one vector
        found = 0
        distinct = list(where)  # a copy in two batches would otherwise be counted twice
        for i in range(0, len(distinct), 500):
            part = distinct[i:i + 500]
            marks = ",".join("?" * len(part))
            for sha, blob in self._conn.execute(
                f"SELECT sha256, vector FROM vectors WHERE model = ? AND sha256 IN ({marks})", [self.model, *part]
            ):
                vector = np.frombuffer(blob, dtype=np.float32)
                if vector.shape[0] != self.dim:
                    raise IndexProblem("the embedding cache holds vectors of another size; delete embeddings.sqlite")
                out[where[sha]] = vector
                found += 1
        if found != len(where):
            # Never let a missing vector become a zero vector in FAISS.
            raise IndexProblem(f"{len(where) - found} vectors are missing from the embedding cache; "
                               "run `qa index` again")
        return out

    def close(self) -> None:
        self._conn.close()


def file_sha256(path: Path) -> str:
    """Hex sha256 of a file's bytes, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _tqdm_progress() -> Progress:
    """A progress callback drawing tqdm bars on stderr (only for long runs on a terminal)."""
    from tqdm import tqdm

    bars: dict[str, tqdm] = {}

    def progress(stage: str, done: int, total: int) -> None:
        bar = bars.get(stage)
        if bar is None:
            bar = bars[stage] = tqdm(total=total, desc=stage, unit="text" if stage == "embed" else "file",
                                     file=sys.stderr, leave=False, disable=total < 200)
        bar.update(done - bar.n)
        if done >= total:
            bar.close()

    return progress


def sync(
    data_dir: str | Path,
    index_dir: str | Path,
    *,
    settings: Settings | None = None,
    rebuild: bool = False,
    progress: Progress | None = None,
    lock_timeout: float = 0.0,
) -> SyncReport:
    """Bring the index in ``index_dir`` in step with the article files in ``data_dir``.

    Only new or changed files are read, only new chunk texts are embedded (a cache keyed by
    model and text hash serves the rest), removed files' articles are dropped, and the new state
    becomes visible to readers in one atomic commit.

    Args:
        data_dir (str | Path): the folder of article files (searched recursively).
        index_dir (str | Path): the index folder; created when missing.
        settings (Settings, optional): model, chunking and size limits. Defaults to the
            environment's.
        rebuild (bool, optional): re-read every file and re-create the index (with the model
            of ``settings``), e.g. after changing model or on damage. Defaults to False.
        progress (Progress, optional): ``progress(stage, done, total)`` callback. Defaults to
            tqdm bars on stderr.
        lock_timeout (float, optional): seconds to wait for another writer. Defaults to 0: fail
            at once with :class:`IndexBusy`.

    Returns:
        SyncReport: what was added, updated, removed, skipped (and why) and embedded.

    Raises:
        IndexProblem: missing data folder, another model than the index's (without
            ``rebuild``), a busy lock, or a disk that refuses the write. The index on disk is
            then left as it was.
    """
    from filelock import FileLock, Timeout

    started = time.perf_counter()
    settings = settings or Settings()
    data_dir, index_dir = Path(data_dir), Path(index_dir)
    if not data_dir.is_dir():
        raise IndexProblem(f"data folder not found: {data_dir}")
    try:
        index_dir.mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(index_dir / LOCK_NAME))
        lock.acquire(timeout=lock_timeout)
    except Timeout as exc:
        raise IndexBusy(
            f"another `qa index` is writing {index_dir} (lock {index_dir / LOCK_NAME}); "
            "wait for it to finish or pass --wait SECONDS"
        ) from exc
    except OSError as exc:
        raise IndexProblem(f"cannot write to the index folder {index_dir}: {exc.strerror or exc}") from exc
    try:
        writer = _Writer(data_dir, index_dir, settings, rebuild, progress or _tqdm_progress())
        try:
            report = writer.run()
        finally:
            writer.close()
    except sqlite3.DatabaseError as exc:  # OperationalError (disk full, locked) and damage alike
        raise IndexProblem(
            f"could not write the index in {index_dir} ({exc}); the previous index is intact"
        ) from exc
    except OSError as exc:
        raise IndexProblem(
            f"could not write the index in {index_dir} ({exc.strerror or exc}); the previous index is intact"
        ) from exc
    finally:
        lock.release()
    report.seconds = time.perf_counter() - started
    return report


class _Writer:
    """One sync run; holds the write lock for its whole life (see :func:`sync`)."""

    def __init__(self, data_dir: Path, index_dir: Path, settings: Settings, rebuild: bool,
                 progress: Progress) -> None:
        self.data_dir, self.index_dir, self.settings = data_dir, index_dir, settings
        self.rebuild, self.progress = rebuild, progress
        self.report = SyncReport()
        db = index_dir / DB_NAME
        if rebuild and db.exists() and not _readable(db):
            # A damaged database cannot be updated in place; keep it aside for inspection.
            _set_aside(db)
        self.conn = _connect(db)
        self.conn.executescript(_SCHEMA)
        self.meta = _read_meta(self.conn)
        self.model_spec = canonical_spec(settings.model)
        if self.meta.get("model") and self.meta["model"] != self.model_spec and not rebuild:
            raise IndexProblem(
                f"the index in {index_dir} was built with model {self.meta['model']!r}, not "
                f"{self.model_spec!r}: rebuild it with `qa index --rebuild --model {settings.model} "
                f"--index {index_dir}` or set QA_MODEL back"
            )
        self.embeddings = load_embeddings(self.model_spec, batch_size=settings.batch_size,
                                          query_threads=settings.query_threads)
        self.cache = _EmbeddingCache(index_dir / CACHE_NAME, self.model_spec, self.embeddings.dim, verify=rebuild)

    def close(self) -> None:
        self.cache.close()
        self.conn.close()

    # -- plan ----------------------------------------------------------------------------------

    def _scan(self) -> tuple[dict[str, tuple[int, int, str]], list[str]]:
        """New or changed files (path → size, mtime, sha) and the paths no longer there."""
        known = {r[0]: r[1:] for r in self.conn.execute("SELECT path, size, mtime_ns, sha256 FROM files")}
        changed: dict[str, tuple[int, int, str]] = {}
        unchanged: list[str] = []
        try:
            paths = list(iter_article_files(self.data_dir))
        except ArticleError as exc:
            raise IndexProblem(str(exc)) from exc
        for path in paths:
            rel = path.relative_to(self.data_dir).as_posix()
            try:
                st = path.stat()
            except OSError as exc:
                self.report.skipped[rel] = f"cannot read the file: {exc.strerror}"
                continue
            old = known.get(rel)
            if not self.rebuild and old and old[0] == st.st_size and old[1] == st.st_mtime_ns:
                unchanged.append(rel)
                continue
            sha = file_sha256(path) if st.st_size <= self.settings.max_file_mb * 2**20 else "too-big"
            if not self.rebuild and old and old[2] == sha:
                unchanged.append(rel)  # touched, not changed: refresh its stat below
                self.conn.execute("UPDATE files SET mtime_ns = ? WHERE path = ?", (st.st_mtime_ns, rel))
                continue
            changed[rel] = (st.st_size, st.st_mtime_ns, sha)
        removed = sorted(set(known) - set(changed) - set(unchanged))
        return changed, removed

    def run(self) -> SyncReport:
        if not self.rebuild:
            self._refuse_damaged_rows()
        changed, removed_files = self._scan()
        existing = {r[0]: (r[1], r[2]) for r in self.conn.execute("SELECT id, path, sha256 FROM articles")}
        by_file: dict[str, list[str]] = {}
        for article_id, (path, _) in existing.items():
            by_file.setdefault(path, []).append(article_id)

        planned: list[_Planned] = []
        gone: set[str] = set()
        file_rows: list[tuple[str, int, int, str, str | None]] = []
        for done, (rel, (size, mtime, sha)) in enumerate(sorted(changed.items()), 1):
            result = read_file(self.data_dir / rel, root=self.data_dir,
                               max_bytes=self.settings.max_file_mb * 2**20)
            for skip in result.skipped:
                self.report.skipped[skip.path] = skip.reason
            whole_file_skip = not result.articles and result.skipped
            file_rows.append((rel, size, mtime, sha, result.skipped[0].reason if whole_file_skip else None))
            seen = set()
            for article in result.articles:
                seen.add(article.id)
                article_sha = _article_sha(article)
                old = existing.get(article.id)
                if old and old[1] == article_sha and not self.rebuild:
                    self.report.unchanged += 1
                    continue
                planned.append(self._plan(article, article_sha))
                (self.report.updated if old else self.report.added).append(article.id)
            gone.update(set(by_file.get(rel, [])) - seen)
            self.progress("read", done, len(changed))
        for rel in removed_files:
            gone.update(by_file.get(rel, []))
        self.report.removed = sorted(gone)
        self.report.unchanged += sum(
            len(ids) for path, ids in by_file.items() if path not in changed and path not in removed_files
        )
        self._embed(planned)
        meta = _read_meta(self.conn)
        chunks = self.conn.execute("SELECT COUNT(*) FROM chunks").fetchone()[0]
        layout = meta.get("vectors", "flat")
        if (self.rebuild or planned or gone or not meta.get("generation")
                or meta.get("analyzer") != ANALYZER_VERSION
                or _wanted_layout(chunks, layout, self.settings.ivf_min_vectors) != layout):
            self._commit(planned, gone, file_rows, removed_files)
        elif file_rows or removed_files:
            # Files that changed without changing any article: only their fingerprints move.
            with _transaction(self.conn):
                self._record_files(file_rows, removed_files)
        self.report.generation = int(_read_meta(self.conn).get("generation", 0))
        self.report.articles = self.conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
        return self.report

    def _plan(self, article: Article, sha: str) -> _Planned:
        chunks = chunk_article(article, max_chars=self.settings.chunk_chars, overlap=self.settings.chunk_overlap)
        texts = [embed_text(article, c.text) for c in chunks]
        return _Planned(article, sha, chunks, [_sha(t) for t in texts], [" ".join(analyze(t)) for t in texts])

    def _embed(self, planned: list[_Planned]) -> None:
        texts: dict[str, str] = {}
        for p in planned:
            for chunk, sha in zip(p.chunks, p.hashes):
                texts.setdefault(sha, embed_text(p.article, chunk.text))
        total_chunks = sum(len(p.chunks) for p in planned)
        absent = self.cache.missing(list(texts))
        missing = [h for h in texts if h in absent]
        self.report.chunks_embedded = len(missing)
        self.report.chunks_cached = total_chunks - len(missing)
        batch = max(1, self.settings.batch_size)
        for i in range(0, len(missing), batch):
            part = missing[i:i + batch]
            self.cache.put(part, self.embeddings.embed_passages([texts[h] for h in part]))
            self.progress("embed", min(i + batch, len(missing)), len(missing))

    def _commit(self, planned: list[_Planned], gone: set[str], file_rows: list[tuple],
                removed_files: list[str]) -> None:
        import faiss

        c = self.conn
        self.progress("write", 0, 1)
        with _transaction(c):
            meta = _read_meta(c)
            generation = int(meta.get("generation", 0))
            new_generation = generation + 1
            self._remove_stale_files(keep={generation})
            if self.rebuild or not meta.get("generation"):
                vectors = faiss.IndexIDMap2(faiss.IndexFlatIP(self.embeddings.dim))
                if self.rebuild:
                    c.execute("DELETE FROM chunks")
                    c.execute("DELETE FROM articles")
                    c.execute("DELETE FROM files")
            else:
                vectors = self._previous_vectors(generation)
            # Articles to replace: changed ones and those gone from their files.
            replace = gone | {p.article.id for p in planned}
            old_rowids: list[int] = []
            for article_id in replace:
                old_rowids += [r[0] for r in c.execute("SELECT rowid FROM chunks WHERE article_id = ?", (article_id,))]
                c.execute("DELETE FROM chunks WHERE article_id = ?", (article_id,))
                c.execute("DELETE FROM articles WHERE id = ?", (article_id,))
            if old_rowids and not self.rebuild:
                vectors.remove_ids(np.array(old_rowids, dtype=np.int64))
            reanalysed = meta.get("analyzer") != ANALYZER_VERSION and not self.rebuild
            if reanalysed:
                self._reanalyse()  # the rows kept; new ones are analysed by _plan
            self._record_files(file_rows, removed_files)
            new_rowids: list[int] = []
            new_hashes: list[str] = []
            new_terms: list[list[str]] = []
            for p in planned:
                a = p.article
                c.execute(
                    "INSERT INTO articles VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (a.id, a.path, int(a.id.rsplit("#", 1)[-1]) if "#" in a.id else 0, a.title,
                     a.published.isoformat() if a.published else None, a.source, a.lang, a.body, p.sha),
                )
                for chunk, sha, terms in zip(p.chunks, p.hashes, p.terms):
                    cur = c.execute(
                        'INSERT INTO chunks (id, article_id, n, start, "end", text_sha256, terms) '
                        "VALUES (?, ?, ?, ?, ?, ?, ?)",
                        (chunk.id, a.id, chunk.n, chunk.start, chunk.end, sha, terms),
                    )
                    new_rowids.append(cur.lastrowid)
                    new_hashes.append(sha)
                    new_terms.append(terms.split())
            if new_rowids:
                vectors.add_with_ids(self.cache.get(new_hashes), np.array(new_rowids, dtype=np.int64))
            self.report.duplicates = c.execute(
                "SELECT COUNT(*) - COUNT(DISTINCT text_sha256) FROM chunks").fetchone()[0]
            lexical = None
            if generation and not (self.rebuild or reanalysed):
                lexical = self._updated_lexical(generation, old_rowids, new_rowids, new_terms)
            if lexical is None:
                rows = c.execute("SELECT rowid, terms FROM chunks ORDER BY rowid").fetchall()
                lexical = LexicalIndex.build([r[0] for r in rows], [r[1].split() for r in rows])
            vectors = _fitted(vectors, self.settings.ivf_min_vectors)
            self._write_generation(new_generation, vectors, lexical)
            now = datetime.now(timezone.utc).isoformat(timespec="seconds")
            c.executemany(
                "INSERT OR REPLACE INTO meta VALUES (?, ?)",
                [("format", str(FORMAT_VERSION)), ("model", self.model_spec),
                 ("dim", str(self.embeddings.dim)), ("generation", str(new_generation)),
                 ("updated_at", now), ("chunk_chars", str(self.settings.chunk_chars)),
                 ("chunk_overlap", str(self.settings.chunk_overlap)), ("analyzer", ANALYZER_VERSION),
                 ("vectors", _layout(vectors))],
            )
        # Readers may still be loading the generation just replaced: keep it, drop older ones.
        self._remove_stale_files(keep={new_generation, generation})
        self.progress("write", 1, 1)

    def _updated_lexical(self, generation: int, removed: list[int], rowids: list[int],
                         terms: list[list[str]]) -> LexicalIndex | None:
        """The committed generation's BM25 with this run's chunks removed and added, or None
        when it cannot be used (written without term counts, damaged, out of step): the caller
        then builds it from every row."""
        try:
            previous = LexicalIndex.load(_bm25_path(self.index_dir, generation), with_counts=True)
            lexical = previous.updated(np.array(removed, dtype=np.int64), rowids, terms)
        except Exception:  # numpy/json/bm25s raise many kinds for damaged files: rebuild instead
            return None
        if lexical is None or not np.array_equal(lexical.rowids, _chunk_rowids(self.conn)):
            return None
        return lexical

    def _reanalyse(self) -> None:
        """Recompute the BM25 terms of every chunk: the index was made by another version of
        :func:`qa.lexical.analyze` (nothing is re-embedded; this only reads the stored text)."""
        rows = self.conn.execute(
            'SELECT c.rowid, c.start, c."end", a.title, a.body FROM chunks c JOIN articles a ON a.id = c.article_id'
        ).fetchall()
        self.conn.executemany("UPDATE chunks SET terms = ? WHERE rowid = ?", [
            (" ".join(analyze(_titled(title, body[start:end]))), rowid)
            for rowid, start, end, title, body in rows])

    def _refuse_damaged_rows(self) -> None:
        """An incremental run builds on the rows it finds: damaged ones must be rebuilt first."""
        bad = self.conn.execute(
            'SELECT COUNT(*) FROM chunks c LEFT JOIN articles a ON a.id = c.article_id '
            'WHERE a.id IS NULL OR c.start < 0 OR c.start >= c."end" OR c."end" > length(a.body)'
        ).fetchone()[0]
        if bad:
            raise IndexProblem(
                f"{bad} chunks of {self.index_dir} point outside their articles (the index is "
                f"damaged): run `qa index --rebuild`"
            )

    def _previous_vectors(self, generation: int):
        """The committed generation's FAISS index, or one rebuilt from the embedding cache when
        that file is missing, damaged or out of step with the chunks (nothing is re-embedded)."""
        import faiss

        rowids = _chunk_rowids(self.conn)
        try:
            vectors = faiss.read_index(str(_vectors_path(self.index_dir, generation)))
            if _vectors_problem(vectors, rowids, self.embeddings.dim) is None:
                return vectors
        except RuntimeError:  # faiss's error for a missing or unreadable file
            pass
        rows = self.conn.execute("SELECT rowid, text_sha256 FROM chunks ORDER BY rowid").fetchall()
        hashes = [r[1] for r in rows]
        if self.cache.missing(hashes):
            raise IndexProblem(
                f"the vectors of {self.index_dir} are damaged and not all are in the embedding cache: "
                f"run `qa index --rebuild`"
            )
        vectors = faiss.IndexIDMap2(faiss.IndexFlatIP(self.embeddings.dim))
        if rows:
            vectors.add_with_ids(self.cache.get(hashes), rowids)
        return vectors

    def _record_files(self, file_rows: list[tuple], removed_files: list[str]) -> None:
        self.conn.executemany("DELETE FROM files WHERE path = ?", [(rel,) for rel in removed_files])
        self.conn.executemany("INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?)", file_rows)

    def _write_generation(self, generation: int, vectors, lexical: LexicalIndex) -> None:
        import faiss

        target = _vectors_path(self.index_dir, generation)
        tmp = target.with_suffix(".faiss.tmp")
        faiss.write_index(vectors, str(tmp))
        with tmp.open("rb") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, target)
        folder = _bm25_path(self.index_dir, generation)
        staging = folder.with_name(folder.name + ".tmp")
        shutil.rmtree(staging, ignore_errors=True)
        lexical.save(staging)
        for item in staging.iterdir():
            with item.open("rb") as handle:
                os.fsync(handle.fileno())
        shutil.rmtree(folder, ignore_errors=True)
        os.replace(staging, folder)
        _fsync_dir(self.index_dir)

    def _remove_stale_files(self, keep: set[int]) -> None:
        for item in self.index_dir.iterdir():
            name = item.name
            if not (name.startswith("vectors-") or name.startswith("bm25-")):
                continue
            number = name.split("-", 1)[1].split(".", 1)[0]
            if number.isdigit() and int(number) in keep and not name.endswith(".tmp"):
                continue
            if item.is_dir():
                shutil.rmtree(item, ignore_errors=True)
            else:
                item.unlink(missing_ok=True)


def _readable(db: Path, table: str = "meta", *, thorough: bool = True) -> bool:
    """Whether a SQLite file opens and reads; ``thorough`` also runs ``PRAGMA quick_check``,
    which reads every page (35 s for the 400 MB embedding cache of 100k chunks)."""
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        try:
            ok = not thorough or conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
            conn.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchall()
        finally:
            conn.close()
        return ok
    except sqlite3.DatabaseError:
        return False


def _set_aside(db: Path) -> None:
    """Rename a damaged database (and its WAL files) out of the way, keeping it for inspection."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
    for suffix in ("", "-wal", "-shm"):
        old = db.with_name(db.name + suffix)
        if old.exists():
            old.rename(db.with_name(f"{db.name}{suffix}.damaged-{stamp}"))
