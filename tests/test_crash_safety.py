"""A `qa index` killed with SIGKILL at any moment leaves the previous or the new index, whole.

The trials run the real command line in a subprocess on a folder that grows (and sometimes
loses or changes a file) between trials, kill it after a random delay, and then check that the
index opens, passes :func:`qa.store.check_index`, holds exactly the previous or the new set of
files, answers searches, and that the next `qa index` completes.

``QA_KILL_TRIALS`` sets the number of random trials (5 by default; the benchmark in
``bench/reliability.py`` runs 50 or more through :func:`run_kill_trials`).
"""

from __future__ import annotations

import hashlib
import os
import random
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from qa.store import check_index

from .conftest import ROOT, run_qa

WORDS = (
    "ليبيا تركيا مصر تونس الجزائر المغرب طرابلس بنغازي القاهرة أنقرة وزير رئيس حكومة مجلس "
    "اتفاقية مذكرة تفاهم تعاون عسكري اقتصادي النفط الغاز الميناء الحدود الهجرة الانتخابات "
    "البرلمان الأمم المتحدة المبعوث السفير الوفد الاجتماع القمة المؤتمر الشركة المشروع الطاقة "
    "الكهرباء المياه الزراعة الصحة التعليم الجامعة الطلاب المستشفى الطريق المطار الرحلات"
).split()
MONTHS = "يناير فبراير مارس أبريل مايو يونيو يوليو أغسطس سبتمبر أكتوبر نوفمبر ديسمبر".split()


def make_article(rng: random.Random, serial: int) -> str:
    """A small Arabic news article with a unique title (short, so embedding is fast)."""
    title = f"خبر رقم {serial}: " + " ".join(rng.choices(WORDS, k=5))
    day = f"{rng.randint(1, 28)} {rng.choice(MONTHS)} {rng.randint(2015, 2024)}"
    sentences = [" ".join(rng.choices(WORDS, k=rng.randint(6, 14))) + "." for _ in range(rng.randint(2, 5))]
    return f"{title}\nتاريخ النشر: {day}\n" + "\n".join(sentences) + f"\nالمصدر: وكالة {rng.choice(WORDS)}\n"


def folder_state(data_dir: Path) -> dict[str, str]:
    """``{relative path: sha256 of the file}`` for the article files of a folder."""
    return {
        p.relative_to(data_dir).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(data_dir.rglob("*.txt"))
    }


def index_state(index_dir: Path) -> tuple[dict[str, str], set[str]]:
    """The files an index holds (path → sha256) and the paths its articles come from."""
    conn = sqlite3.connect(f"file:{index_dir / 'qa.sqlite'}?mode=ro", uri=True)
    try:
        files = dict(conn.execute("SELECT path, sha256 FROM files WHERE skipped IS NULL"))
        paths = {r[0] for r in conn.execute("SELECT DISTINCT path FROM articles")}
    finally:
        conn.close()
    return files, paths


def grow(data_dir: Path, rng: random.Random, serial: int) -> int:
    """Add 1-4 articles; sometimes change or remove an older one. Returns the next serial."""
    for _ in range(rng.randint(1, 4)):
        (data_dir / f"news_{serial:05d}.txt").write_text(make_article(rng, serial), encoding="utf-8")
        serial += 1
    existing = sorted(data_dir.glob("news_*.txt"))
    if len(existing) > 3 and rng.random() < 0.25:
        rng.choice(existing[:-1]).write_text(make_article(rng, serial), encoding="utf-8")
        serial += 1
    existing = sorted(data_dir.glob("news_*.txt"))
    if len(existing) > 3 and rng.random() < 0.2:
        rng.choice(existing[:-1]).unlink()
    return serial


def _qa_index(data_dir: Path, index_dir: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "qa.cli", "index", "--data", str(data_dir), "--index", str(index_dir)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT,
    )


