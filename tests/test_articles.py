"""Tests for qa.articles: real files in a temp folder, read back as articles or skip records."""

from __future__ import annotations

import codecs
import datetime
import json
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qa.articles import (
    Article,
    ArticleError,
    ReadResult,
    decode,
    iter_article_files,
    parse_date,
    read_bytes,
    read_file,
)

SEEDS = Path(__file__).resolve().parent.parent / "data" / "articles"
SEED_000 = "000_e8a0a6e2dc4f0eda.txt"
SEED_003 = "003_364726c1157b4527.txt"

ARABIC_ARTICLE = (
    "توقيع اتفاقية تعاون عسكري بين ليبيا وإيطاليا\n"
    "تاريخ النشر: 2024-03-01\n"
    "وقعت ليبيا وإيطاليا اتفاقيات تعاون عسكري في مختلف المجالات، بما في ذلك التدريب المشترك.\n"
    "وقال الوزير إن الاتفاقية تشمل أيضا التعاون في مجال الطب.\n"
    "المصدر: وكالة الأنباء الليبية\n"
)


def write(folder: Path, name: str, data: bytes | str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
    return path


def read(folder: Path, name: str, data: bytes | str, **kwargs: int) -> ReadResult:
    return read_file(write(folder, name, data), root=folder, **kwargs)


def only_article(result: ReadResult) -> Article:
    assert result.skipped == []
    assert len(result.articles) == 1
    return result.articles[0]


# ---------------------------------------------------------------- seeds


def test_seed_000_read_also_section_is_a_second_article_without_inherited_metadata(
    tmp_path: Path,
) -> None:
    shutil.copy(SEEDS / SEED_000, tmp_path / SEED_000)
    result = read_file(tmp_path / SEED_000, root=tmp_path)

    assert result.skipped == []
    first, second = result.articles
    assert first.id == f"{SEED_000}#0" and second.id == f"{SEED_000}#1"
    assert first.title == "ليبيا وتركيا توقعان مذكرة تفاهم للتعاون العسكري"
    assert first.published == datetime.date(2024, 3, 1)
    assert first.source == "بوابة الفجر"
    assert "تاريخ النشر: 1st, March 2024 GMT" in first.body
    assert "المصدر: بوابة الفجر" in first.body
    assert "كلمات دلالية" not in first.body and "إقرأ أيضاً" not in first.body
    assert not first.body.startswith(first.title)
    assert second.title == ("المرعاش: حكومة الاستقرار كسرت احتكار الدبيبة للعلاقات الخارجية.. "
                            "وبيلاروسيا مكسب لليبيين")
    assert second.published is None and second.source is None
    assert second.body.startswith("ليبيا – أكد المحلل السياسي كامل المرعاش")
    assert "واتفاقيات بيلاروسيا مكسب" not in second.body  # the repeated headline is gone
    assert first.lang == second.lang == "ar"


def test_seed_003_skips_section_label_and_drops_comment_form_and_back_to_top(
    tmp_path: Path,
) -> None:
    shutil.copy(SEEDS / SEED_003, tmp_path / SEED_003)
    article = only_article(read_file(tmp_path / SEED_003, root=tmp_path))

    assert article.title == "توقيع اتفاقية تعاون عسكري بين ليبيا وإيطاليا"
    assert article.source == "وكالة ايسنا للأنباء"
    assert article.published is None
    assert article.body.startswith("وقعت ليبيا وإيطاليا اتفاقيات تعاون عسكري")
    assert article.body.endswith("المصدر : وكالة ايسنا للأنباء.")
    for furniture in ("عالمي\n", "اترك تعليقاً", "لن يتم نشر عنوان بريدك", "زر الذهاب إلى الأعلى"):
        assert furniture not in article.body


def test_ids_are_stable_across_rereads(tmp_path: Path) -> None:
    shutil.copy(SEEDS / SEED_000, tmp_path / SEED_000)
    first = read_file(tmp_path / SEED_000, root=tmp_path)
    again = read_file(tmp_path / SEED_000, root=tmp_path)
    assert first == again
    assert [a.id for a in first.articles] == [f"{SEED_000}#0", f"{SEED_000}#1"]


# ---------------------------------------------------------------- encodings and bad files


def test_windows_1256_file_reads_identically_to_utf8(tmp_path: Path) -> None:
    utf8 = read(tmp_path, "utf8.txt", ARABIC_ARTICLE.encode("utf-8"))
    cp1256 = read(tmp_path, "cp1256.txt", ARABIC_ARTICLE.encode("cp1256"))
    assert [(a.title, a.published, a.source, a.body) for a in cp1256.articles] == [
        (a.title, a.published, a.source, a.body) for a in utf8.articles
    ]
    assert only_article(utf8).published == datetime.date(2024, 3, 1)


def test_short_windows_1256_arabic_is_decoded_as_arabic() -> None:
    assert decode("وقعت ليبيا الاتفاقية.".encode("cp1256")) == "وقعت ليبيا الاتفاقية."


def test_utf8_bom_is_stripped_and_crlf_becomes_newline(tmp_path: Path) -> None:
    data = codecs.BOM_UTF8 + ARABIC_ARTICLE.replace("\n", "\r\n").encode("utf-8")
    article = only_article(read(tmp_path, "bom.txt", data))
    assert article.title == "توقيع اتفاقية تعاون عسكري بين ليبيا وإيطاليا"
    assert "\r" not in article.body and "\ufeff" not in article.body


def test_utf16_with_bom_is_decoded() -> None:
    assert decode("ليبيا\nتركيا".encode("utf-16")) == "ليبيا\nتركيا"


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("empty.txt", b"", "empty file"),
        ("blank.txt", b" \n\n\t ", "empty file"),
        ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "binary file (not text)"),
        ("garbage.txt", bytes(range(128, 256)) * 3, "not valid UTF-8 or Windows-1256 text"),
        ("report.pdf", b"%PDF-1.4", "unsupported file type .pdf"),
        ("furniture.txt", "زر الذهاب إلى الأعلى\nشارك\n", "no article text after removing"
                                                          " boilerplate"),
    ],
)
def test_unreadable_files_are_skipped_with_a_reason(
    tmp_path: Path, name: str, data: bytes | str, reason: str
) -> None:
    result = read(tmp_path, name, data)
    assert result.articles == []
    assert [(s.path, s.reason) for s in result.skipped] == [(name, reason)]


