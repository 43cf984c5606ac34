"""`qa eval`: the checks on hand-made answers, then both formats end to end on a real index."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from qa.answer import Answer, Citation
from qa.config import Settings
from qa.evaluation import DevQuestion, check_dev, clean_question, detect_format, run_eval
from qa.retrieval import Hit
from qa.store import StoredArticle, StoredChunk

from .conftest import run_qa

BODY = "التقى الدبيبة وزير الدفاع التركي في مدينة أنطاليا التركية. ووقع الجانبان مذكرة تفاهم."


def _answer(text: str, *, found: bool = True, dates: tuple[date, ...] = (), cite: bool = True) -> Answer:
    """An answer citing the first sentence of BODY (no model, no index)."""
    article = StoredArticle(id="a.txt#0", path="a.txt", title="t", published=None, source=None,
                            body=BODY, lang="ar")
    chunk = StoredChunk(rowid=1, id="a.txt#0:0", article_id=article.id, n=0, start=0, end=len(BODY))
    hit = Hit(rank=1, score=1.0, article=article, chunk=chunk, dense=1.0, lexical=1.0)
    citations = [Citation(n=1, hit=hit, quote_start=0, quote_end=BODY.index(".") + 1)] if cite else []
    return Answer(question="q", text=text, language="ar", found=found, dates=list(dates),
                  citations=citations)


def _question(**fields) -> DevQuestion:
    base = dict(id="x", lang="ar", question="q", answers=(), dates=(), evidence=(), answerable=True)
    return DevQuestion(**{**base, **fields})


def test_checks_pass_after_normalisation_and_an_iso_date_counts_from_answer_dates() -> None:
    q = _question(answers=("انطاليا", "2019-11-27"), dates=("2019-11-27",),
                  evidence=("مدينة انطاليا التركيه",))
    result = check_dev(q, _answer("في أنطاليا [1]", dates=(date(2019, 11, 27),)))
    assert result["checks"] == {"answer": True, "evidence": True, "dates": True, "refusal": True}
    assert result["passed"] and result["missing_evidence"] == [] and result["missing_dates"] == []


def test_each_wrong_expectation_fails_its_own_check_and_says_what_is_missing() -> None:
    q = _question(answers=("باريس",), dates=("2022-10-03",), evidence=("مدينة باريس",))
    result = check_dev(q, _answer("في أنطاليا [1]", dates=(date(2019, 11, 27),)))
    assert result["checks"] == {"answer": False, "evidence": False, "dates": False, "refusal": True}
    assert not result["passed"]
    assert result["missing_evidence"] == ["مدينة باريس"]
    assert result["missing_dates"] == ["2022-10-03"] and result["extra_dates"] == ["2019-11-27"]


def test_an_unanswerable_question_passes_only_when_refused_without_citations() -> None:
    q = _question(answerable=False)
    refused = check_dev(q, _answer("لا جواب.", found=False, cite=False))
    cited_refusal = check_dev(q, _answer("لا جواب. [1]", found=False))
    assert refused["passed"] and refused["checks"]["answer"] is None
    assert cited_refusal["checks"]["refusal"] is False and not cited_refusal["passed"]
    assert check_dev(_question(answers=("أنطاليا",)), _answer("لا جواب.", found=False))["checks"]["refusal"] is False


def test_arcd_questions_lose_the_leading_dash_but_keep_their_words() -> None:
    assert clean_question(" - متى غادر خاشقجي السعودية؟ ال") == "متى غادر خاشقجي السعودية؟ ال"
    assert clean_question(" - ما هي الحدود في الشرق؟ ") == "ما هي الحدود في الشرق؟"


def test_the_format_is_told_from_the_content_and_an_unknown_one_is_an_error_listing_both() -> None:
    assert detect_format('{"id": "a", "question": "q"}\n{"id": "b", "question": "r"}\n') == "dev"
    assert detect_format('{"id": "a", "question": "q"}') == "dev"
    assert detect_format(json.dumps({"version": "1.1", "data": []})) == "squad"
    with pytest.raises(ValueError, match="dev, squad"):
        detect_format("question,answer\nq,a\n")


def _dev_file(tmp_path: Path) -> Path:
    rows = [
        {"id": "ok", "lang": "ar", "question": "أين التقى الدبيبة وزير الدفاع التركي؟",
         "answers": ["أنطاليا"], "dates": [], "evidence": [], "answerable": True},
        {"id": "wrong", "lang": "en", "question": "Where did Dbeibah meet the Turkish defence minister?",
         "answers": ["Reykjavik"], "dates": ["1999-01-01"], "evidence": ["مدينة ريكيافيك"],
         "answerable": True},
        {"id": "none", "lang": "en", "question": "Did Libya sign a military agreement with France?",
         "answers": [], "dates": [], "evidence": [], "answerable": False},
    ]
    path = tmp_path / "dev.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def test_dev_eval_writes_both_reports_and_a_wrong_expectation_fails(seed_index: Path, tmp_path: Path) -> None:
    out = tmp_path / "report"
    report = run_eval(_dev_file(tmp_path), settings=Settings(index_dir=seed_index), out_dir=out)
    summary = report["summary"]
    assert summary["format"] == "dev" and summary["questions"] == 3
    assert set(summary["checks"]) == {"answer", "evidence", "dates", "refusal"}
    assert summary["checks"]["refusal"]["applicable"] == 3 and summary["checks"]["dates"]["applicable"] == 1
    assert set(summary["by_language"]) == {"ar", "en"}
    assert set(summary["ask_seconds"]) == {"mean", "p50", "p95"}
    wrong = next(i for i in report["items"] if i["id"] == "wrong")
    assert not wrong["passed"]
    assert wrong["checks"]["answer"] is False and wrong["checks"]["dates"] is False
    assert wrong["missing_evidence"] == ["مدينة ريكيافيك"] and wrong["missing_dates"] == ["1999-01-01"]
    assert summary["passed"] <= 2 and "refusal right" in report["table"]
    saved = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert saved["summary"] == summary and len(saved["items"]) == 3
    markdown = (out / "report.md").read_text(encoding="utf-8")
    assert "| answer correct |" in markdown and "### wrong (en)" in markdown


SQUAD = {"version": "1.1", "data": [
    {"title": "أنطاليا", "paragraphs": [{"context": (
        "أنطاليا مدينة تركية على ساحل البحر المتوسط، وهي من أكثر المدن التركية جذبا للسياح. "
        "يبلغ عدد سكانها أكثر من مليوني نسمة."), "qas": [
        {"id": "q1", "question": " - كم يبلغ عدد سكان أنطاليا؟ ال",
         "answers": [{"text": "أكثر من مليوني نسمة", "answer_start": 0}]}]}]},
    {"title": "النيل", "paragraphs": [{"context": (
        "نهر النيل أطول أنهار العالم، ويجري من الجنوب إلى الشمال حتى يصب في البحر المتوسط. "
        "يبلغ طوله نحو 6650 كيلومترا."), "qas": [
        {"id": "q2", "question": " - ما طول نهر النيل؟ ",
         "answers": [{"text": "6650 كيلومترا", "answer_start": 0}]}]}]},
]}


def test_squad_eval_ranks_each_gold_paragraph_first_and_reuses_its_index(tmp_path: Path) -> None:
    qa_file = tmp_path / "tiny-squad.json"
    qa_file.write_text(json.dumps(SQUAD, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "report"
    report = run_eval(qa_file, settings=Settings(), out_dir=out)
    summary = report["summary"]
    assert summary["format"] == "squad" and summary["questions"] == 2 and summary["paragraphs"] == 2
    assert [i["question"] for i in report["items"]] == ["كم يبلغ عدد سكان أنطاليا؟ ال", "ما طول نهر النيل؟"]
    assert [i["rank"] for i in report["items"]] == [1, 1]
    assert summary["metrics"]["recall@1"]["rate"] == 1.0 and summary["mrr"] == 1.0
    for name in ("answer_in_top_quote", "answer_in_any_quote", "answer_in_text"):
        assert name in summary["metrics"] and isinstance(report["items"][0][name], bool)
    assert summary["metrics"]["answer_in_top_passage"]["rate"] == 1.0
    assert "top passage holds the answer" in report["table"]
    assert (out / "report.md").exists() and (out / "paragraphs" / "p00001.txt").exists()
    again = run_eval(qa_file, settings=Settings(), out_dir=out, limit=1)
    assert again["summary"]["questions"] == 1
    assert again["summary"]["index_sync"]["added"] == [] and again["summary"]["index_sync"]["chunks_embedded"] == 0


def test_eval_command_prints_the_summary_as_json(seed_index: Path, tmp_path: Path) -> None:
    result = run_qa("eval", str(_dev_file(tmp_path)), "--index", str(seed_index), "--out",
                    str(tmp_path / "cli-report"), "--limit", "2", "--json", check=True)
    summary = json.loads(result.stdout)
    assert summary["questions"] == 2 and summary["format"] == "dev"
    assert (tmp_path / "cli-report" / "report.json").exists()
