"""Query benchmark: ``Assistant.search`` / ``Assistant.ask`` latency, at corpus scale and at 100k chunks.

1. Over the index ``bench/index.py`` built (2,000 ANT articles; ``--index``), ~100 questions
   written deterministically from the indexed articles' titles and sentences (Arabic) plus a
   fixed set of English ones; warm-up first, then p50/p95 of ``search`` and ``ask``.
2. At 100k chunks (``--big-chunks``): an index built with the store's own ``sync`` over as many
   real corpus articles as make 100k chunks. No encoder work: the embedding cache (keyed by
   model + text hash) is seeded first — the real vectors of the small index, and for every other
   chunk text a real vector of the small index plus small Gaussian noise, renormalised — so
   SQLite, BM25 and FAISS really hold 100k distinct chunks of real Arabic text. Then the same
   latency figures and a cProfile of ``ask`` (top costs).

Results go to ``bench/results/query.json``. Corpus: ANT Corpus v2.1 (see ``bench/README.md``).

Example usage::

    python bench/query.py --index /tmp/qa-bench/index-2000/index
    python bench/query.py --big-chunks 0          # only the small-index latencies
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import random
import re
import shutil
import sqlite3
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    DEFAULT_CORPUS, RESULTS, LoadSampler, corpus_records, load, log, machine_info, peak_rss_mb,
    percentiles, rss_mb, write_jsonl, write_results,
)

DEFAULT_INDEX = Path("/tmp/qa-bench/index-2000/index")
MARKER = ".qa-bench"

# English questions about what the 2018 ANT articles report (answerable or not: both paths count).
ENGLISH = [
    "What did the Saudi crown prince say about Iran?",
    "When did the United States move its embassy to Jerusalem?",
    "Who won the 2018 World Cup?",
    "What happened in Eastern Ghouta?",
    "What are the latest oil prices?",
    "Who is Khalifa Haftar?",
    "When will the elections in Libya take place?",
    "What did Trump say about the nuclear deal with Iran?",
    "How many people were killed in the attack in Afrin?",
    "What did the Egyptian president announce?",
    "Who met Vladimir Putin in Moscow?",
    "What is the situation in Yemen's Hodeidah?",
    "When was Mohamed Salah injured?",
    "What did the United Nations say about Syria?",
    "Which company reported record profits?",
    "What did Erdogan say about Syria?",
    "Where did the earthquake happen?",
    "What did the French president Macron say?",
    "Who is the new prime minister of Iraq?",
    "What happened to the Turkish lira?",
]

ARABIC_TEMPLATES = [
    "ما تفاصيل {x}؟",
    "متى {x}؟",
    "من {x}؟",
    "ماذا قيل عن {x}؟",
    "أين {x}؟",
    "لماذا {x}؟",
    "كيف {x}؟",
    "هل {x}؟",
]


def _words(text: str, n: int) -> str:
    words = re.sub(r"[\"«»#:|]", " ", text).split()
    return " ".join(words[:n])


def make_questions(index_dir: Path, n: int, *, english: int = 20, seed: int = 0) -> list[dict]:
    """``n`` questions: Arabic ones from indexed titles (half) and first sentences (half), plus
    ``english`` fixed English ones. Deterministic for an index and a seed."""
    conn = sqlite3.connect(f"file:{index_dir / 'qa.sqlite'}?mode=ro", uri=True)
    rows = conn.execute("SELECT id, title, body FROM articles ORDER BY id").fetchall()
    conn.close()
    rng = random.Random(seed)
    rows = [r for r in rows if r[1] and r[2]]
    picks = rng.sample(rows, min(len(rows), max(0, n - english)))
    questions = []
    for i, (article_id, title, body) in enumerate(picks):
        template = ARABIC_TEMPLATES[i % len(ARABIC_TEMPLATES)]
        if i % 2 == 0:
            x, kind = _words(title, 10), "ar-title"
        else:
            sentence = re.split(r"[.!؟?\n]", body, maxsplit=1)[0]
            x, kind = _words(sentence, 12), "ar-sentence"
        questions.append({"q": template.format(x=x), "kind": kind, "article_id": article_id})
    questions += [{"q": q, "kind": "en"} for q in ENGLISH[:english]]
    return questions


def measure(assistant, questions: list[dict], *, warmup: int, label: str) -> dict:
    """Warm up, then time embed_question, search and ask per question (milliseconds)."""
    ordered = questions
    warm = [q["q"] for q in ordered[:warmup // 2]] + [q["q"] for q in ordered if q["kind"] == "en"][:max(1, warmup - warmup // 2)]
    log(f"{label}: warm-up with {len(warm)} questions")
    first = []
    for q in warm:
        t = time.perf_counter()
        assistant.ask(q)
        first.append((time.perf_counter() - t) * 1000)
    emb, search, ask = [], [], []
    by_kind: dict[str, list[float]] = {}
    found = 0
    log(f"{label}: timing {len(questions)} questions (embed, search, ask each)")
    with LoadSampler() as sampler:
        for i, item in enumerate(questions):
            q = item["q"]
            t = time.perf_counter()
            assistant.embeddings.embed_question(q)
            t1 = time.perf_counter()
            assistant.search(q)
            t2 = time.perf_counter()
            answer = assistant.ask(q)
            t3 = time.perf_counter()
            emb.append((t1 - t) * 1000)
            search.append((t2 - t1) * 1000)
            ask.append((t3 - t2) * 1000)
            by_kind.setdefault(item["kind"], []).append((t3 - t2) * 1000)
            found += bool(answer.found)
            if (i + 1) % 25 == 0:
                log(f"{label}: {i + 1}/{len(questions)}")
    # The same asks with the question vector already computed: what qa adds to the encoder.
    encoder = assistant.embeddings
    vectors = {item["q"]: encoder.embed_question(item["q"]) for item in questions}
    without = []
    try:
        encoder.embed_question = vectors.__getitem__
        for item in questions:
            t = time.perf_counter()
            assistant.ask(item["q"])
            without.append((time.perf_counter() - t) * 1000)
    finally:
        del encoder.embed_question
    stats = assistant.stats()
    return {
        "articles": stats.articles,
        "chunks": stats.chunks,
        "questions": len(questions),
        "question_kinds": {k: len(v) for k, v in by_kind.items()},
        "warmup_ask_ms": [round(x, 1) for x in first],
        "embed_question": percentiles(emb),
        "search": percentiles(search),
        "ask": percentiles(ask),
        "ask_by_kind": {k: percentiles(v) for k, v in by_kind.items()},
        "ask_with_question_vector_given": percentiles(without),
        "answers_found": found,
        "load_during": sampler.summary(),
        "rss_mb": rss_mb(),
    }


def components(assistant, questions: list[dict], *, pool: int = 60) -> dict:
    """Dense and BM25 alone per question (vectors embedded beforehand), as retrieval uses them:
    FAISS top-``pool`` (and, for an IVF index, its recall of the exact top-``pool``), BM25 scores
    of every chunk for the question's terms, and their top-``pool``."""
    from qa.lexical import analyze
    from qa.store import _layout, _stored

    vectors = [assistant.embeddings.embed_question(q["q"]) for q in questions]
    with assistant.index.snapshot() as index:
        lexical = index.lexical
        for _ in range(2):  # the first pass warms caches; keep the second
            dense, bm25, top, found = [], [], [], []
            for item, vec in zip(questions, vectors):
                t0 = time.perf_counter()
                ids, _ = index.dense(vec, pool)
                t1 = time.perf_counter()
                scores = lexical.scores(analyze(item["q"]))
                t2 = time.perf_counter()
                np.argpartition(-scores, min(pool, len(scores) - 1))[:pool]
                t3 = time.perf_counter()
                dense.append((t1 - t0) * 1000)
                bm25.append((t2 - t1) * 1000)
                top.append((t3 - t2) * 1000)
                found.append(ids)
        layout = _layout(index._vectors)
        all_ids, matrix = _stored(index._vectors)
    exact = [set(all_ids[np.argsort(-(matrix @ vec))[:pool]].tolist()) for vec in vectors]
    recall = [len(e & set(f.tolist())) / len(e) for e, f in zip(exact, found)]
    return {"dense_layout": layout, f"dense_faiss_top{pool}": percentiles(dense),
            f"dense_recall_of_exact_top{pool}": {"mean": round(float(np.mean(recall)), 4),
                                                "min": round(float(np.min(recall)), 4)},
            "bm25_scores_all_chunks": percentiles(bm25), f"bm25_top{pool}_argpartition": percentiles(top)}


def profile_ask(assistant, questions: list[dict], out: Path, top: int = 25) -> dict:
    """cProfile of ``ask`` over all questions: the top functions by own and cumulative time."""
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    for item in questions:
        assistant.ask(item["q"])
    profiler.disable()
    wall = time.perf_counter() - started
    profiler.dump_stats(str(out))
    stats = pstats.Stats(profiler)
    n = len(questions)

    def rows(key: str) -> list[dict]:
        entries = []
        for (file, line, name), (cc, nc, tt, ct, _) in stats.stats.items():  # type: ignore[attr-defined]
            entries.append({
                "function": f"{_short(file)}:{line}({name})", "calls_per_ask": round(nc / n, 1),
                "own_ms_per_ask": round(tt / n * 1000, 3), "cumulative_ms_per_ask": round(ct / n * 1000, 3),
            })
        field = "own_ms_per_ask" if key == "tottime" else "cumulative_ms_per_ask"
        return sorted(entries, key=lambda e: -e[field])[:top]

    text = io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(40)
    (out.with_suffix(".txt")).write_text(text.getvalue(), encoding="utf-8")
    return {
        "questions": n,
        "profiled_ms_per_ask": round(wall / n * 1000, 2),
        "note": "cProfile adds overhead (most on many small Python calls); use shares, not absolute times",
        "profile_file": str(out),
        "top_by_own_time": rows("tottime"),
        "top_by_cumulative_time": rows("cumtime"),
    }


def _short(file: str) -> str:
    for marker in ("/site-packages/", "/work/main/"):
        if marker in file:
            return file.split(marker, 1)[1]
    return file


# ------------------------------------------------------------------------------------------ 100k


def build_big(small_index: Path, work: Path, target_chunks: int, corpus: Path, settings,
              *, noise: float, per_file: int, seed: int) -> tuple[Path, dict]:
    """A ``target_chunks`` index over real corpus articles, with a pre-seeded embedding cache."""
    from qa.articles import read_file
    from qa.chunking import chunk_article
    from qa.embeddings import canonical_spec, load_embeddings
    from qa.store import CACHE_NAME, _sha, embed_text, sync

    if work.exists():
        if not (work / MARKER).exists():
            raise SystemExit(f"{work} exists and was not made by bench/query.py; choose another --big-work")
        shutil.rmtree(work)
    (work / "data").mkdir(parents=True)
    (work / MARKER).write_text("made by bench/query.py\n")
    index_dir = work / "index"
    index_dir.mkdir()
    model = canonical_spec(settings.model)

    # 1. The small index's cache, copied consistently (SQLite backup API).
    src = sqlite3.connect(f"file:{small_index / CACHE_NAME}?mode=ro", uri=True)
    dst = sqlite3.connect(index_dir / CACHE_NAME)
    src.backup(dst)
    src.close()
    have = {r[0] for r in dst.execute("SELECT sha256 FROM vectors WHERE model = ?", (model,))}
    base = np.stack([np.frombuffer(b, dtype=np.float32) for (b,) in dst.execute(
        "SELECT vector FROM vectors WHERE model = ? ORDER BY sha256", (model,))])
    log(f"100k: {len(have)} real vectors from {small_index}; choosing articles up to {target_chunks} chunks")

    # 2. Real articles in corpus order until the chunk target; every new text gets a noisy real vector.
    rng = np.random.default_rng(seed)
    started = time.perf_counter()
    chunks_total = articles_total = synthetic = reused = 0
    block: list[dict] = []
    file_no = 0

    def flush(records: list[dict], prefix: str = "ant") -> bool:
        nonlocal chunks_total, articles_total, synthetic, reused, file_no
        path = work / "data" / f"{prefix}-{file_no:03d}.jsonl"
        write_jsonl(path, records)
        articles = read_file(path, root=work / "data").articles
        keep = []
        for article in articles:
            if chunks_total >= target_chunks:
                break
            chunks = chunk_article(article, max_chars=settings.chunk_chars, overlap=settings.chunk_overlap)
            keep.append(article)
            chunks_total += len(chunks)
            rows = []
            for chunk in chunks:
                sha = _sha(embed_text(article, chunk.text))
                if sha in have:
                    reused += 1
                    continue
                v = base[int(sha[:12], 16) % len(base)] + rng.normal(0, noise, base.shape[1]).astype(np.float32)
                v /= np.linalg.norm(v)
                rows.append((model, sha, v.astype(np.float32).tobytes()))
                have.add(sha)
                synthetic += 1
            dst.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?, ?)", rows)
        dst.commit()
        if len(keep) < len(articles):  # the last file: keep exactly the articles needed
            last_line = int(keep[-1].id.rsplit("#", 1)[-1]) if keep else -1
            write_jsonl(path, records[:last_line + 1])
        articles_total += len(keep)
        file_no += 1
        log(f"100k: {articles_total} articles, {chunks_total} chunks ({time.perf_counter() - started:.0f} s)")
        return chunks_total >= target_chunks

    # The whole corpus makes ~93k chunks: past its end, its first articles come again as new
    # articles in other files (same texts, so cached vectors; distinct rows in SQLite/BM25/FAISS).
    done = False
    passes = 0
    while not done:
        prefix = "ant" if passes == 0 else f"replica{passes}"
        for record in corpus_records(corpus):
            block.append(record)
            if len(block) == per_file:
                done = flush(block, prefix)
                block = []
                if done:
                    break
        if block and not done:
            done = flush(block, prefix)
            block = []
        passes += 1
    dst.close()
    seed_seconds = time.perf_counter() - started

    # 3. The store's own sync, with the encoder forbidden (everything must come from the cache).
    embeddings = load_embeddings(settings.model, batch_size=settings.batch_size)
    original = embeddings.__dict__.get("embed_passages")

    def refuse(texts):
        raise RuntimeError(f"the 100k build tried to embed {len(texts)} texts: cache seeding missed them")

    embeddings.embed_passages = refuse
    log(f"100k: sync of {articles_total} articles from the cache (no encoder)")
    try:
        with Clock() as clock:
            report = sync(work / "data", index_dir, settings=settings, progress=lambda *a: None)
    finally:
        if original is None:
            del embeddings.embed_passages
        else:
            embeddings.embed_passages = original
    info = {
        "articles": report.articles, "chunks_planned": chunks_total, "corpus_passes": passes,
        "chunk_vectors_real": reused, "chunk_vectors_synthetic": synthetic,
        "noise_sigma_per_component": noise,
        "cache_seed_seconds": round(seed_seconds, 1),
        "sync_seconds_from_cache": round(clock.wall, 1), "sync_cpu_seconds": round(clock.cpu, 1),
        "chunks_embedded_by_sync": report.chunks_embedded, "duplicates": report.duplicates,
        "index_size_mb": round(sum(p.stat().st_size for p in index_dir.rglob("*") if p.is_file()) / 2**20, 1),
        "index_dir": str(index_dir),
    }
    (work / "build.json").write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    log(f"100k: built {info}")
    return index_dir, info


class Clock:
    def __enter__(self) -> "Clock":
        self.w, self.c = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc) -> None:
        self.wall, self.cpu = time.perf_counter() - self.w, time.process_time() - self.c


def ensure_small_index(index: Path, corpus: Path, settings) -> Path:
    """The given index, or a 300-article one built at /tmp/qa-bench/index-300 when it is missing."""
    if (index / "qa.sqlite").is_file():
        return index
    from qa.store import sync

    work = Path("/tmp/qa-bench/index-300")
    log(f"no index at {index}: building a 300-article one in {work}")
    if work.exists() and not (work / MARKER).exists():
        raise SystemExit(f"{work} exists and was not made by the benchmarks")
    work.mkdir(parents=True, exist_ok=True)
    (work / MARKER).write_text("made by bench/query.py\n")
    write_jsonl(work / "data" / "ant-000.jsonl", list(corpus_records(corpus, limit=300)))
    sync(work / "data", work / "index", settings=settings)
    return work / "index"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Benchmark qa's Assistant.search/ask latency on the ANT corpus and at 100k chunks.",
        epilog="Example: python bench/query.py --index /tmp/qa-bench/index-2000/index")
    parser.add_argument("--index", type=Path, default=DEFAULT_INDEX,
                        help=f"index from bench/index.py (default {DEFAULT_INDEX}; a 300-article one is built when missing)")
    parser.add_argument("--questions", type=int, default=100, help="questions in all (default 100, 20 of them English)")
    parser.add_argument("--warmup", type=int, default=6, help="warm-up questions, not timed (default 6)")
    parser.add_argument("--big-chunks", type=int, default=100_000, help="chunks of the scale index; 0 skips it (default 100000)")
    parser.add_argument("--big-work", type=Path, default=Path("/tmp/qa-bench/big"), help="folder of the scale index (recreated)")
    parser.add_argument("--reuse-big", action="store_true", help="use the scale index already in --big-work")
    parser.add_argument("--noise", type=float, default=0.01, help="sigma of the noise on borrowed vectors (default 0.01)")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help=f"corpus JSONL(.gz) (default {DEFAULT_CORPUS})")
    parser.add_argument("--seed", type=int, default=0, help="seed for questions and noise (default 0)")
    parser.add_argument("--only-embed-latency", type=int, default=0, metavar="N",
                        help="only time embed_question on the first N questions (run it under different "
                             "OMP_NUM_THREADS / OMP_WAIT_POLICY) and add it to --out")
    parser.add_argument("--out", type=Path, default=RESULTS / "query.json", help="results JSON (default bench/results/query.json)")
    args = parser.parse_args(argv)

    from qa import Assistant
    from qa.config import Settings

    settings = Settings()
    small = ensure_small_index(args.index, args.corpus, settings)
    questions = make_questions(small, args.questions, seed=args.seed)
    if args.only_embed_latency:
        import os

        from qa.embeddings import load_embeddings

        embeddings = load_embeddings(settings.model)
        qs = [q["q"] for q in questions[:args.only_embed_latency]]
        for q in qs[:5]:
            embeddings.embed_question(q)
        times = []
        with LoadSampler(interval=2) as sampler:
            for q in qs:
                t = time.perf_counter()
                embeddings.embed_question(q)
                times.append((time.perf_counter() - t) * 1000)
        env = {k: os.environ.get(k) for k in ("OMP_NUM_THREADS", "OMP_WAIT_POLICY")}
        key = ",".join(f"{k}={v}" for k, v in env.items())
        results = json.loads(args.out.read_text(encoding="utf-8")) if args.out.exists() else {}
        results.setdefault("embed_question_by_openmp_env", {})[key] = {
            **percentiles(times), **sampler.summary(), "date": machine_info()["date"]}
        write_results(args.out, results)
        log(f"{key}: {percentiles(times)}")
        return 0
    results: dict = {"benchmark": "query", "machine": machine_info(), "index": str(small),
                     "questions_sample": [q["q"] for q in questions[:5]] + [q["q"] for q in questions[-3:]],
                     "args": {k: str(v) for k, v in vars(args).items()}}
    with Clock() as opened:
        assistant = Assistant.open(small, settings=settings)
    results["small_open_seconds"] = round(opened.wall, 3)
    results["small"] = measure(assistant, questions, warmup=args.warmup, label="small")
    results["small"]["components"] = components(assistant, questions)
    results["small"]["profile"] = profile_ask(assistant, questions, Path("/tmp/qa-bench/ask-small.prof"), top=12)
    write_results(args.out, results)

    if args.big_chunks > 0:
        if args.reuse_big and (args.big_work / "index" / "qa.sqlite").is_file():
            big_index = args.big_work / "index"
            info = json.loads((args.big_work / "build.json").read_text(encoding="utf-8"))
            info["reused_from_an_earlier_run"] = True
        else:
            big_index, info = build_big(small, args.big_work, args.big_chunks, args.corpus, settings,
                                        noise=args.noise, per_file=1000, seed=args.seed)
        results["big_build"] = info
        write_results(args.out, results)
        with Clock() as opened:
            big = Assistant.open(big_index, settings=settings)
        results["big_open_seconds"] = round(opened.wall, 3)
        results["big"] = measure(big, questions, warmup=args.warmup, label="100k")
        results["big"]["targets"] = {"ask_p50_ms_max": 40, "ask_p95_ms_max": 80}
        results["big"]["components"] = components(big, questions)
        write_results(args.out, results)
        log("100k: profiling ask")
        results["big"]["profile"] = profile_ask(big, questions, Path("/tmp/qa-bench/ask-100k.prof"))
    results["load_average_at_end"] = load()
    results["peak_rss_mb"] = peak_rss_mb()
    write_results(args.out, results)
    for name in ("small", "big"):
        if name in results:
            r = results[name]
            log(f"{name}: {r['chunks']} chunks — search p50 {r['search']['p50_ms']} ms p95 {r['search']['p95_ms']} ms; "
                f"ask p50 {r['ask']['p50_ms']} ms p95 {r['ask']['p95_ms']} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
