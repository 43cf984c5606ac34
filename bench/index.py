"""Indexing benchmark: ``qa.store.sync`` on real Arabic news (the ANT corpus).

Measures, on the first N articles of the corpus (default 2,000):

(a) articles/s and chunks/s of a fresh build (new index folder, so an empty embedding cache);
(b) the pipeline's throughput as a fraction of the raw encoder's on the same texts
    (``embed_passages`` on the exact texts the pipeline embeds, same batch size, timed on a
    random sample right before and right after the build, so that a machine whose speed drifts
    during the build is measured on both sides of it, and scaled by characters) — plus the
    encoder's share of the build measured inside the same run;
(c) ours against the plain LangChain pipeline (``RecursiveCharacterTextSplitter`` 700/150 +
    the same ``Embeddings`` object + ``FAISS.from_documents``) on a subset of the articles;
(d) adding a few new articles to the big index: incremental ``sync`` time against the time to
    embed those articles' chunks alone;
(e) peak RSS of the indexing run.

The index is kept (``--work``) so that ``bench/query.py`` can use it. Results go to
``bench/results/index.json``. Corpus: ANT Corpus v2.1 (see ``bench/README.md`` for the citation).

Example usage::

    python bench/index.py                         # 2,000 articles, ~15-25 min on 2 cores
    python bench/index.py --articles 300 --langchain-articles 50 --raw-sample 100
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import shutil
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    DEFAULT_CORPUS, RESULTS, LoadSampler, corpus_records, load, log, machine_info, peak_rss_mb,
    rss_mb, write_jsonl, write_results,
)

MARKER = ".qa-bench"


class EncoderMeter:
    """Wraps an embeddings object's ``embed_passages`` to count the time spent in the encoder."""

    def __init__(self, embeddings) -> None:
        self.embeddings = embeddings
        self.seconds = 0.0
        self.texts = 0
        self.chars = 0
        self.calls = 0
        original = type(embeddings).embed_passages

        def timed(texts):
            started = time.perf_counter()
            try:
                return original(embeddings, texts)
            finally:
                self.seconds += time.perf_counter() - started
                self.texts += len(texts)
                self.chars += sum(len(t) for t in texts)
                self.calls += 1

        embeddings.embed_passages = timed  # instance attribute shadows the method

    def reset(self) -> None:
        self.seconds, self.texts, self.chars, self.calls = 0.0, 0, 0, 0

    def snapshot(self) -> dict:
        return {"encoder_seconds": round(self.seconds, 3), "encoder_texts": self.texts,
                "encoder_chars": self.chars, "encoder_calls": self.calls}


class Clock:
    """Wall and process-CPU time of a block (CPU/wall near the core count means no contention)."""

    def __enter__(self) -> "Clock":
        self.wall0, self.cpu0 = time.perf_counter(), time.process_time()
        self.load0 = load()
        return self

    def __exit__(self, *exc) -> None:
        self.wall = time.perf_counter() - self.wall0
        self.cpu = time.process_time() - self.cpu0

    def as_dict(self) -> dict:
        return {"wall_seconds": round(self.wall, 3), "cpu_seconds": round(self.cpu, 3),
                "cpu_per_wall": round(self.cpu / self.wall, 2) if self.wall else None}