def verify_index(index_dir: Path, allowed: dict[str, dict[str, str]]) -> list[str]:
    """Problems with an index that must be sound and hold one of the ``allowed`` file states.

    Returns a list of sentences (empty when all is well); the name of the matching state is
    not needed by callers, they use :func:`matching_state`.
    """
    problems = [f"check_index: {p}" for p in check_index(index_dir)]
    if problems:
        return problems
    files, paths = index_state(index_dir)
    if not any(files == state for state in allowed.values()):
        problems.append(
            f"index holds {len(files)} files matching none of the states "
            f"{ {k: len(v) for k, v in allowed.items()} }: "
            f"extra {sorted(set(files) - set().union(*allowed.values()))[:5]}"
        )
    if paths != set(files):
        problems.append(f"articles come from {len(paths)} files, the files table has {len(files)}")
    problems += search_problems(index_dir, set(files))
    return problems


def matching_state(index_dir: Path, allowed: dict[str, dict[str, str]]) -> str | None:
    files, _ = index_state(index_dir)
    return next((name for name, state in allowed.items() if files == state), None)


def search_problems(index_dir: Path, paths: set[str]) -> list[str]:
    """Open the index as a reader and search it; problems found (empty when it answers)."""
    from qa import Assistant

    try:
        assistant = Assistant.open(index_dir)
        try:
            hits = assistant.search("اتفاقية تعاون عسكري بين ليبيا وتركيا", 5)
        finally:
            assistant.index.close()
    except Exception as exc:  # noqa: BLE001 - any failure to answer is the finding
        return [f"search failed: {type(exc).__name__}: {exc}"]
    if not hits:
        return ["search returned nothing from a non-empty index"]
    out = []
    for h in hits:
        if h.article.path not in paths:
            out.append(f"search returned {h.article.path}, which the index does not hold")
        if h.text != h.article.body[h.chunk.start:h.chunk.end] or not h.text.strip():
            out.append(f"search result {h.chunk.id} has text that is not its article's slice")
    return out


def run_kill_trials(root: Path, trials: int, *, seed: int, log=None) -> dict:
    """Grow a folder and SIGKILL `qa index` at random moments; returns figures and failures.

    Args:
        root (Path): an empty working folder.
        trials (int): how many kill trials.
        seed (int): seed of the random growth and delays (reported, for reproduction).
        log (callable, optional): ``log(str)`` for progress lines.

    Returns:
        dict: ``trials``, ``failures`` (list of dicts with the trial number and problems),
        ``outcomes`` (how many trials left the previous / the new state, or finished before
        the kill), ``typical_run_seconds`` and ``seconds``.
    """
    rng = random.Random(seed)
    data_dir, index_dir = root / "articles", root / "index"
    data_dir.mkdir(parents=True)
    serial = grow(data_dir, rng, 0)
    started = time.perf_counter()
    first = run_qa("index", "--data", str(data_dir), "--index", str(index_dir))
    if first.returncode != 0:
        raise AssertionError(f"the first `qa index` failed:\n{first.stderr}")
    # Typical run time of an incremental `qa index` (process start, model load, embed, commit).
    serial = grow(data_dir, rng, serial)
    t0 = time.perf_counter()
    run_qa("index", "--data", str(data_dir), "--index", str(index_dir), check=True)
    typical = time.perf_counter() - t0
    failures: list[dict] = []
    outcomes = {"previous": 0, "new": 0, "finished_before_kill": 0}
    delays: list[float] = []
    for trial in range(trials):
        previous = folder_state(data_dir)
        serial = grow(data_dir, rng, serial)
        new = folder_state(data_dir)
        # Half the delays anywhere in a typical run, half in its second half, where the
        # embedding and the commit happen (process start and imports take the first half).
        delay = rng.uniform(0, typical) if trial % 2 == 0 else rng.uniform(0.5 * typical, 1.05 * typical)
        delays.append(delay)
        proc = _qa_index(data_dir, index_dir)
        try:
            proc.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
        proc.wait()
        finished = proc.returncode == 0
        stderr = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
        if proc.stderr:
            proc.stderr.close()
        problems: list[str] = []
        if proc.returncode not in (0, -signal.SIGKILL):
            problems.append(f"`qa index` failed by itself with status {proc.returncode}: {stderr[-500:]}")
        allowed = {"new": new} if finished else {"previous": previous, "new": new}
        problems += verify_index(index_dir, allowed)
        state = None if problems else matching_state(index_dir, allowed)
        if finished:
            outcomes["finished_before_kill"] += 1
        elif state:
            outcomes[state] += 1
        # The next run completes and brings the index to the new state.
        after = run_qa("index", "--data", str(data_dir), "--index", str(index_dir))
        if after.returncode != 0 or "Traceback" in after.stderr:
            problems.append(f"the next `qa index` failed ({after.returncode}): {after.stderr[-500:]}")
        else:
            problems += [f"after the next run: {p}" for p in verify_index(index_dir, {"new": new})]
        if problems:
            failures.append({"trial": trial, "delay": round(delay, 3), "problems": problems})
        if log:
            log(f"trial {trial + 1}/{trials}: delay {delay:.2f}s, "
                f"{'finished' if finished else 'killed'}, state {state}, problems {len(problems)}")
    return {
        "trials": trials,
        "failures": failures,
        "outcomes": outcomes,
        "seed": seed,
        "typical_run_seconds": round(typical, 3),
        "delay_range_seconds": [round(min(delays), 3), round(max(delays), 3)] if delays else [],
        "articles_at_end": len(folder_state(data_dir)),
        "seconds": round(time.perf_counter() - started, 1),
    }


