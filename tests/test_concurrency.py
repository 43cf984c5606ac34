"""Readers keep answering from the last complete version while `qa index` writes; writers never
interleave: a second one waits for the lock (``--wait``) or exits with a clear message."""

from __future__ import annotations

import random
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from qa.store import LOCK_NAME, check_index

from .conftest import ROOT, run_qa
from .test_crash_safety import folder_state, grow, index_state, verify_index


@pytest.fixture
def grown(tmp_path: Path) -> tuple[Path, Path, random.Random, int]:
    """A folder of small articles and a complete index of it."""
    rng = random.Random(11)
    data_dir, index_dir = tmp_path / "articles", tmp_path / "index"
    data_dir.mkdir()
    serial = grow(data_dir, rng, 0)
    serial = grow(data_dir, rng, serial)
    run_qa("index", "--data", str(data_dir), "--index", str(index_dir), check=True)
    return data_dir, index_dir, rng, serial


def test_searches_keep_answering_from_complete_generations_while_reindexing(grown) -> None:
    from qa import Assistant

    data_dir, index_dir, rng, serial = grown
    assistant = Assistant.open(index_dir)  # opened before any re-index starts
    index = assistant.index
    query = assistant.embeddings.embed_question("اتفاقية تعاون بين ليبيا وتركيا")
    writer_errors: list[str] = []

    def reindex() -> None:
        nonlocal serial
        for _ in range(2):
            serial = grow(data_dir, rng, serial)
            result = run_qa("index", "--data", str(data_dir), "--index", str(index_dir))
            if result.returncode != 0:
                writer_errors.append(result.stderr)

    writer = threading.Thread(target=reindex)
    writer.start()
    generations: set[int] = set()
    searches = 0
    problems: list[str] = []
    while writer.is_alive() or searches < 3:
        hits = assistant.search("اتفاقية تعاون عسكري بين ليبيا وتركيا", 5)
        searches += 1
        if not hits:
            problems.append("a search returned nothing")
        for h in hits:
            if h.text != h.article.body[h.chunk.start:h.chunk.end] or not h.text:
                problems.append(f"{h.chunk.id}: text is not the article's slice")
        # Within one snapshot, FAISS ids, BM25 documents and SQLite chunk rows are one set.
        with index.snapshot():
            generations.add(index.generation)
            bm25 = set(index.lexical.rowids.tolist())
            dense, _ = index.dense(query, 10**6)
            rows = set(index.chunks(sorted(bm25)))
            if not (set(dense.tolist()) == bm25 == rows):
                problems.append(f"generation {index.generation}: FAISS {len(dense)}, BM25 {len(bm25)}, "
                                f"SQLite {len(rows)} chunks disagree")
        time.sleep(0.05)  # leave the writer a core (CI has two)
    writer.join()
    index.close()
    assert writer_errors == []
    assert problems == []
    assert len(generations) >= 2, f"the reader never saw a new version ({generations}, {searches} searches)"
    assert check_index(index_dir) == []


def test_a_second_writer_exits_with_a_clear_message_while_the_lock_is_held(grown) -> None:
    from filelock import FileLock

    data_dir, index_dir, rng, serial = grown
    before = index_state(index_dir)
    grow(data_dir, rng, serial)
    lock = FileLock(str(index_dir / LOCK_NAME))
    with lock.acquire(timeout=5):
        result = run_qa("index", "--data", str(data_dir), "--index", str(index_dir))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "another `qa index` is writing" in result.stderr and "--wait" in result.stderr
    assert index_state(index_dir) == before
    assert check_index(index_dir) == []


def test_a_second_writer_with_wait_waits_for_the_lock_then_completes(grown) -> None:
    from filelock import FileLock

    data_dir, index_dir, rng, serial = grown
    grow(data_dir, rng, serial)
    held, release = threading.Event(), threading.Event()

    def holder() -> None:  # another writer: holds the lock for 3 s (acquired and released here)
        with FileLock(str(index_dir / LOCK_NAME)).acquire(timeout=5):
            held.set()
            release.wait(3.0)

    thread = threading.Thread(target=holder)
    thread.start()
    assert held.wait(10)
    started = time.perf_counter()
    result = run_qa("index", "--wait", "60", "--data", str(data_dir), "--index", str(index_dir))
    elapsed = time.perf_counter() - started
    thread.join()
    assert result.returncode == 0, result.stderr
    assert elapsed >= 2.5, "the writer did not wait for the lock"
    assert verify_index(index_dir, {"new": folder_state(data_dir)}) == []


def test_two_writers_started_together_never_interleave(grown) -> None:
    data_dir, index_dir, rng, serial = grown
    for _ in range(3):
        serial = grow(data_dir, rng, serial)
    generation = _generation(index_dir)
    command = [sys.executable, "-m", "qa.cli", "index", "--data", str(data_dir), "--index", str(index_dir)]
    procs = [subprocess.Popen(command + extra, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for extra in ([], ["--wait", "60"])]
    outs = [p.communicate(timeout=300) for p in procs]
    codes = [p.returncode for p in procs]
    assert all("Traceback" not in err for _, err in outs), outs
    assert codes[1] == 0, outs[1][1]
    assert codes[0] == 0 or (codes[0] == 1 and "another `qa index` is writing" in outs[0][1]), outs[0]
    # One change set, one new generation: the later writer found nothing left to do.
    assert _generation(index_dir) == generation + 1
    assert verify_index(index_dir, {"new": folder_state(data_dir)}) == []


def _generation(index_dir: Path) -> int:
    import sqlite3

    conn = sqlite3.connect(f"file:{index_dir / 'qa.sqlite'}?mode=ro", uri=True)
    try:
        return int(conn.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()[0])
    finally:
        conn.close()