def test_oversized_file_is_skipped_with_its_size_and_the_limit(tmp_path: Path) -> None:
    result = read(tmp_path, "big.txt", ARABIC_ARTICLE * 10, max_bytes=1024)
    assert result.articles == []
    (skip,) = result.skipped
    assert skip.reason.startswith("file is ")
    assert skip.reason.endswith("over the 1 KB limit (QA_MAX_FILE_MB)")


def test_decode_raises_article_error_for_binary() -> None:
    with pytest.raises(ArticleError, match="binary"):
        decode(b"\x00\x01\x02abc")


# ---------------------------------------------------------------- text and markdown


def test_markdown_heading_is_the_title_and_metadata_lines_stay_in_body(tmp_path: Path) -> None:
    text = ("# Libya and Italy sign a defence pact\n\n**Published:** March 1st, 2024\n"
            "Source: Example News.\n\nThe two countries signed the pact on Friday.\n"
            "Tags: libya, italy\nShare on Facebook\nBack to top\n")
    article = only_article(read(tmp_path, "en.md", text))
    assert article.title == "Libya and Italy sign a defence pact"
    assert article.published == datetime.date(2024, 3, 1)
    assert article.source == "Example News"
    assert article.lang == "en"
    assert article.body == ("**Published:** March 1st, 2024\nSource: Example News.\n\n"
                            "The two countries signed the pact on Friday.")


def test_read_also_section_with_its_own_date_gets_that_date(tmp_path: Path) -> None:
    text = (ARABIC_ARTICLE + "اقرأ أيضا: تركيا تستضيف مناورات بحرية\n"
            "تاريخ النشر : 5 أبريل 2024\nأعلنت تركيا استضافة مناورات بحرية مشتركة.\n")
    first, second = read(tmp_path, "two.txt", text).articles
    assert second.title == "تركيا تستضيف مناورات بحرية"
    assert second.published == datetime.date(2024, 4, 5)
    assert second.source is None
    assert first.published == datetime.date(2024, 3, 1)


# ---------------------------------------------------------------- HTML