class StageProgress:
    """A ``sync`` progress callback that logs and remembers when each stage ran."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.first: dict[str, float] = {}
        self.last: dict[str, float] = {}
        self._logged = 0.0

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = time.perf_counter()
        self.first.setdefault(stage, now)
        self.last[stage] = now
        if now - self._logged > 20 or done >= total:
            self._logged = now
            log(f"{self.label}: {stage} {done}/{total}")

    def stages(self, started: float) -> dict:
        return {s: {"from_s": round(self.first[s] - started, 3), "to_s": round(self.last[s] - started, 3)}
                for s in self.first}


def prepare_work(work: Path) -> None:
    """A fresh work folder (only ever deletes a folder this script created)."""
    if work.exists():
        if not (work / MARKER).exists():
            raise SystemExit(f"{work} exists and was not made by bench/index.py; choose another --work")
        shutil.rmtree(work)
    work.mkdir(parents=True)
    (work / MARKER).write_text("made by bench/index.py\n")


def write_articles(data_dir: Path, records: list[dict], per_file: int, prefix: str = "ant") -> list[Path]:
    """Records as JSONL files of ``per_file`` articles each."""
    paths = []
    for i in range(0, len(records), per_file):
        path = data_dir / f"{prefix}-{i // per_file:03d}.jsonl"
        write_jsonl(path, records[i:i + per_file])
        paths.append(path)
    return paths


def embed_texts_of(data_dir: Path, paths: list[Path], settings) -> list[str]:
    """The texts ``sync`` embeds for the articles of these files (title + "\\n" + chunk)."""
    from qa.articles import read_file
    from qa.chunking import chunk_article
    from qa.store import embed_text

    texts: dict[str, None] = {}
    for path in paths:
        for article in read_file(path, root=data_dir).articles:
            for chunk in chunk_article(article, max_chars=settings.chunk_chars, overlap=settings.chunk_overlap):
                texts.setdefault(embed_text(article, chunk.text))
    return list(texts)


def raw_encode(embeddings, texts: list[str], batch: int) -> Clock:
    """Time ``embed_passages`` alone on ``texts`` in batches of ``batch``."""
    with Clock() as clock:
        for i in range(0, len(texts), batch):
            embeddings.embed_passages(texts[i:i + batch])
    return clock


def indexed_texts(index_dir: Path) -> list[str]:
    """Every distinct text the index's chunks were embedded from (what the pipeline embedded)."""
    import sqlite3

    from qa.store import embed_text

    conn = sqlite3.connect(index_dir / "qa.sqlite")
    rows = conn.execute(
        'SELECT a.title, a.body, c.start, c."end", c.text_sha256 FROM chunks c '
        "JOIN articles a ON a.id = c.article_id ORDER BY c.rowid").fetchall()
    conn.close()
    seen: dict[str, str] = {}
    for title, body, start, end, sha in rows:
        if sha not in seen:
            text = body[start:end]
            seen[sha] = f"{title}\n{text}" if title else text
    # Same rule as qa.store.embed_text (checked on the first row).
    return list(seen.values())


def build_phase(args, settings, work: Path, records: list[dict], meter: EncoderMeter) -> tuple[dict, Path, Path]:
    """(a) + (e): a fresh build of the first N articles."""
    from qa.store import sync

    data_dir, index_dir = work / "data", work / "index"
    write_articles(data_dir, records, args.per_file)
    meter.reset()
    progress = StageProgress("build")
    rss_before = rss_mb()
    log(f"(a) building a fresh index of {len(records)} articles in {index_dir}")
    with LoadSampler() as sampler, Clock() as clock:
        report = sync(data_dir, index_dir, settings=settings, progress=progress)
    chunks = _count(index_dir, "chunks")
    result = {
        "articles_in_corpus_slice": len(records),
        "articles_indexed": report.articles,
        "skipped": len(report.skipped),
        "chunks": chunks,
        "chunks_embedded": report.chunks_embedded,
        "chunks_cached": report.chunks_cached,
        "duplicate_chunks": report.duplicates,
        **clock.as_dict(),
        "articles_per_second": round(report.articles / clock.wall, 3),
        "chunks_per_second": round(chunks / clock.wall, 3),
        "embedded_chunks_per_second": round(report.chunks_embedded / clock.wall, 3),
        **meter.snapshot(),
        "encoder_share_of_build": round(meter.seconds / clock.wall, 4),
        "non_encoder_seconds": round(clock.wall - meter.seconds, 3),
        "stages": progress.stages(clock.wall0),
        "load_during": sampler.summary(),
        "rss_mb_before_sync": rss_before,
        "peak_rss_mb": peak_rss_mb(),
        "rss_mb_after_sync": rss_mb(),
        "index_dir": str(index_dir),
        "index_size_mb": round(sum(p.stat().st_size for p in index_dir.rglob("*") if p.is_file()) / 2**20, 1),
    }
    log(f"(a) {result['articles_per_second']} articles/s, {result['chunks_per_second']} chunks/s, "
        f"encoder {result['encoder_share_of_build']:.1%} of {clock.wall:.0f} s, peak RSS {result['peak_rss_mb']} MiB")
    return result, data_dir, index_dir