def test_sigkill_at_random_moments_leaves_a_whole_previous_or_new_index(tmp_path: Path) -> None:
    trials = int(os.environ.get("QA_KILL_TRIALS", "5"))
    seed = int(os.environ.get("QA_KILL_SEED", "20240501"))
    result = run_kill_trials(tmp_path, trials, seed=seed)
    assert result["failures"] == [], f"seed {seed}: {result['failures']}"
    killed = result["outcomes"]["previous"] + result["outcomes"]["new"]
    assert killed + result["outcomes"]["finished_before_kill"] == trials


# Deterministic kills at the dangerous points of a commit: the child process runs `sync` with
# a writer step replaced by "do the real step, then SIGKILL myself" (or "SIGKILL first").
_CHILD = textwrap.dedent("""
    import os, signal, sys
    from pathlib import Path
    import qa.store as store

    point = sys.argv[3]

    def die():
        os.kill(os.getpid(), signal.SIGKILL)

    if point == "after-faiss-file":
        import faiss
        real_write = faiss.write_index
        def write_index(index, path):
            real_write(index, path)
            die()
        faiss.write_index = write_index
    elif point == "after-generation-files":
        real = store._Writer._write_generation
        def patched(self, *a, **k):
            real(self, *a, **k)
            die()
        store._Writer._write_generation = patched
    elif point == "after-commit":
        real = store._Writer._remove_stale_files
        calls = []
        def patched(self, keep):
            calls.append(keep)
            if len(calls) == 2:  # the cleanup that follows the commit
                die()
            real(self, keep)
        store._Writer._remove_stale_files = patched
    elif point == "while-embedding":
        real = store._EmbeddingCache.put
        def patched(self, *a, **k):
            real(self, *a, **k)
            die()
        store._EmbeddingCache.put = patched
    store.sync(Path(sys.argv[1]), Path(sys.argv[2]))
    print("finished without being killed")
""")


@pytest.mark.parametrize(
    "point,expected",
    [("while-embedding", "previous"), ("after-faiss-file", "previous"),
     ("after-generation-files", "previous"), ("after-commit", "new")],
)
def test_sigkill_at_each_step_of_a_commit_leaves_a_whole_index(tmp_path: Path, point: str, expected: str) -> None:
    rng = random.Random(7)
    data_dir, index_dir = tmp_path / "articles", tmp_path / "index"
    data_dir.mkdir()
    serial = grow(data_dir, rng, 0)
    run_qa("index", "--data", str(data_dir), "--index", str(index_dir), check=True)
    previous = folder_state(data_dir)
    for _ in range(3):
        serial = grow(data_dir, rng, serial)
    new = folder_state(data_dir)
    assert new != previous
    child = subprocess.run([sys.executable, "-c", _CHILD, str(data_dir), str(index_dir), point],
                           capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert child.returncode == -signal.SIGKILL, child.stdout + child.stderr
    allowed = {"previous": previous, "new": new}
    assert verify_index(index_dir, allowed) == []
    assert matching_state(index_dir, allowed) == expected
    after = run_qa("index", "--data", str(data_dir), "--index", str(index_dir))
    assert after.returncode == 0, after.stderr
    assert verify_index(index_dir, {"new": new}) == []
    # The next writer removed the files of the generation that never committed.
    leftovers = [p.name for p in index_dir.iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []
