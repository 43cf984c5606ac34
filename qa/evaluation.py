"""Question files → measurements of the assistant, as JSON and as a readable table.

Two formats, told apart by their content:

* **dev** — JSONL like ``dev_qa.jsonl``: one question per line with expected ``answers``,
  ``dates``, ``evidence`` and ``answerable``. Each question is asked of an existing index and
  four checks are applied: the answer is correct, the citations contain the evidence, the dates
  are given, and a refusal happens exactly when it should.
* **squad** — SQuAD v1.1 JSON such as ARCD. Every paragraph becomes its own article in an index
  built (and cached) under the report folder; each question measures where the gold paragraph
  ranks (recall@1/5/20, MRR) and whether the answer's cited sentences hold the gold answer.

Text is compared after :func:`qa.arabic.normalize` (plus case folding and collapsed spaces), so
that alef forms, diacritics or digits written differently do not count as misses.
"""

from __future__ import annotations

import json
import re
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from qa.config import Settings

if TYPE_CHECKING:
    from qa.answer import Answer
    from qa.assistant import Assistant
    from qa.retrieval import Hit

Format = Literal["dev", "squad"]
FORMATS: tuple[str, ...] = ("dev", "squad")

DEV_CHECKS: dict[str, str] = {
    "answer": "answer correct",
    "evidence": "citation contains evidence",
    "dates": "dates right",
    "refusal": "refusal right",
}
RECALL_AT: tuple[int, ...] = (1, 5, 20)
SEARCH_K = 20
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# ARCD questions start with " - "; only that and surrounding space is noise we may remove.
_LEADING_DASHES = re.compile(r"^[\s\-–—]+")


# ---------------------------------------------------------------------------------------------
# Entry point


def run_eval(qa_file: Path, *, settings: Settings, out_dir: Path, limit: int | None = None) -> dict:
    """Measure the assistant on a question file and write ``report.json`` and ``report.md``.

    Args:
        qa_file (Path): a dev JSONL file (``dev_qa.jsonl``) or a SQuAD-format JSON file
            (ARCD); the format is detected from the content.
        settings (Settings): ``index_dir`` is the index asked for a dev file; for a SQuAD file
            the model and chunking of ``settings`` build a separate index in
            ``out_dir/index`` (kept, so a rerun only checks it is up to date).
        out_dir (Path): the report folder; created when missing.
        limit (int, optional): only the first ``limit`` questions. Defaults to all. For a SQuAD
            file every paragraph is still indexed, so the distractors stay the same.

    Returns:
        dict: ``{"summary": {...}, "table": str, "items": [...]}`` — the summary's counts and
        rates, the summary as a Markdown table, and one record per question.

    Raises:
        ValueError: the file is neither format.
        qa.store.IndexProblem: the index cannot be opened or built.

    Example:
        >>> report = run_eval(Path("dev_qa.jsonl"), settings=Settings(), out_dir=Path("r"))  # doctest: +SKIP
        >>> report["summary"]["passed"], report["summary"]["questions"]  # doctest: +SKIP
        (12, 12)
    """
    qa_file, out_dir = Path(qa_file), Path(out_dir)
    text = qa_file.read_text(encoding="utf-8-sig")
    out_dir.mkdir(parents=True, exist_ok=True)
    if detect_format(text) == "squad":
        report = _run_squad(json.loads(text), settings=settings, out_dir=out_dir, limit=limit)
    else:
        report = _run_dev(parse_dev(text), settings=settings, limit=limit)
    report["summary"] = {"file": str(qa_file), **report["summary"]}
    _write_report(report, out_dir, title=qa_file.name)
    return report


def detect_format(text: str) -> Format:
    """``"squad"`` for one JSON object with a ``data`` list, ``"dev"`` for JSON lines.

    Raises:
        ValueError: neither (the message names the formats allowed).
    """
    try:
        whole = json.loads(text)
    except json.JSONDecodeError:
        whole = None  # several lines of JSON: not one document
    if isinstance(whole, dict) and isinstance(whole.get("data"), list):
        return "squad"
    lines = [line for line in text.splitlines() if line.strip()]
    try:
        if lines and all(isinstance(json.loads(line), dict) for line in lines):
            return "dev"
    except json.JSONDecodeError:
        pass
    raise ValueError(f"unknown question file format; expected one of {', '.join(FORMATS)} "
                     "(JSON lines like dev_qa.jsonl, or SQuAD JSON with a 'data' list)")


# ---------------------------------------------------------------------------------------------
# Shared helpers


def norm(text: str) -> str:
    """Text in the form used for every containment test (Arabic-normalised, case-folded)."""
    from qa.arabic import normalize

    return " ".join(normalize(text).casefold().split())


def contains(haystack: str, needle: str) -> bool:
    """Whether ``needle`` occurs in ``haystack`` after :func:`norm` (an empty needle never does)."""
    needle = norm(needle)
    return bool(needle) and needle in norm(haystack)


def latency(seconds: list[float]) -> dict[str, float]:
    """``{"mean", "p50", "p95"}`` of a list of durations in seconds (zeros when empty)."""
    import numpy as np

    if not seconds:
        return {"mean": 0.0, "p50": 0.0, "p95": 0.0}
    values = np.asarray(seconds, dtype=float)
    return {"mean": round(float(values.mean()), 4),
            "p50": round(float(np.percentile(values, 50)), 4),
            "p95": round(float(np.percentile(values, 95)), 4)}


def _rate(passed: int, total: int) -> float | None:
    return round(passed / total, 4) if total else None


def _pct(rate: float | None) -> str:
    return "–" if rate is None else f"{100 * rate:.1f}%"


def _progress(items: list, desc: str) -> Iterable:
    """``items`` with a tqdm bar on stderr when there are enough of them to wait for."""
    from tqdm import tqdm

    return tqdm(items, desc=desc, unit="q", file=sys.stderr, disable=len(items) < 20, leave=False)