def incremental_phase(args, settings, data_dir: Path, index_dir: Path, new_records: list[dict],
                      embeddings, meter: EncoderMeter) -> dict:
    """(d): add a few new articles to the big index."""
    from qa.store import sync

    path = data_dir / "ant-new.jsonl"
    write_jsonl(path, new_records)
    texts = embed_texts_of(data_dir, [path], settings)
    log(f"(d) {len(new_records)} new articles → {len(texts)} chunk texts; timing the encoder alone, the sync, the encoder again")
    raw1 = raw_encode(embeddings, texts, settings.batch_size)
    meter.reset()
    progress = StageProgress("incremental")
    with Clock() as clock:
        report = sync(data_dir, index_dir, settings=settings, progress=progress)
    in_sync = meter.snapshot()
    raw2 = raw_encode(embeddings, texts, settings.batch_size)
    raw = (raw1.wall + raw2.wall) / 2
    result = {
        "new_articles": len(new_records),
        "added": len(report.added),
        "chunks_embedded": report.chunks_embedded,
        "sync": clock.as_dict(),
        "sync_stages": progress.stages(clock.wall0),
        **{f"sync_{k}": v for k, v in in_sync.items()},
        "raw_encoder_seconds_runs": [round(raw1.wall, 3), round(raw2.wall, 3)],
        "raw_encoder_seconds": round(raw, 3),
        "ratio_sync_to_raw_encoder": round(clock.wall / raw, 3),
        "non_encoder_seconds_in_sync": round(clock.wall - in_sync["encoder_seconds"], 3),
        "target_ratio_max": 1.5,
        "articles_in_index_after": report.articles,
    }
    log(f"(d) incremental sync {clock.wall:.2f} s vs encoder alone {raw:.2f} s → {result['ratio_sync_to_raw_encoder']}×")
    return result


def raw_sample(seed: int, size: int, settings, data_dir: Path) -> list[str]:
    """(b)'s sample: a seeded random choice among the distinct texts the build will embed."""
    texts = embed_texts_of(data_dir, sorted(data_dir.glob("*.jsonl")), settings)
    return random.Random(seed).sample(texts, min(size, len(texts)))


def raw_phase(settings, index_dir: Path, sample: list[str], before: Clock, build: dict, embeddings) -> dict:
    """(b): the raw encoder on a sample of the texts the build embedded, timed before the build
    (``before``) and again now, scaled by characters to everything the build embedded."""
    texts = indexed_texts(index_dir)
    missing = len(set(sample) - set(texts))
    if missing:  # the sample must be texts the build embedded, or (b) compares other work
        raise SystemExit(f"(b): {missing} sampled texts are not among those the build embedded")
    n = len(sample)
    log(f"(b) raw encoder again on the {n} sampled texts (batch {settings.batch_size})")
    with LoadSampler() as sampler:
        after = raw_encode(embeddings, sample, settings.batch_size)
    wall = (before.wall + after.wall) / 2
    share = sum(len(t) for t in texts) / sum(len(t) for t in sample)
    est = wall * share
    result = {
        "method": (f"embed_passages alone, batches of {settings.batch_size}, on a seeded random sample of "
                   f"{n} of the {len(texts)} distinct texts the build embedded (title + '\\n' + chunk), "
                   "timed right before and right after the build; the mean of the two, scaled by characters "
                   "to all the texts the build embedded, against the build's wall time"),
        "sample_texts": n,
        "sample_before_build": before.as_dict(),
        "sample_after_build": after.as_dict(),
        "load_during_after": sampler.summary(),
        "raw_time_estimate_seconds": round(est, 2),
        "raw_time_estimate_before_seconds": round(before.wall * share, 2),
        "raw_time_estimate_after_seconds": round(after.wall * share, 2),
        "pipeline_seconds": build["wall_seconds"],
        "fraction_raw_over_pipeline": round(est / build["wall_seconds"], 4),
        "fraction_before_after": [round(before.wall * share / build["wall_seconds"], 4),
                                  round(after.wall * share / build["wall_seconds"], 4)],
        "fraction_by_cpu_time": round(((before.cpu + after.cpu) / 2 * share) / build["cpu_seconds"], 4),
        "fraction_by_cpu_time_note": "the same ratio with process CPU seconds instead of wall seconds",
        "fraction_in_run": build["encoder_share_of_build"],
        "fraction_in_run_note": ("encoder seconds inside the build / build seconds, both measured in the same run: "
                                 "what the pipeline adds around the encoder, whatever the machine's speed"),
        "target_min": 0.95,
    }
    log(f"(b) fraction {result['fraction_raw_over_pipeline']} (before {result['fraction_before_after'][0]}, "
        f"after {result['fraction_before_after'][1]}; in-run {result['fraction_in_run']})")
    return result


def langchain_phase(args, settings, work: Path, records: list[dict], embeddings, meter: EncoderMeter) -> dict:
    """(c): ours against RecursiveCharacterTextSplitter + FAISS.from_documents, same articles and
    model, in the order ours, LangChain, LangChain, ours: a machine whose speed drifts linearly
    favours neither."""
    import json

    from langchain_community.vectorstores import FAISS
    from langchain_core.documents import Document
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    from qa.store import sync

    data_dir = work / "langchain" / "data"
    paths = write_articles(data_dir, records, args.per_file)
    n = len(records)

    def ours(run: int) -> tuple[dict, Path]:
        index_dir = work / "langchain" / f"index-{run}"  # a fresh folder: a fresh embedding cache
        log(f"(c) ours on {n} articles (run {run})")
        meter.reset()
        with LoadSampler() as sampler, Clock() as clock:
            report = sync(data_dir, index_dir, settings=settings, progress=StageProgress("ours"))
        enc = meter.snapshot()
        return {**clock.as_dict(), "articles_indexed": report.articles, "chunks": _count(index_dir, "chunks"),
                "chunks_embedded": report.chunks_embedded, **enc,
                "non_encoder_seconds": round(clock.wall - enc["encoder_seconds"], 3),
                "articles_per_second": round(report.articles / clock.wall, 3),
                "load_during": sampler.summary()}, index_dir

    def langchain(run: int) -> tuple[dict, list[Document]]:
        # Plain LangChain: read the same files, split the article text, embed and index with FAISS.
        log(f"(c) LangChain on {n} articles (run {run})")
        meter.reset()
        with LoadSampler() as sampler, Clock() as clock:
            with Clock() as split:
                splitter = RecursiveCharacterTextSplitter(chunk_size=settings.chunk_chars,
                                                          chunk_overlap=settings.chunk_overlap)
                docs: list[Document] = []
                for path in paths:
                    with path.open(encoding="utf-8") as handle:
                        for line in handle:
                            if line.strip():
                                record = json.loads(line)
                                docs.append(Document(page_content=record["text"],
                                                     metadata={"title": record.get("title"), "date": record.get("date"),
                                                               "src": record.get("src"), "path": record.get("path")}))
                chunks = splitter.split_documents(docs)
            store = FAISS.from_documents(chunks, embeddings)
        enc = meter.snapshot()
        return {**clock.as_dict(), "split_seconds": round(split.wall, 3), "chunks": store.index.ntotal, **enc,
                "non_encoder_seconds": round(clock.wall - enc["encoder_seconds"], 3),
                "articles_per_second": round(n / clock.wall, 3), "load_during": sampler.summary()}, chunks

    ours1, index_dir = ours(1)
    lc1, lc_chunks = langchain(1)
    lc2, _ = langchain(2)
    ours2, _ = ours(2)
    ours_s = (ours1["wall_seconds"] + ours2["wall_seconds"]) / 2
    lc_s = (lc1["wall_seconds"] + lc2["wall_seconds"]) / 2
    # Counted after every clock stopped: the engine's tokenizer takes ~1 ms a text.
    count = getattr(embeddings, "token_count", None)  # the bundled model's; not every model has one
    ours_tokens = sum(map(count, indexed_texts(index_dir))) if count else None
    lc_tokens = sum(count(c.page_content) for c in lc_chunks) if count else None
    ours_chars = (ours1["encoder_chars"] / ours1["encoder_seconds"] + ours2["encoder_chars"] / ours2["encoder_seconds"]) / 2
    lc_chars = (lc1["encoder_chars"] / lc1["encoder_seconds"] + lc2["encoder_chars"] / lc2["encoder_seconds"]) / 2
    result = {
        "articles": n,
        "order": "ours, LangChain, LangChain, ours",
        "ours": {"runs": [ours1, ours2], "mean_wall_seconds": round(ours_s, 3),
                 "articles_per_second": round(n / ours_s, 3)},
        "langchain": {"runs": [lc1, lc2], "mean_wall_seconds": round(lc_s, 3),
                      "articles_per_second": round(n / lc_s, 3)},
        "ratio_articles_per_second_ours_over_langchain": round(lc_s / ours_s, 3),
        "ratio_per_pair": [round(lc1["wall_seconds"] / ours1["wall_seconds"], 3),
                           round(lc2["wall_seconds"] / ours2["wall_seconds"], 3)],
        "encoder_tokens": {"ours": ours_tokens, "langchain": lc_tokens,
                           "ratio_ours_over_langchain": round(ours_tokens / lc_tokens, 3) if lc_tokens else None,
                           "note": "tokens the encoder reads, 'passage: ' prefix and special tokens included: "
                                   "its time is nearly proportional to them"},
        "ratio_encoder_chars_per_second_ours_over_langchain": round(ours_chars / lc_chars, 3),
        "target_min": 1.0,
        "differences": [
            "ours embeds title + '\\n' + chunk (the title carries the subject); LangChain embeds the chunk alone, "
            "so ours sends more characters per chunk to the encoder (encoder_chars)",
            "ours chunks whole sentences (<= 700 chars, sentence overlap <= 150) of the cleaned body "
            "(boilerplate removed); LangChain cuts the raw text field at paragraph/line/word separators (700/150)",
            "ours also writes SQLite rows (articles, chunks, files), the embedding cache, BM25 and an fsynced "
            "atomic generation; LangChain builds an in-memory FAISS IndexFlatL2 + docstore and writes nothing",
            f"ours calls the encoder in batches of {settings.batch_size}; FAISS.from_documents passes all "
            "texts in one embed_documents call (the same Embeddings object, which shares a batch out among "
            "the cores either way)",
            "both run in the same process, each run with a cold cache",
        ],
    }
    log(f"(c) ours {n / ours_s:.2f} art/s, LangChain {n / lc_s:.2f} art/s "
        f"→ {result['ratio_articles_per_second_ours_over_langchain']}× (pairs {result['ratio_per_pair']})")
    shutil.rmtree(work / "langchain", ignore_errors=True)
    return result