def test_malformed_html_still_gives_title_and_text(tmp_path: Path) -> None:
    html = ("<html><head><title>ليبيا وتركيا | بوابة الفجر</title>"
            '<meta property="og:site_name" content="بوابة الفجر">'
            "<body><div><p>وقع رئيس حكومة الوحدة <b>الوطنية</b> مذكرة تفاهم.<p>وناقش الطرفان"
            " أوجه التعاون<div>تاريخ النشر: 1st, March 2024 GMT")
    article = only_article(read(tmp_path, "page.html", html))
    assert article.title == "ليبيا وتركيا"
    assert article.source == "بوابة الفجر"
    assert article.published == datetime.date(2024, 3, 1)
    assert article.body.split("\n") == [
        "وقع رئيس حكومة الوحدة الوطنية مذكرة تفاهم.",
        "وناقش الطرفان أوجه التعاون",
        "تاريخ النشر: 1st, March 2024 GMT",
    ]


def test_html_drops_scripts_navigation_and_uses_article_metadata(tmp_path: Path) -> None:
    html = """<!doctype html><html><head>
      <meta property="og:title" content="Libya signs pact">
      <meta property="article:published_time" content="2024-03-01T09:30:00+02:00">
      <script>var tracking = "do not index";</script><style>p {color: red}</style></head>
      <body><nav>Home | World</nav><header>Site header</header>
      <article><h1>Libya signs pact</h1><p>Libya signed a pact with Italy.</p>
      <script>alert("x")</script><p>It covers training.</p>
      <form>Leave a comment</form></article><footer>Back to top</footer></body></html>"""
    article = only_article(read(tmp_path, "page.htm", html))
    assert article.title == "Libya signs pact"
    assert article.published == datetime.date(2024, 3, 1)
    assert article.body == "Libya signed a pact with Italy.\nIt covers training."


# ---------------------------------------------------------------- JSON, JSONL, CSV


def test_json_list_gives_one_article_per_object(tmp_path: Path) -> None:
    records = [
        {"headline": "أول", "content": "نص المقال الأول.", "published_at": "2024-03-01",
         "source": {"id": None, "name": "BBC عربي"}},
        {"title": "ثان", "body": "نص المقال الثاني.", "outlet": "الجزيرة"},
        {"title": "بلا نص"},
    ]
    result = read(tmp_path, "list.json", json.dumps(records, ensure_ascii=False))
    assert [(a.id, a.title, a.published, a.source, a.body) for a in result.articles] == [
        ("list.json#0", "أول", datetime.date(2024, 3, 1), "BBC عربي", "نص المقال الأول."),
        ("list.json#1", "ثان", None, "الجزيرة", "نص المقال الثاني."),
    ]
    assert [s.path for s in result.skipped] == ["list.json#record 3"]


def test_jsonl_malformed_line_is_reported_and_other_lines_kept(tmp_path: Path) -> None:
    lines = [
        json.dumps({"title": "أ", "text": "نص أول."}, ensure_ascii=False),
        json.dumps({"title": "ب", "text": "نص ثان."}, ensure_ascii=False),
        '{"title": "ج", "text": ',
        json.dumps({"title": "د", "text": "نص رابع."}, ensure_ascii=False),
    ]
    result = read(tmp_path, "feed.jsonl", "\n".join(lines) + "\n")
    assert [a.id for a in result.articles] == ["feed.jsonl#0", "feed.jsonl#1", "feed.jsonl#3"]
    (skip,) = result.skipped
    assert skip.path == "feed.jsonl#line 3"
    assert skip.reason.startswith("line 3: malformed JSON (")


def test_ant_corpus_lines_map_src_date_title_and_text(tmp_path: Path) -> None:
    def ant(n: int, text: str) -> str:
        return json.dumps({
            "path": f"Alarabia/politics/AL-politics-{n}-20180218.txt",
            "docno": f"AL-politics-{n}-20180218", "url": f"http://www.alarabiya.net/{n}.html",
            "src": "alarabia", "cat": "politics", "title": f"عنوان الخبر {n}",
            "time": "Sun, 18 Feb 2018 21:35:43 +0400", "author": "القاهرة - أحمد",
            "abstract": text[:20], "text": text, "date": "2018-02-18",
        }, ensure_ascii=False)

    body = "يبدو أن الصراع بين المدربين سيشهد تحدياً.\nوشهدت حلقة السبت تكوين عصابة نسائية."
    data = "\n".join(ant(n, body) for n in range(3))
    result = read(tmp_path, "ant.jsonl", data)
    assert result.skipped == []
    assert [a.id for a in result.articles] == [f"ant.jsonl#{n}" for n in range(3)]
    article = result.articles[0]
    assert (article.title, article.published, article.source, article.body, article.lang) == (
        "عنوان الخبر 0", datetime.date(2018, 2, 18), "alarabia", body, "ar")


def test_csv_bad_row_is_reported_and_other_rows_kept(tmp_path: Path) -> None:
    data = ("title;text;date;source\n"
            "اتفاقية;وقعت ليبيا وتركيا مذكرة تفاهم.;2024-03-01;بوابة الفجر\n"
            "صف ناقص;نص فقط\n"
            '"عنوان ثالث";"نص فيه ; فاصلة منقوطة\nوسطر ثان.";2019-11-27;الأناضول\n')
    result = read(tmp_path, "table.csv", data)
    assert [(a.id, a.title, a.published) for a in result.articles] == [
        ("table.csv#0", "اتفاقية", datetime.date(2024, 3, 1)),
        ("table.csv#2", "عنوان ثالث", datetime.date(2019, 11, 27)),
    ]
    assert result.articles[1].body == "نص فيه ; فاصلة منقوطة\nوسطر ثان."
    assert [(s.path, s.reason) for s in result.skipped] == [
        ("table.csv#row 2", "row 2: expected 4 fields, found 2")]


def test_csv_without_text_column_is_skipped(tmp_path: Path) -> None:
    result = read(tmp_path, "meta.csv", "title,date\nعنوان,2024-03-01\n")
    assert result.articles == []
    assert result.skipped[0].reason.startswith("CSV header has no text column")


# ---------------------------------------------------------------- folders and dates


def test_iter_article_files_is_sorted_recursive_and_skips_hidden_and_other_types(
    tmp_path: Path,
) -> None:
    for name in ("b.txt", "a/z.md", "a/y.JSON", ".hidden.txt", ".git/x.txt", "notes.pdf"):
        write(tmp_path, name, "x")
    found = [p.relative_to(tmp_path).as_posix() for p in iter_article_files(tmp_path)]
    assert found == ["a/y.JSON", "a/z.md", "b.txt"]


def test_iter_article_files_on_missing_folder_raises_article_error(tmp_path: Path) -> None:
    with pytest.raises(ArticleError, match="data folder not found"):
        list(iter_article_files(tmp_path / "missing"))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1st, March 2024 GMT", datetime.date(2024, 3, 1)),
        ("2024-03-01T10:00:00Z", datetime.date(2024, 3, 1)),
        ("Sun, 18 Feb 2018 21:35:43 +0400", datetime.date(2018, 2, 18)),
        ("١ مارس ٢٠٢٤", datetime.date(2024, 3, 1)),
        ("منذ ساعتين", None),
        ("March 2024", None),
        ("", None),
    ],
)
def test_parse_date_reads_absolute_dates_only(value: str, expected: datetime.date | None) -> None:
    assert parse_date(value) == expected


# ---------------------------------------------------------------- robustness


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=400),
       suffix=st.sampled_from([".txt", ".md", ".html", ".json", ".jsonl", ".csv"]))
def test_read_bytes_never_raises_on_random_bytes(data: bytes, suffix: str) -> None:
    result = read_bytes(data, f"fuzz{suffix}")
    assert result.articles or result.skipped
    for article in result.articles:
        assert article.body and article.body == article.body.strip()


def test_html_read_also_paragraph_starts_another_article(tmp_path: Path) -> None:
    html = """<html><head><meta property="og:title" content="عنوان رئيسي - الوسط">
      <meta property="og:site_name" content="الوسط"></head><body><main>
      <h1>عنوان رئيسي</h1><time datetime="2023-10-03">3 أكتوبر</time>
      <p>فقرة أولى عن <a href="#">الاتفاق</a>
         العسكري.</p><p>إقرأ أيضا: عنوان آخر</p><p>نص المقال الآخر.</p></main></body></html>"""
    first, second = read(tmp_path, "page.html", html).articles
    assert (first.title, first.source, first.published) == (
        "عنوان رئيسي", "الوسط", datetime.date(2023, 10, 3))
    assert first.body == "3 أكتوبر\nفقرة أولى عن الاتفاق العسكري."
    assert (second.id, second.title, second.source, second.published, second.body) == (
        "page.html#1", "عنوان آخر", None, None, "نص المقال الآخر.")


def test_file_with_no_records_is_skipped(tmp_path: Path) -> None:
    assert read(tmp_path, "empty.json", "[]").skipped[0].reason == "no article records in the file"