def _timed(func: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[Any, float]:
    started = time.perf_counter()
    result = func(*args, **kwargs)
    return result, time.perf_counter() - started


def _warm_up(assistant: "Assistant", question: str) -> None:
    """One untimed call, so that loading the model and index is not billed to question one."""
    assistant.ask(question)


def _answer_record(answer: "Answer") -> dict[str, Any]:
    """What a reader of the report needs to see of an answer (not the whole passages)."""
    return {
        "found": answer.found,
        "text": answer.text,
        "dates": [d.isoformat() for d in answer.dates],
        "citations": [{"n": c.n, "path": c.hit.article.path, "article_id": c.hit.article.id,
                       "quote": c.quote} for c in answer.citations],
    }


# ---------------------------------------------------------------------------------------------
# dev JSONL: answers, evidence, dates, refusals


@dataclass(frozen=True)
class DevQuestion:
    """One line of a dev file (see ``eval/README.md`` for the fields)."""

    id: str
    lang: str
    question: str
    answers: tuple[str, ...]
    dates: tuple[str, ...]
    evidence: tuple[str, ...]
    answerable: bool


def parse_dev(text: str) -> list[DevQuestion]:
    """The questions of a dev JSONL text, in file order."""
    questions = []
    for n, line in enumerate((ln for ln in text.splitlines() if ln.strip()), 1):
        row = json.loads(line)
        questions.append(DevQuestion(
            id=str(row.get("id", n)), lang=row.get("lang", "?"), question=row["question"],
            answers=tuple(row.get("answers", ())), dates=tuple(row.get("dates", ())),
            evidence=tuple(row.get("evidence", ())), answerable=bool(row.get("answerable", True)),
        ))
    return questions


def check_dev(q: DevQuestion, answer: "Answer") -> dict[str, Any]:
    """Apply the four dev checks to one answer.

    A check that does not apply (no evidence listed, no dates expected, no answer for an
    unanswerable question) is ``None`` and does not count against the item.

    Returns:
        dict: ``{"checks": {name: bool | None}, "passed": bool, "missing_evidence": [...],
        "missing_dates": [...], "extra_dates": [...]}``.
    """
    passages = [c.hit.text for c in answer.citations]
    given_dates = {d.isoformat() for d in answer.dates}
    missing_evidence = [e for e in q.evidence if not any(contains(p, e) for p in passages)]
    missing_dates = [d for d in q.dates if d not in given_dates]
    checks: dict[str, bool | None] = {
        "answer": _answer_correct(q.answers, answer) if q.answerable and q.answers else None,
        "evidence": not missing_evidence if q.evidence else None,
        "dates": not missing_dates if q.dates else None,
        "refusal": answer.found if q.answerable else (not answer.found and not answer.citations),
    }
    return {
        "checks": checks,
        "passed": all(v is not False for v in checks.values()),
        "missing_evidence": missing_evidence,
        "missing_dates": missing_dates,
        "extra_dates": sorted(given_dates - set(q.dates)),
    }


def _answer_correct(expected: Iterable[str], answer: "Answer") -> bool:
    """Any expected answer in the text or a cited quote; an ISO date also counts in ``dates``."""
    given_dates = {d.isoformat() for d in answer.dates}
    spans = [answer.text, *(c.quote for c in answer.citations)]
    for wanted in expected:
        if _ISO_DATE.match(wanted) and (wanted in given_dates or wanted in answer.text):
            return True
        if any(contains(span, wanted) for span in spans):
            return True
    return False


def _run_dev(questions: list[DevQuestion], *, settings: Settings, limit: int | None) -> dict:
    from qa import Assistant

    assistant = Assistant.open(settings.index_dir, settings=settings)
    questions = questions[:limit]
    if questions:
        _warm_up(assistant, questions[0].question)
    items = []
    for q in _progress(questions, "eval"):
        answer, seconds = _timed(assistant.ask, q.question)
        items.append({"id": q.id, "lang": q.lang, "question": q.question, "answerable": q.answerable,
                      **check_dev(q, answer), "seconds": round(seconds, 4),
                      "answer": _answer_record(answer)})
    summary = _dev_summary(items)
    summary["index"] = str(settings.index_dir)
    return {"summary": summary, "table": _dev_table(summary), "items": items}


def _dev_summary(items: list[dict]) -> dict[str, Any]:
    checks = {}
    for name in DEV_CHECKS:
        applied = [i["checks"][name] for i in items if i["checks"][name] is not None]
        checks[name] = {"passed": sum(applied), "applicable": len(applied),
                        "rate": _rate(sum(applied), len(applied))}
    by_language: dict[str, dict[str, Any]] = {}
    for lang in sorted({i["lang"] for i in items}):
        group = [i for i in items if i["lang"] == lang]
        passed = sum(i["passed"] for i in group)
        by_language[lang] = {"questions": len(group), "passed": passed, "rate": _rate(passed, len(group))}
    passed = sum(i["passed"] for i in items)
    return {"format": "dev", "questions": len(items), "passed": passed,
            "pass_rate": _rate(passed, len(items)), "checks": checks, "by_language": by_language,
            "ask_seconds": latency([i["seconds"] for i in items])}


def _dev_table(summary: dict[str, Any]) -> str:
    rows = [(DEV_CHECKS[name], f"{c['passed']}/{c['applicable']}", _pct(c["rate"]))
            for name, c in summary["checks"].items()]
    rows.append(("**all checks (item passes)**", f"{summary['passed']}/{summary['questions']}",
                 _pct(summary["pass_rate"])))
    rows += [(f"language {lang}", f"{g['passed']}/{g['questions']}", _pct(g["rate"]))
             for lang, g in summary["by_language"].items()]
    t = summary["ask_seconds"]
    rows.append(("ask latency mean / p50 / p95", f"{t['mean']:.3f} / {t['p50']:.3f} / {t['p95']:.3f} s", ""))
    return _markdown(("check", "passed", "rate"), rows)


def _dev_items_md(items: list[dict]) -> str:
    mark = {True: "✓", False: "✗", None: "–"}
    rows = [(i["id"], i["lang"], *(mark[i["checks"][name]] for name in DEV_CHECKS),
             "pass" if i["passed"] else "**FAIL**", f"{i['seconds']:.2f}") for i in items]
    table = _markdown(("id", "lang", *DEV_CHECKS, "item", "s"), rows)
    failures = [_dev_failure_md(i) for i in items if not i["passed"]]
    return table + ("\n\n## Failures\n\n" + "\n\n".join(failures) if failures else "")


def _dev_failure_md(item: dict) -> str:
    failed = ", ".join(DEV_CHECKS[n] for n, v in item["checks"].items() if v is False)
    lines = [f"### {item['id']} ({item['lang']}): {failed}", f"- question: {item['question']}",
             f"- found: {item['answer']['found']}; dates given: {item['answer']['dates']}",
             f"- answer: {_one_line(item['answer']['text'])}"]
    if item["missing_evidence"]:
        lines.append(f"- evidence not in any cited passage: {item['missing_evidence']}")
    if item["missing_dates"]:
        lines.append(f"- dates missing: {item['missing_dates']}")
    lines += [f"- [{c['n']}] {c['path']}: {_one_line(c['quote'])}" for c in item["answer"]["citations"]]
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# SQuAD JSON: paragraph retrieval and answer extraction


@dataclass(frozen=True)
class Paragraph:
    """A SQuAD paragraph, written as its own article file ``path``."""

    path: str
    title: str
    context: str


@dataclass(frozen=True)
class SquadQuestion:
    """A SQuAD question with its gold paragraph's file and its answer texts."""

    id: str
    question: str
    answers: tuple[str, ...]
    paragraph: str


def clean_question(text: str) -> str:
    """An ARCD question without its leading `` - `` and surrounding space.

    Trailing fragments such as a stray ``ال`` are left alone: guessing which words are junk
    would change real questions too.

    Example:
        >>> clean_question(" - من هو جمال أحمد حمزة خاشقجي؟ ")
        'من هو جمال أحمد حمزة خاشقجي؟'
    """
    return _LEADING_DASHES.sub("", text).strip()


def parse_squad(data: dict) -> tuple[list[Paragraph], list[SquadQuestion]]:
    """Paragraphs (numbered in file order) and questions of a SQuAD-format document."""
    paragraphs: list[Paragraph] = []
    questions: list[SquadQuestion] = []
    for article in data["data"]:
        title = (article.get("title") or "").strip()
        for p in article.get("paragraphs", []):
            number = len(paragraphs) + 1
            para = Paragraph(f"p{number:05d}.txt", f"{title} — {number}" if title else f"paragraph {number}",
                             p["context"])
            paragraphs.append(para)
            questions += [SquadQuestion(str(qa.get("id", "")), clean_question(qa["question"]),
                                        tuple(a["text"] for a in qa.get("answers", [])), para.path)
                          for qa in p.get("qas", [])]
    return paragraphs, questions


def build_squad_index(paragraphs: list[Paragraph], out_dir: Path, settings: Settings) -> tuple[Path, dict]:
    """Write one ``.txt`` per paragraph (title line, then context) and sync an index of them.

    Files whose content is unchanged are not rewritten and files of other paragraphs are
    removed, so a rerun re-embeds nothing and the index holds exactly these paragraphs.

    Returns:
        tuple[Path, dict]: the index folder and the sync report as a dict.
    """
    from qa.store import sync

    data_dir, index_dir = out_dir / "paragraphs", out_dir / "index"
    data_dir.mkdir(parents=True, exist_ok=True)
    wanted = {p.path: f"{p.title}\n\n{p.context.strip()}\n" for p in paragraphs}
    for stale in data_dir.iterdir():
        if stale.name not in wanted:
            stale.unlink()
    for name, content in wanted.items():
        path = data_dir / name
        if not path.exists() or path.read_text(encoding="utf-8") != content:
            path.write_text(content, encoding="utf-8")
    report = sync(data_dir, index_dir, settings=settings.with_(data_dir=data_dir, index_dir=index_dir))
    return index_dir, report.as_dict()


def paragraph_ranking(hits: list["Hit"]) -> list[str]:
    """The files of the hits in rank order, each once (a paragraph may give several chunks)."""
    return list(dict.fromkeys(h.article.path for h in hits))


def score_squad(q: SquadQuestion, ranking: list[str], answer: "Answer", top_passage: str = "") -> dict[str, Any]:
    """Retrieval rank of the gold paragraph and where the gold answer shows up in the answer.

    Returns:
        dict: ``rank`` (1-based among distinct paragraphs, None when not retrieved),
        ``recall@K`` for each K in :data:`RECALL_AT`, ``rr`` (reciprocal rank),
        ``answer_in_top_passage`` (the first passage holds a gold answer, whichever paragraph it
        is: open-domain QA's top-1 retrieval accuracy, as in DPR; ARCD repeats paragraphs of
        one article in several versions, and only one of them is the gold),
        ``top_citation_gold`` (the first citation quotes the gold paragraph: separates a
        retrieval miss from a wrong sentence) and ``answer_in_top_quote`` /
        ``answer_in_any_quote`` / ``answer_in_text`` (bool).
    """
    rank = ranking.index(q.paragraph) + 1 if q.paragraph in ranking else None
    quotes = [c.quote for c in answer.citations]

    def holds(span: str) -> bool:
        return any(contains(span, a) for a in q.answers)

    return {
        "rank": rank,
        **{f"recall@{k}": rank is not None and rank <= k for k in RECALL_AT},
        "rr": 1 / rank if rank else 0.0,
        "answer_in_top_passage": holds(top_passage),
        "top_citation_gold": bool(answer.citations) and answer.citations[0].hit.article.path == q.paragraph,
        "answer_in_top_quote": bool(quotes) and holds(quotes[0]),
        "answer_in_any_quote": any(holds(quote) for quote in quotes),
        "answer_in_text": holds(answer.text),
    }


def _run_squad(data: dict, *, settings: Settings, out_dir: Path, limit: int | None) -> dict:
    from qa import Assistant

    paragraphs, questions = parse_squad(data)
    (index_dir, sync_report), index_seconds = _timed(build_squad_index, paragraphs, out_dir, settings)
    assistant = Assistant.open(index_dir, settings=settings.with_(index_dir=index_dir))
    questions = questions[:limit]
    if questions:
        _warm_up(assistant, questions[0].question)
    items = []
    for q in _progress(questions, "eval"):
        hits, search_seconds = _timed(assistant.search, q.question, SEARCH_K)
        answer, ask_seconds = _timed(assistant.ask, q.question)
        ranking = paragraph_ranking(hits)
        items.append({"id": q.id, "question": q.question, "answers": list(q.answers),
                      "paragraph": q.paragraph, **score_squad(q, ranking, answer, hits[0].text if hits else ""),
                      "retrieved": ranking[:5], "search_seconds": round(search_seconds, 4),
                      "seconds": round(ask_seconds, 4), "answer": _answer_record(answer)})
    summary = _squad_summary(items)
    summary.update(paragraphs=len(paragraphs), index=str(index_dir),
                   index_seconds=round(index_seconds, 2), index_sync=sync_report)
    return {"summary": summary, "table": _squad_table(summary), "items": items}


_SQUAD_METRICS: dict[str, str] = {
    **{f"recall@{k}": f"paragraph recall@{k}" for k in RECALL_AT},
    "answer_in_top_passage": "top passage holds the answer (any paragraph)",
    "top_citation_gold": "top citation from the gold paragraph",
    "answer_in_top_quote": "answer in top cited sentence",
    "answer_in_any_quote": "answer in any cited sentence",
    "answer_in_text": "answer in answer text",
    "found": "answered (found)",
}


def _squad_summary(items: list[dict]) -> dict[str, Any]:
    n = len(items)
    counts = {name: sum(bool(i["answer"]["found"] if name == "found" else i[name]) for i in items)
              for name in _SQUAD_METRICS}
    return {
        "format": "squad", "questions": n, "search_k": SEARCH_K,
        "metrics": {name: {"count": c, "rate": _rate(c, n)} for name, c in counts.items()},
        "mrr": round(sum(i["rr"] for i in items) / n, 4) if n else None,
        "ask_seconds": latency([i["seconds"] for i in items]),
        "search_seconds": latency([i["search_seconds"] for i in items]),
    }


def _squad_table(summary: dict[str, Any]) -> str:
    n = summary["questions"]
    rows = [(label, f"{summary['metrics'][name]['count']}/{n}", _pct(summary["metrics"][name]["rate"]))
            for name, label in _SQUAD_METRICS.items()]
    rows.append((f"MRR (top {summary['search_k']} passages)", "",
                 "–" if summary["mrr"] is None else f"{summary['mrr']:.3f}"))
    for name in ("ask_seconds", "search_seconds"):
        t = summary[name]
        rows.append((f"{name.split('_')[0]} latency mean / p50 / p95",
                     f"{t['mean']:.3f} / {t['p50']:.3f} / {t['p95']:.3f} s", ""))
    return _markdown(("metric", "count", "value"), rows)


def _squad_items_md(items: list[dict]) -> str:
    mark = {True: "✓", False: "✗"}
    rows = [(i["id"], _one_line(i["question"], 60), i["paragraph"], i["rank"] or "–",
             mark[i["answer_in_top_quote"]], mark[i["answer_in_any_quote"]], mark[i["answer_in_text"]],
             f"{i['seconds']:.2f}") for i in items]
    return _markdown(("id", "question", "gold", "rank", "top quote", "any quote", "text", "s"), rows)


# ---------------------------------------------------------------------------------------------
# Report files


def _markdown(header: tuple, rows: Iterable[tuple]) -> str:
    def cells(values: Iterable) -> str:
        return "| " + " | ".join(str(v).replace("|", "\\|") for v in values) + " |"

    return "\n".join([cells(header), cells("---" for _ in header), *(cells(r) for r in rows)])


def _one_line(text: str, width: int = 300) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def _write_report(report: dict, out_dir: Path, *, title: str) -> None:
    """``report.json`` (everything) and ``report.md`` (summary table, then every item)."""
    (out_dir / "report.json").write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    details = (_squad_items_md if report["summary"]["format"] == "squad" else _dev_items_md)(report["items"])
    md = f"# qa eval: {title}\n\n{report['table']}\n\n## Questions\n\n{details}\n"
    (out_dir / "report.md").write_text(md, encoding="utf-8")
