"""Uploads: safe names, no silent overwrite, limits, and a real incremental sync into an index."""

from __future__ import annotations

import shutil

import pytest

from qa.config import Settings
from qa.uploads import MAX_FILES, UploadRejected, place_file, sanitize_name, save_and_index

from .conftest import SEEDS, TURKEY_2024

NEW_ARTICLE = """مصر وليبيا توقعان اتفاقية للربط الكهربائي
تاريخ النشر: 5 مايو 2024
المصدر: وكالة الاختبار
وقعت مصر وليبيا اليوم اتفاقية للربط الكهربائي بين البلدين في مدينة بنغازي.
وقال وزير الكهرباء إن المشروع يكتمل خلال عامين.
"""


@pytest.mark.parametrize("raw, safe", [
    ("../../etc/مقال جديد.TXT", "مقال جديد.txt"),
    ("C:\\Users\\x\\news.md", "news.md"),
    ("a\x00b\x1fc.txt", "abc.txt"),
    ("CON.txt", "_CON.txt"),
    ("com1.json", "_com1.json"),
    ("...hidden.txt", "hidden.txt"),
    ('q<u>o:t"e|s?*.html', "q_u_o_t_e_s__.html"),
    ("x\u202etxt.csv", "xtxt.csv"),
    ("  two   spaces .jsonl", "two spaces.jsonl"),
])
def test_names_are_sanitised(raw, safe):
    assert sanitize_name(raw) == safe


@pytest.mark.parametrize("raw", ["evil.exe", "archive.tar.gz", ".txt", "..", "noext", "", "/"])
def test_unusable_names_are_rejected(raw):
    with pytest.raises(UploadRejected):
        sanitize_name(raw)


def test_long_names_are_shortened_within_the_byte_limit():
    name = sanitize_name("م" * 300 + ".txt")
    assert name.endswith(".txt") and len(name.encode()) <= 200


def test_same_name_same_bytes_is_a_no_op_and_different_bytes_get_a_new_name(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "a.txt").write_text("first", encoding="utf-8")
    same = tmp_path / "same.txt"
    same.write_text("first", encoding="utf-8")
    other = tmp_path / "other.txt"
    other.write_text("second", encoding="utf-8")
    assert place_file(same, "a.txt", data) == ("a.txt", False)
    assert place_file(other, "a.txt", data) == ("a-2.txt", True)
    assert (data / "a.txt").read_text(encoding="utf-8") == "first"
    assert place_file(other, "a.txt", data) == ("a-2.txt", False)  # not a-3: same bytes
    assert sorted(p.name for p in data.iterdir()) == ["a-2.txt", "a.txt"]


def test_upload_is_saved_indexed_and_reported(tmp_path):
    data = tmp_path / "articles"
    shutil.copytree(SEEDS, data)
    settings = Settings(data_dir=data, index_dir=tmp_path / "index", max_upload_mb=1)
    incoming = tmp_path / "in"
    incoming.mkdir()
    (incoming / "electricity.txt").write_text(NEW_ARTICLE, encoding="utf-8")
    (incoming / "big.txt").write_bytes(b"x" * (2 * 2**20))
    (incoming / "tool.exe").write_bytes(b"MZ")
    (incoming / "empty.txt").write_bytes(b"")
    stages: list[str] = []
    files = [("../electricity.txt", incoming / "electricity.txt"), ("big.txt", incoming / "big.txt"),
             ("tool.exe", incoming / "tool.exe"), ("empty.txt", incoming / "empty.txt"),
             (TURKEY_2024, SEEDS / TURKEY_2024)]
    report = save_and_index(files, settings=settings,
                            progress=lambda stage, done, total: stages.append(stage))
    assert report.saved == [("../electricity.txt", "electricity.txt")]
    assert report.unchanged == [TURKEY_2024]
    assert set(report.rejected) == {"big.txt", "tool.exe", "empty.txt"}
    assert "MB upload limit" in report.rejected["big.txt"]
    assert "electricity.txt#0" in report.added
    assert {"save", "read", "embed", "write"} <= set(stages)
    assert not (data / "big.txt").exists() and not (data / "tool.exe").exists()
    assert not [p for p in data.iterdir() if p.name.startswith(".")]  # no temp files left

    from qa import Assistant

    answer = Assistant.open(settings.index_dir).ask("متى وقعت مصر وليبيا اتفاقية الربط الكهربائي؟")
    assert any(c.hit.article.path == "electricity.txt" for c in answer.citations)


def test_reuploading_the_same_files_changes_nothing(tmp_path):
    data = tmp_path / "articles"
    shutil.copytree(SEEDS, data)
    settings = Settings(data_dir=data, index_dir=tmp_path / "index")
    report = save_and_index([(TURKEY_2024, SEEDS / TURKEY_2024)], settings=settings)
    assert report.unchanged == [TURKEY_2024] and not report.saved and not report.added


def test_too_many_files_are_refused_beyond_the_limit(tmp_path):
    data = tmp_path / "articles"
    data.mkdir()
    files = []
    for i in range(MAX_FILES + 2):
        path = tmp_path / f"f{i}.txt"
        path.write_text(f"عنوان {i}\nنص الخبر رقم {i} عن ليبيا.\n", encoding="utf-8")
        files.append((path.name, path))
    report = save_and_index(files, settings=Settings(data_dir=data, index_dir=tmp_path / "index"))
    assert len(report.saved) == MAX_FILES and len(report.rejected) == 2
    assert all("at most" in why for why in report.rejected.values())