def batch_sweep_phase(args, settings, index_dir: Path, embeddings) -> dict:
    """Encoder throughput against batch size on the same texts, alternating runs (load drift)."""
    texts = random.Random(args.seed + 1).sample(indexed_texts(index_dir), args.sweep_texts)
    sizes = [int(x) if x != "all" else len(texts) for x in args.batch_sweep.split(",")]
    runs: dict[str, list[dict]] = {str(b): [] for b in sizes}
    for round_no in range(2):
        for b in sizes:
            with LoadSampler(interval=2) as sampler:
                clock = raw_encode(embeddings, texts, b)
            runs[str(b)].append({**clock.as_dict(), "texts_per_second": round(len(texts) / clock.wall, 3),
                                 **sampler.summary()})
            log(f"sweep: batch {b}: {len(texts) / clock.wall:.2f} texts/s (cpu/wall {clock.cpu / clock.wall:.2f})")
    return {"texts": len(texts), "runs": runs,
            "note": "embed_passages on one seeded sample, each batch size twice in alternation"}


def _count(index_dir: Path, table: str) -> int:
    import sqlite3

    conn = sqlite3.connect(index_dir / "qa.sqlite")
    try:
        return conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
    finally:
        conn.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Benchmark qa's indexing (qa.store.sync) on the ANT Arabic news corpus.",
        epilog="Example: python bench/index.py --articles 2000 (keeps the index for bench/query.py)")
    parser.add_argument("--articles", type=int, default=2000, help="articles for the full build (default 2000)")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help=f"corpus JSONL(.gz) (default {DEFAULT_CORPUS})")
    parser.add_argument("--work", type=Path, default=None,
                        help="work folder for data and index, recreated (default /tmp/qa-bench/index-N)")
    parser.add_argument("--per-file", type=int, default=500, help="articles per JSONL data file (default 500)")
    parser.add_argument("--new-articles", type=int, default=10, help="articles added incrementally in (d) (default 10)")
    parser.add_argument("--raw-sample", type=int, default=300, help="texts timed through the raw encoder in (b) (default 300)")
    parser.add_argument("--langchain-articles", type=int, default=200,
                        help="articles for the LangChain comparison (c); 0 skips it (default 200)")
    parser.add_argument("--batch-sweep", default="8,32,all",
                        help="batch sizes compared on the same texts after the other phases ('' skips; default 8,32,all)")
    parser.add_argument("--sweep-texts", type=int, default=64, help="texts in the batch sweep (default 64)")
    parser.add_argument("--only-batch-sweep", action="store_true",
                        help="run only the batch sweep on the index in --work and add it to --out")
    parser.add_argument("--only-incremental-on", type=Path, default=None, metavar="WORK",
                        help="run only (d) on another benchmark's folder (WORK/data, WORK/index; e.g. the 100k "
                             "index of bench/query.py, /tmp/qa-bench/big) with retitled corpus articles, and add it to --out")
    parser.add_argument("--seed", type=int, default=0, help="seed of the (b) sample (default 0)")
    parser.add_argument("--out", type=Path, default=RESULTS / "index.json", help="results JSON (default bench/results/index.json)")
    args = parser.parse_args(argv)

    from qa.config import Settings
    from qa.embeddings import load_embeddings

    work = args.work or Path(f"/tmp/qa-bench/index-{args.articles}")
    settings = Settings()
    if args.only_incremental_on:
        import json

        results = json.loads(args.out.read_text(encoding="utf-8")) if args.out.exists() else {}
        embeddings = load_embeddings(settings.model, batch_size=settings.batch_size)
        embeddings.embed_passages(["تسخين", "warm-up"])
        meter = EncoderMeter(embeddings)
        # Articles the folder already holds, under a new title: new chunk texts, so really embedded.
        new = [dict(r, title="تحديث: " + (r.get("title") or "")) for r in
               corpus_records(args.corpus, start=args.articles, limit=args.new_articles)]
        work = args.only_incremental_on
        before = _count(work / "index", "chunks")
        part = incremental_phase(args, settings, work / "data", work / "index", new, embeddings, meter)
        results[f"d_incremental_at_{before}_chunks"] = {**part, "index_chunks_before": before,
                                                        "machine_load_at_start": load()}
        write_results(args.out, results)
        return 0
    if args.only_batch_sweep:
        import json

        results = json.loads(args.out.read_text(encoding="utf-8")) if args.out.exists() else {}
        embeddings = load_embeddings(settings.model, batch_size=settings.batch_size)
        embeddings.embed_passages(["تسخين", "warm-up"])
        results["batch_sweep"] = {**batch_sweep_phase(args, settings, work / "index", embeddings),
                                  "machine_load_at_start": load()}
        write_results(args.out, results)
        return 0
    prepare_work(work)
    log(f"reading {args.articles + args.new_articles} articles from {args.corpus}")
    records = list(corpus_records(args.corpus, limit=args.articles + args.new_articles))
    base, new = records[:args.articles], records[args.articles:]

    started = time.perf_counter()
    results: dict = {"benchmark": "index", "machine": machine_info(),
                     "settings": {"model": settings.model, "chunk_chars": settings.chunk_chars,
                                  "chunk_overlap": settings.chunk_overlap, "batch_size": settings.batch_size},
                     "args": {k: str(v) for k, v in vars(args).items()}}
    with Clock() as model_clock:
        embeddings = load_embeddings(settings.model, batch_size=settings.batch_size)
        embeddings.embed_passages(["تسخين", "warm-up"])  # start the encoder's threads
    results["model_load_seconds"] = round(model_clock.wall, 3)
    results["model_load_note"] = "the model is loaded (and warmed up) before the timed runs; sync reuses it"
    meter = EncoderMeter(embeddings)

    sample_data = work / "sample-data"  # the build's own files are written by build_phase
    write_articles(sample_data, base, args.per_file)
    # In a child process: reading and chunking every article here would count in (e)'s peak RSS.
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as child:
        sample = child.submit(raw_sample, args.seed, args.raw_sample, settings, sample_data).result()
    shutil.rmtree(sample_data)
    log(f"(b) raw encoder on {len(sample)} texts the build will embed, before the build")
    raw_before = raw_encode(embeddings, sample, settings.batch_size)
    results["a_build"], data_dir, index_dir = build_phase(args, settings, work, base, meter)
    results["e_peak_rss_mb"] = results["a_build"]["peak_rss_mb"]
    write_results(args.out, results)
    if new:
        results["d_incremental"] = incremental_phase(args, settings, data_dir, index_dir, new, embeddings, meter)
        write_results(args.out, results)
    results["b_raw_encoder"] = raw_phase(settings, index_dir, sample, raw_before, results["a_build"], embeddings)
    write_results(args.out, results)
    if args.langchain_articles > 0:
        results["c_langchain"] = langchain_phase(args, settings, work, base[:args.langchain_articles],
                                                 embeddings, meter)
    if args.batch_sweep:
        results["batch_sweep"] = batch_sweep_phase(args, settings, index_dir, embeddings)
    results["total_seconds"] = round(time.perf_counter() - started, 1)
    results["load_average_at_end"] = load()
    results["peak_rss_mb_whole_benchmark"] = peak_rss_mb()
    results["index_dir"] = str(index_dir)
    write_results(args.out, results)
    log(f"done in {results['total_seconds']} s; index kept in {index_dir} (for bench/query.py --index)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
