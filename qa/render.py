"""HTML for the chat: answers, citation cards, the source viewer, index status, upload reports.

Pure functions, no Gradio: each takes our dataclasses and returns an HTML string. Every string
we did not write ourselves (article text, titles, outlets, paths, questions, answer text) goes
through :func:`html.escape` before it becomes HTML, so an article holding ``<script>`` or
``<img onerror=…>`` shows as text.

Direction: each message, card and article gets ``dir="rtl"`` or ``dir="ltr"`` from its own
language; markers, dates and file names are isolated (``<bdi>``) so that mixed Arabic, Latin,
digits and ``[n]`` keep their order inside either direction.

A citation is addressed by a key ``"{turn}:{n}"`` (``"{turn}:r{i}"`` for related passages):
the ``value`` of a ``button.qa-cite`` marker, the ``data-qa-cite`` attribute of a card. The
UI's click handler sends that key back to the server, which answers with :func:`render_source`.
"""

from __future__ import annotations

import re
from datetime import date
from html import escape
from typing import TYPE_CHECKING, Literal

from qa.arabic import detect_language

if TYPE_CHECKING:
    from qa.answer import Answer, Citation
    from qa.retrieval import Hit
    from qa.store import IndexStats
    from qa.uploads import UploadReport

Direction = Literal["rtl", "ltr"]

_MARKER = re.compile(r"\[(\d+)\]")
_WORDS = {
    "en": {"searched": "Searched:", "dates": "Dates", "sources": "Sources", "related":
           "Related passages (not an answer)", "no_citations": "No citations.",
           "untitled": "(untitled)", "unknown": "unknown"},
    "ar": {"searched": "السؤال الذي بُحث عنه:", "dates": "التواريخ", "sources": "المصادر",
           "related": "مقاطع ذات صلة (ليست إجابة)", "no_citations": "لا توجد مصادر.",
           "untitled": "(بلا عنوان)", "unknown": "غير معروف"},
}


def direction(text: str) -> Direction:
    """``"rtl"`` for mostly-Arabic text, else ``"ltr"``.

    Example:
        >>> direction("متى وقعت ليبيا مع تركيا؟"), direction("When did Libya sign?")
        ('rtl', 'ltr')
    """
    return "rtl" if detect_language(text) == "ar" else "ltr"


def _lang_dir(lang: str | None) -> Direction:
    return "rtl" if lang == "ar" else "ltr"


def _bdi(text: str) -> str:
    """An escaped, direction-isolated run (a file name or a date inside Arabic text)."""
    return f"<bdi>{escape(text)}</bdi>"


def _date(day: date | None, lang: str) -> str:
    if day is None:
        return escape(_WORDS[_lang(lang)]["unknown"])
    # ISO digits stay left to right in an Arabic line only when isolated.
    return f'<bdi dir="ltr">{day.isoformat()}</bdi>'


def _lang(language: str | None) -> Literal["ar", "en"]:
    return "ar" if language == "ar" else "en"


def _marker(turn: int, n: int) -> str:
    # A button, not a link: keyboard-focusable, nothing to navigate to. The key rides in
    # `value` because the chat's HTML sanitiser drops data-* attributes.
    return (f'<button type="button" class="qa-cite" value="{turn}:{n}" '
            f'title="[{n}]"><bdi dir="ltr">[{n}]</bdi></button>')


_QUOTE = re.compile(r"«[^«»]*»")


def _isolate_quotes(escaped: str) -> str:
    """Each «quote» in its own direction: an Arabic quote inside English framing (or the
    reverse) keeps its words, punctuation and guillemets in order."""
    return _QUOTE.sub(lambda m: f'<bdi dir="auto" class="qa-q">{m.group(0)}</bdi>', escaped)


def _with_markers(escaped: str, turn: int, known: set[int]) -> str:
    """Replace ``[n]`` in already escaped text by clickable markers (only for real citations)."""
    return _MARKER.sub(lambda m: _marker(turn, int(m.group(1))) if int(m.group(1)) in known
                       else m.group(0), escaped)


def render_question(question: str) -> str:
    """The user's message, in its own direction.

    Args:
        question (str): as typed.

    Returns:
        str: ``<div dir="rtl|ltr" class="qa-msg">…</div>``.
    """
    return f'<div class="qa-msg" dir="{direction(question)}">{escape(question)}</div>'


def render_answer(answer: "Answer", turn: int) -> str:
    """The assistant's message: answer text with clickable ``[n]``, dates, searched question.

    Lines of the answer that start with ``- `` (a timeline) become list items.

    Args:
        answer (Answer): what :meth:`qa.Assistant.ask` returned.
        turn (int): the conversation turn, part of each marker's key.

    Returns:
        str: HTML in the answer's direction (``dir="rtl"`` for Arabic framing).

    Example:
        >>> render_answer(answer, 1)  # doctest: +SKIP
        '<div class="qa-msg qa-answer" dir="rtl" lang="ar"><p>في …<button class="qa-cite" …'
    """
    lang = _lang(answer.language)
    words = _WORDS[lang]
    known = {c.n for c in answer.citations}
    parts: list[str] = []
    if answer.searched and answer.searched.strip() != answer.question.strip():
        parts.append(f'<p class="qa-searched">{escape(words["searched"])} '
                     f'<bdi class="qa-searched-q">{escape(answer.searched)}</bdi></p>')
    items: list[str] = []
    for line in answer.text.splitlines():
        body = _with_markers(_isolate_quotes(escape(line.strip())), turn, known)
        if line.lstrip().startswith("- "):
            items.append(f"<li>{body[2:]}</li>")
            continue
        if items:
            parts.append(f'<ul class="qa-timeline">{"".join(items)}</ul>')
            items = []
        if body:
            parts.append(f"<p>{body}</p>")
    if items:
        parts.append(f'<ul class="qa-timeline">{"".join(items)}</ul>')
    if answer.dates:
        dates = " · ".join(_date(d, lang) for d in answer.dates)
        parts.append(f'<p class="qa-dates"><strong>{escape(words["dates"])}:</strong> {dates}</p>')
    return (f'<div class="qa-msg qa-answer" dir="{_lang_dir(lang)}" lang="{lang}">'
            f'{"".join(parts)}</div>')


def _card(key: str, label: str, hit: "Hit", passage: str, lang: str, *, related: bool) -> str:
    a = hit.article
    words = _WORDS[_lang(lang)]
    meta = " · ".join([
        escape(a.source) if a.source else escape(words["unknown"]),
        _date(a.published, lang),
        f'<bdi class="qa-file">{escape(a.path)}</bdi>',
    ])
    kind = "qa-card qa-related" if related else "qa-card"
    return (
        f'<article class="{kind}" data-qa-cite="{key}" tabindex="0" role="button">'
        f'<header><span class="qa-n"><bdi dir="ltr">{escape(label)}</bdi></span> '
        f'<span class="qa-title" dir="auto">{escape(a.title or words["untitled"])}</span></header>'
        f'<div class="qa-meta" dir="auto">{meta}</div>'
        f'<blockquote class="qa-quote" dir="{_lang_dir(a.lang)}" lang="{escape(a.lang)}">'
        f"{escape(passage)}</blockquote></article>"
    )


def render_citations(answer: "Answer", turn: int) -> str:
    """One card per citation (title, outlet, date, file, quoted passage), or related passages.

    Args:
        answer (Answer): the answer whose sources to show.
        turn (int): the conversation turn (keys ``"{turn}:{n}"``, related ``"{turn}:r{i}"``).

    Returns:
        str: the evidence panel's card list.
    """
    lang = _lang(answer.language)
    words = _WORDS[lang]
    cards = [_card(f"{turn}:{c.n}", f"[{c.n}]", c.hit, c.quote, lang, related=False)
             for c in answer.citations]
    heading = words["sources"]
    if not cards and answer.related:
        heading = words["related"]
        cards = [_card(f"{turn}:r{i}", f"~{i}", h, h.text, lang, related=True)
                 for i, h in enumerate(answer.related, 1)]
    if not cards:
        return f'<div class="qa-cards" dir="{_lang_dir(lang)}"><p>{escape(words["no_citations"])}</p></div>'
    return (f'<div class="qa-cards" dir="{_lang_dir(lang)}"><h3>{escape(heading)}</h3>'
            f'{"".join(cards)}</div>')


def render_source(hit: "Hit", start: int, end: int, *, key: str, label: str) -> str:
    """The whole article with the cited span in ``<mark>`` (and its passage shaded).

    Args:
        hit (Hit): the cited passage (its article and chunk).
        start (int): body offset where the highlighted span starts (clamped to the chunk).
        end (int): body offset after it.
        key (str): the citation key, used for the mark's ``id`` (``qa-mark-{key}``).
        label (str): ``[n]`` or ``~i``, shown in the header.

    Returns:
        str: the source viewer; the ``<mark>`` has class ``qa-hl`` for the scroll-into-view.
    """
    a = hit.article
    body = a.body
    c0, c1 = hit.chunk.start, hit.chunk.end
    s, e = max(c0, min(start, c1)), max(c0, min(end, c1))
    if e <= s:
        s, e = c0, c1
    mark_id = "qa-mark-" + re.sub(r"[^0-9a-z]", "-", key)
    text = (
        f"{escape(body[:c0])}<span class=\"qa-passage\">{escape(body[c0:s])}"
        f'<mark class="qa-hl" id="{mark_id}">{escape(body[s:e])}</mark>'
        f"{escape(body[e:c1])}</span>{escape(body[c1:])}"
    )
    words = _WORDS[_lang(a.lang)]
    meta = " · ".join([escape(a.source or words["unknown"]), _date(a.published, a.lang),
                       f'<bdi class="qa-file">{escape(a.path)}</bdi>',
                       f'<bdi dir="ltr">{s}–{e}</bdi>'])
    return (
        f'<section class="qa-source" data-qa-key="{escape(key)}">'
        f'<header><span class="qa-n"><bdi dir="ltr">{escape(label)}</bdi></span> '
        f'<strong class="qa-title" dir="auto">{escape(a.title or words["untitled"])}</strong>'
        f'<div class="qa-meta" dir="auto">{meta}</div></header>'
        f'<div class="qa-body" dir="{_lang_dir(a.lang)}" lang="{escape(a.lang)}" '
        f'style="white-space: pre-wrap">{text}</div></section>'
    )


def render_citation_source(citation: "Citation", key: str) -> str:
    """:func:`render_source` for a citation: its quoted sentence highlighted."""
    return render_source(citation.hit, citation.quote_start, citation.quote_end, key=key,
                         label=f"[{citation.n}]")


def render_status(stats: "IndexStats", *, index_dir: str) -> str:
    """The index status panel: articles, chunks, outlets, date range, model, last update.

    Args:
        stats (IndexStats): from :meth:`qa.store.Index.stats`.
        index_dir (str): the folder, shown so people know which index they are reading.

    Returns:
        str: a small definition list.
    """
    outlets = ", ".join(f"<bdi>{escape(name)}</bdi> ({count})" for name, count in stats.outlets.items())
    first = stats.first_published.isoformat() if stats.first_published else "—"
    last = stats.last_published.isoformat() if stats.last_published else "—"
    rows = [
        ("Articles", str(stats.articles)),
        ("Chunks", str(stats.chunks)),
        ("Files", str(stats.files)),
        ("Outlets", outlets or "—"),
        ("Published", f'<bdi dir="ltr">{first} → {last}</bdi>'),
        ("Model", f"<bdi>{escape(stats.model)}</bdi> ({stats.dim}d)"),
        ("Generation", str(stats.generation)),
        ("Last update", f'<bdi dir="ltr">{escape(stats.updated_at or "—")}</bdi>'),
        ("Index", _bdi(index_dir)),
    ]
    if stats.skipped_files:
        rows.append(("Skipped files", str(len(stats.skipped_files))))
    cells = "".join(f"<dt>{name}</dt><dd>{value}</dd>" for name, value in rows)
    return f'<dl class="qa-status" dir="ltr">{cells}</dl>'


def render_upload_report(report: "UploadReport") -> str:
    """What an upload did: files saved (and under which name), articles added/updated, skips.

    Args:
        report (UploadReport): from :func:`qa.uploads.save_and_index`.

    Returns:
        str: a list per outcome; empty outcomes are left out.
    """
    sections: list[tuple[str, list[str]]] = [
        ("Saved", [_saved_line(original, saved) for original, saved in report.saved]),
        ("Already there (same content)", [_bdi(name) for name in report.unchanged]),
        ("Articles added", [_bdi(a) for a in report.added]),
        ("Articles updated", [_bdi(a) for a in report.updated]),
        ("Rejected", [f"{_bdi(name)}: {escape(why)}" for name, why in report.rejected.items()]),
        ("Skipped by the indexer", [f"{_bdi(name)}: {escape(why)}" for name, why in report.skipped.items()]),
    ]
    parts = [f"<h4>{title}</h4><ul>{''.join(f'<li>{item}</li>' for item in items)}</ul>"
             for title, items in sections if items]
    if not parts:
        parts = ["<p>Nothing to add.</p>"]
    return f'<div class="qa-upload" dir="ltr">{"".join(parts)}</div>'


def _saved_line(original: str, saved: str) -> str:
    if original == saved:
        return _bdi(saved)
    return f"{_bdi(original)} → {_bdi(saved)}"
