"""Files → articles: decode, parse each supported format, drop boilerplate, keep the metadata.

One file can hold several articles (a JSON list, JSON lines, CSV rows, or a news page whose
"اقرأ أيضاً" section is really another article). Anything that cannot be read becomes a
:class:`Skipped` record with a one-sentence reason; the readers never raise for bad input.

The body of an article is built from the lines of the file that are kept, joined with
newlines; chunk offsets point into that body. Date and source lines stay in the body so that a
citation can quote them; only the title line, boilerplate and near-duplicate headlines go.
"""

from __future__ import annotations

import csv
import datetime
import difflib
import io
import json
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from qa.arabic import detect_language, normalize

if TYPE_CHECKING:
    from selectolax.lexbor import LexborHTMLParser, LexborNode

__all__ = [
    "ARTICLE_SUFFIXES",
    "Article",
    "ArticleError",
    "ReadResult",
    "Skipped",
    "decode",
    "iter_article_files",
    "parse_date",
    "read_bytes",
    "read_file",
]

ARTICLE_SUFFIXES: frozenset[str] = frozenset(
    {".txt", ".md", ".html", ".htm", ".json", ".jsonl", ".csv"}
)
DEFAULT_MAX_BYTES = 50 * 2**20


@dataclass(frozen=True)
class Article:
    """One news article.

    Attributes:
        id (str): ``"{path}#{position}"``, position being the 0-based index of the article (or
            record) within its file; stable across re-reads.
        path (str): POSIX path of the file relative to the data folder.
        title (str | None): the headline.
        published (datetime.date | None): publication date.
        source (str | None): the outlet.
        body (str): the article text without boilerplate; chunk offsets point into it.
        lang (str): ``"ar"`` or ``"en"``.
    """

    id: str
    path: str
    title: str | None
    published: datetime.date | None
    source: str | None
    body: str
    lang: str


@dataclass(frozen=True)
class Skipped:
    """A file, or a record inside a file, that gave no article.

    Attributes:
        path (str): relative path, with ``"#line N"`` or ``"#row N"`` for one bad record.
        reason (str): one sentence saying why.
    """

    path: str
    reason: str


@dataclass(frozen=True)
class ReadResult:
    """What one file gave: its articles and what was skipped."""

    articles: list[Article]
    skipped: list[Skipped]


class ArticleError(ValueError):
    """A whole file (or the data folder) cannot be read; the message is the reason."""


# ---------------------------------------------------------------- files


def iter_article_files(data_dir: Path) -> Iterator[Path]:
    """Article files under ``data_dir``, recursively, sorted by relative path.

    Hidden files and folders (name starting with ``.``) and files whose suffix is not in
    :data:`ARTICLE_SUFFIXES` are left out.

    Args:
        data_dir (Path): the data folder.

    Yields:
        Path: each article file (``data_dir / relative path``).

    Raises:
        ArticleError: when ``data_dir`` is not an existing folder.
    """
    if not data_dir.is_dir():
        raise ArticleError(f"data folder not found: {data_dir}")
    found: list[tuple[str, Path]] = []
    for folder, dirs, files in os.walk(data_dir):
        dirs[:] = [name for name in dirs if not name.startswith(".")]
        for name in files:
            path = Path(folder) / name
            if not name.startswith(".") and path.suffix.lower() in ARTICLE_SUFFIXES:
                found.append((path.relative_to(data_dir).as_posix(), path))
    for _, path in sorted(found):
        yield path


def read_file(path: Path, *, root: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> ReadResult:
    """Read the articles of one file.

    Args:
        path (Path): the file.
        root (Path): the data folder; article paths are relative to it.
        max_bytes (int, optional): larger files are skipped. Defaults to 50 MB.

    Returns:
        ReadResult: the articles, and a :class:`Skipped` record for the file or for each bad
        record in it. Never raises for bad content or an unreadable file.

    Example:
        >>> result = read_file(Path("data/articles/000_e8a0a6e2dc4f0eda.txt"),
        ...                    root=Path("data/articles"))
        >>> [a.title for a in result.articles][0]
        'ليبيا وتركيا توقعان مذكرة تفاهم للتعاون العسكري'
    """
    try:
        rel = path.relative_to(root).as_posix()
    except ValueError:
        rel = path.as_posix()
    try:
        size = path.stat().st_size
        if size > max_bytes:
            return _skip(rel, f"file is {_size(size)}, over the {_size(max_bytes)} limit "
                              "(QA_MAX_FILE_MB)")
        data = path.read_bytes()
    except OSError as exc:
        return _skip(rel, f"cannot read the file: {exc.strerror or exc}")
    return read_bytes(data, rel)


def read_bytes(data: bytes, rel_path: str) -> ReadResult:
    """Read the articles of a file's content (uploads, tests); the format comes from the suffix.

    Args:
        data (bytes): the raw file content.
        rel_path (str): the file's path relative to the data folder, e.g. ``"ليبيا/خبر.txt"``.

    Returns:
        ReadResult: as :func:`read_file`. Never raises for bad input.
    """
    suffix = PurePosixPath(rel_path).suffix.lower()
    if suffix not in ARTICLE_SUFFIXES:
        return _skip(rel_path, f"unsupported file type {suffix or '(no extension)'}")
    if not data.strip():
        return _skip(rel_path, "empty file")
    try:
        text = decode(data)
    except ArticleError as exc:
        return _skip(rel_path, str(exc))
    if not text.strip():
        return _skip(rel_path, "empty file")
    result = _PARSERS[suffix](text, rel_path)
    if not result.articles and not result.skipped:
        return _skip(rel_path, "no article records in the file")  # e.g. "[]" or a bare header
    return result


def _skip(rel: str, reason: str) -> ReadResult:
    return ReadResult([], [Skipped(rel, reason)])


def _size(n: int) -> str:
    """Human size: ``73.2 MB``, ``50 MB``, ``12 KB``, ``100 bytes``."""
    for unit, scale in (("MB", 2**20), ("KB", 2**10)):
        if n >= scale:
            return f"{n / scale:.1f}".removesuffix(".0") + f" {unit}"
    return f"{n} bytes"


# ---------------------------------------------------------------- decoding

_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)
# Control bytes that never occur in text files (tab, newlines, form feed and escape do).
_CONTROL_BYTES = bytes(b for b in range(32) if b not in b"\t\n\r\f\x0b\x1b") + b"\x7f"
_NEWLINES_RE = re.compile(r"\r\n?")


def decode(data: bytes) -> str:
    """Decode a text file: UTF-8 (with or without BOM), UTF-16/32 with BOM, Windows-1256, or
    whatever charset-normalizer is confident about. Newlines become ``\\n``.

    Strict UTF-8 is tried first because charset-normalizer can mistake short Arabic text for
    another code page; Windows-1256 is preferred whenever it yields mostly Arabic.

    Args:
        data (bytes): the raw content.

    Returns:
        str: the text, without BOM, with ``\\n`` newlines.

    Raises:
        ArticleError: for binary content or bytes that decode to no plausible text.
    """
    text = _decode_with_bom(data)
    if text is None:
        if b"\x00" in data or _control_ratio(data) > 0.1:
            raise ArticleError("binary file (not text)")
        text = _decode_without_bom(data)
    return _NEWLINES_RE.sub("\n", text.removeprefix("\ufeff"))


def _decode_with_bom(data: bytes) -> str | None:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError as exc:
                raise ArticleError(f"not valid {encoding.upper()} text despite its byte-order "
                                   f"mark (byte {exc.start})") from None
    return None


def _control_ratio(data: bytes) -> float:
    """Share of control bytes in the first 64 KB."""
    sample = data[: 1 << 16]
    return (len(sample) - len(sample.translate(None, _CONTROL_BYTES))) / max(len(sample), 1)


def _decode_without_bom(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes  # import cost only for non-UTF-8 files

    arabic = from_bytes(data, cp_isolation=["cp1256"]).best()
    if arabic is not None and detect_language(str(arabic)) == "ar":
        return str(arabic)
    best = from_bytes(data).best()
    if best is None:
        raise ArticleError("not valid UTF-8 or Windows-1256 text")
    return str(best)


# ---------------------------------------------------------------- dates


def parse_date(value: str) -> datetime.date | None:
    """Parse a publication date written in Arabic or English.

    ISO and e-mail (RFC 2822) dates are read directly; anything else goes to dateparser
    (languages ``ar`` and ``en``), which must find a day, a month and a year. Relative dates
    ("منذ ساعتين") give None: they cannot be resolved without the crawl time.

    Args:
        value (str): e.g. ``"1st, March 2024 GMT"``, ``"2024-03-01T10:00:00Z"``,
            ``"الجمعة ١ مارس ٢٠٢٤"``.

    Returns:
        datetime.date | None: the date, or None when there is none to be found.

    Example:
        >>> parse_date("1st, March 2024 GMT")
        datetime.date(2024, 3, 1)
    """
    value = normalize(value.strip())[:100] if value else ""
    if not value:
        return None
    if iso := re.match(r"(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)", value):
        try:
            return datetime.date(*map(int, iso.groups()))
        except ValueError:
            return None
    try:
        return parsedate_to_datetime(value).date()
    except (TypeError, ValueError, IndexError):
        pass
    return _dateparser_date(value)


def _dateparser_date(value: str) -> datetime.date | None:
    import dateparser  # slow import, needed only for free-form dates

    try:
        parsed = dateparser.parse(value, languages=["ar", "en"], settings={
            "PARSERS": ["timestamp", "custom-formats", "absolute-time"],
            "REQUIRE_PARTS": ["day", "month", "year"],
            "RETURN_AS_TIMEZONE_AWARE": False,
        })
    except (ValueError, OverflowError, TypeError):
        return None
    return parsed.date() if parsed else None


def _date_from_value(value: object) -> datetime.date | None:
    """A date from a JSON/CSV field: a string, or a Unix timestamp in seconds or milliseconds."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        seconds = value / 1000 if value > 1e11 else value
        try:
            return datetime.datetime.fromtimestamp(seconds, datetime.UTC).date()
        except (ValueError, OverflowError, OSError):
            return None
    return parse_date(value) if isinstance(value, str) else None


# ---------------------------------------------------------------- line classification

# Matched against normalize(line): hamza, tanween and alef forms are already folded away.
_READ_ALSO_RE = re.compile(r"(?:اقرا\s+ايضا|اقرا\s+كذلك|read\s+also|also\s+read)\b")
# The same marker in the original line: two words and the punctuation after them.
_READ_ALSO_ORIGINAL_RE = re.compile(r"\s*\S+\s+[^\s:：.\-–—]+\s*[:：.\-–—]*\s*")
# Markdown emphasis around the key is allowed: "**Published:** 1 March 2024".
_DATE_LINE_RE = re.compile(r"[*_]*\s*(?:تاريخ\s+النشر|تاريخ\s+الخبر|published(?:\s+on)?|"
                           r"publication\s+date|date)\s*[:：]\s*[*_]*\s*(\S.*)", re.I)
_SOURCE_LINE_RE = re.compile(r"[*_]*\s*(?:المصدر|source)\s*[:：]\s*[*_]*\s*(\S.*)", re.I)
_TRAILING_PUNCT = ".,،;؛:!؟?-–— \t"

_TAGS_RE = re.compile(r"(?:الكلمات\s+الدلاليه|كلمات\s+دلاليه|الوسوم|وسوم|tags|keywords)\s*[:：]")
# A comment form ends the article: everything after it is page furniture.
_TAIL_RE = re.compile(r"(?:اترك\s+تعليقا|اترك\s+ردا|اضف\s+تعليقا?|لن\s+يتم\s+نشر\s+عنوان\s+بريدك|"
                      r"leave\s+a\s+(?:comment|reply)|post\s+a\s+comment|"
                      r"your\s+email\s+address\s+will\s+not\s+be\s+published)")
_LINE_BOILERPLATE = frozenset({
    "زر الذهاب الي الاعلي", "الذهاب الي الاعلي", "العوده الي الاعلي", "الي الاعلي",
    "back to top", "scroll to top", "نهايه الرساله", "اعلان", "advertisement",
    "جميع الحقوق محفوظه", "all rights reserved",
})
_SHARE_WORDS = frozenset(
    "شارك شاركها مشاركه المقال الخبر علي عبر share this article on via facebook twitter x "
    "whatsapp telegram linkedin pinterest email print tweet فيسبوك فيس بوك تويتر واتساب واتس اب "
    "تلغرام تليجرام لينكدان طباعه البريد الالكتروني messenger reddit copy link نسخ الرابط "
    "تابعونا تابعنا follow us".split()
)
_FOLLOW_RE = re.compile(r"(?:تابعونا|تابعنا|follow\s+us)\b")
_HAS_WORD_RE = re.compile(r"[^\W_]")


def _key(line: str) -> str:
    """A line reduced for boilerplate matching: normalised, punctuation gone, spaces single."""
    return " ".join(re.sub(r"[^\w\s]|_", " ", normalize(line)).split())


def _head(line: str) -> str:
    """The normalised start of a line: enough to recognise a marker, cheap on long paragraphs."""
    return normalize(line[:60]).strip()


def _is_tail_start(line: str) -> bool:
    return len(line) < 200 and _TAIL_RE.match(_head(line)) is not None


def _is_boilerplate(line: str) -> bool:
    """Whether a whole line is page furniture (conservative: short lines of known shapes)."""
    if not _HAS_WORD_RE.search(line):
        return True  # rules and stray punctuation such as "." or "***"
    if _TAGS_RE.match(_head(line)):
        return True
    if len(line) > 150:
        return False
    key = _key(line)
    words = key.split()
    if key in _LINE_BOILERPLATE:
        return True
    if len(words) <= 8 and all(word in _SHARE_WORDS for word in words):
        return True
    return len(words) <= 6 and _FOLLOW_RE.match(key) is not None


def _read_also_title(line: str) -> str | None:
    """The title written on a "read also" line (``""`` if none); None if not such a line."""
    if len(line) > 200 or not _READ_ALSO_RE.match(_head(line)):
        return None
    marker = _READ_ALSO_ORIGINAL_RE.match(line)
    return line[marker.end():].strip() if marker else ""


def _is_near_duplicate(line: str, title: str) -> bool:
    """Whether a line repeats the headline (possibly reworded slightly)."""
    a, b = _key(line), _key(title)
    if not a or not b or len(a) > 2 * len(b):
        return False
    return a == b or difflib.SequenceMatcher(None, a, b, autojunk=False).ratio() >= 0.8


def _clean_title(line: str) -> str:
    return line.strip().lstrip("#").strip().strip("*_").strip()


def _is_section_label(line: str, following: str) -> bool:
    """A one-word line such as "عالمي" above a headline names the section, not the article."""
    if " " in line.strip() or len(line.strip()) > 20:
        return False
    words = following.split()
    return 3 <= len(words) <= 25 and not following.rstrip().endswith((".", "!", "?", "؟"))


# ---------------------------------------------------------------- text → articles


@dataclass
class _Draft:
    """An article while its lines are being read."""

    title: str | None = None
    published: datetime.date | None = None
    source: str | None = None


def _metadata(draft: _Draft, line: str) -> None:
    """Fill the date or outlet of ``draft`` from a ``تاريخ النشر:`` or ``المصدر:`` line."""
    if draft.published is None and (match := _DATE_LINE_RE.fullmatch(line)):
        draft.published = parse_date(match.group(1))
    if draft.source is None and (match := _SOURCE_LINE_RE.fullmatch(line)):
        outlet = match.group(1).strip().rstrip(_TRAILING_PUNCT).strip()
        draft.source = outlet if 0 < len(outlet) <= 80 else None


def _kept_lines(lines: Sequence[str]) -> list[str]:
    """Stripped lines without boilerplate, cut at a comment form; blank runs become one."""
    kept: list[str] = []
    for line in map(str.strip, lines):
        if not line:
            if kept and kept[-1]:
                kept.append("")
        elif _is_tail_start(line):
            break
        elif not _is_boilerplate(line):
            kept.append(line)
    return kept


def _take_title(lines: list[str], draft: _Draft) -> list[str]:
    """Take the headline off the top (skipping a section label such as "عالمي")."""
    content = [i for i, line in enumerate(lines) if line]
    if not content:
        return lines
    first = content[0]
    if len(content) >= 2 and _is_section_label(lines[first], lines[content[1]]):
        first = content[1]
    draft.title = _clean_title(lines[first]) or None
    return lines[first + 1:]


def _drop_repeated_headline(lines: list[str], title: str | None) -> list[str]:
    """Drop the first text line when it repeats the headline (date and source lines aside)."""
    for i, line in enumerate(lines):
        if not line or _DATE_LINE_RE.fullmatch(line) or _SOURCE_LINE_RE.fullmatch(line):
            continue
        rest = lines[:i] + lines[i + 1:]
        # A text that is nothing but its headline keeps it: an article needs a body.
        if title and any(rest) and _is_near_duplicate(line, title):
            return rest
        break
    return lines


def _body(lines: Sequence[str], draft: _Draft, *, take_title: bool) -> str:
    """The article body from its raw lines; fills the draft's title, date and outlet."""
    kept = _kept_lines(lines)
    if take_title:
        kept = _take_title(kept, draft)
    kept = _drop_repeated_headline(kept, draft.title)
    for line in kept:
        _metadata(draft, line)
    return "\n".join(kept).strip()


def _articles_from_text(
    text: str,
    rel: str,
    *,
    title: str | None = None,
    published: datetime.date | None = None,
    source: str | None = None,
) -> ReadResult:
    """Articles of a text page; each "read also" line starts another article.

    The first article takes ``title``/``published``/``source`` when given (HTML metadata),
    else its first line and its own date and source lines. Later articles inherit nothing.
    """
    sections = _split_read_also(text.split("\n"))
    articles: list[Article] = []
    skipped: list[Skipped] = []
    for position, (first_line, own_title, lines) in enumerate(sections):
        given = position == 0
        draft = _Draft(title=title if given else own_title or None,
                       published=published if given else None,
                       source=source if given else None)
        body = _body(lines, draft, take_title=draft.title is None)
        where = rel if position == 0 else f"{rel}#line {first_line}"
        if not body:
            # A bare marker (a "read also" at the very top or bottom) is not worth a report.
            if any(line.strip() for line in lines) or len(sections) == 1:
                skipped.append(Skipped(where, "no article text after removing boilerplate"))
            continue
        articles.append(_article(rel, position, draft, body))
    return ReadResult(articles, skipped)


def _split_read_also(lines: list[str]) -> list[tuple[int, str, list[str]]]:
    """Cut the lines at "read also" markers: ``(first line number, title on marker, lines)``."""
    sections: list[tuple[int, str, list[str]]] = [(1, "", [])]
    for number, line in enumerate(lines, start=1):
        marker_title = _read_also_title(line)
        if marker_title is None:
            sections[-1][2].append(line)
        else:
            sections.append((number, marker_title, []))
    return sections


def _article(rel: str, position: int, draft: _Draft, body: str) -> Article:
    return Article(
        id=f"{rel}#{position}",
        path=rel,
        title=draft.title or None,
        published=draft.published,
        source=draft.source,
        body=body,
        lang=detect_language(body),
    )


def _parse_text(text: str, rel: str) -> ReadResult:
    return _articles_from_text(text, rel)


# ---------------------------------------------------------------- HTML

_DROP_TAGS = ("script", "style", "noscript", "template", "svg", "iframe", "nav", "header",
              "footer", "aside", "form", "button", "select")
_BLOCK_TAGS = frozenset(
    "address article blockquote body dd details dialog div dl dt fieldset figcaption figure h1 "
    "h2 h3 h4 h5 h6 hr li main ol p pre section summary table tbody td tfoot th thead tr ul"
    .split()
)
_DATE_META = ("article:published_time", "og:published_time", "datepublished", "date", "pubdate",
              "publishdate", "publish_date", "dc.date", "dc.date.issued", "dcterms.created")
_SPACES_RE = re.compile(r"\s+")
_TITLE_SUFFIX_RE = r"\s*[|\-–—:]\s*{}\s*$"


def _meta(tree: LexborHTMLParser) -> dict[str, str]:
    """``<meta>`` contents keyed by lowercased property/name/itemprop (first one wins)."""
    found: dict[str, str] = {}
    for node in tree.css("meta"):
        attrs = node.attributes
        content = (attrs.get("content") or "").strip()
        for key in ("property", "name", "itemprop"):
            name = (attrs.get(key) or "").strip().lower()
            if name and content:
                found.setdefault(name, content)
    return found


def _node_text(node: LexborNode | None) -> str:
    return " ".join((node.text() or "").split()) if node is not None else ""


def _block_text(root: LexborNode) -> str:
    """Text of ``root`` with one line per block element and ``<br>``, spaces collapsed."""
    parts: list[str] = []
    block_of: dict[int, int] = {}
    last_block = None
    for node in root.traverse(include_text=True):
        if node.tag == "br":
            parts.append("\n")
        elif node.is_text_node:
            text = _SPACES_RE.sub(" ", node.text_content or "")  # source newlines are spaces
            block = _nearest_block(node, block_of)
            if block != last_block:
                if not text.strip():
                    continue  # indentation between blocks is not a line of its own
                parts.append("\n")
                last_block = block
            parts.append(text)
    return "\n".join(" ".join(line.split()) for line in "".join(parts).split("\n"))


def _nearest_block(node: LexborNode, cache: dict[int, int]) -> int:
    """Identity of the closest block-level ancestor (0 for none), memoised per element."""
    parent = node.parent
    chain = []
    while parent is not None and parent.mem_id not in cache:
        chain.append(parent.mem_id)
        if parent.tag in _BLOCK_TAGS:
            cache[parent.mem_id] = parent.mem_id
            break
        parent = parent.parent
    block = cache.get(parent.mem_id, 0) if parent is not None else 0
    for mem_id in chain:
        cache[mem_id] = block
    return block


def _parse_html(text: str, rel: str) -> ReadResult:
    from selectolax.lexbor import LexborHTMLParser  # only HTML files need it

    tree = LexborHTMLParser(text)
    meta = _meta(tree)
    source = meta.get("og:site_name") or None
    title = (meta.get("og:title") or meta.get("twitter:title")
             or _node_text(tree.css_first("title")) or _node_text(tree.css_first("h1")))
    if title and source:
        title = re.sub(_TITLE_SUFFIX_RE.format(re.escape(source)), "", title) or title
    published = next(filter(None, (parse_date(meta[k]) for k in _DATE_META if k in meta)), None)
    if published is None and (time := tree.css_first("time[datetime]")):
        published = parse_date(time.attributes.get("datetime") or "")
    for tag in _DROP_TAGS:
        for node in tree.css(tag):
            node.decompose()
    root = tree.css_first("article") or tree.css_first("main") or tree.body or tree.root
    body_text = _block_text(root) if root is not None else ""
    return _articles_from_text(body_text, rel, title=title or None, published=published,
                               source=source)


# ---------------------------------------------------------------- records (JSON, JSONL, CSV)

_TITLE_FIELDS = ("title", "headline", "heading")
_TEXT_FIELDS = ("text", "body", "content", "article", "article_text", "full_text", "story")
_DATE_FIELDS = ("date", "published", "published_at", "publishedat", "pubdate",
                "publish_date", "date_published", "datepublished", "time", "datetime")
_SOURCE_FIELDS = ("source", "src", "outlet", "site", "site_name", "publisher")


def _field(record: Mapping[str, object], names: Sequence[str]) -> object:
    """The first non-empty value among ``names`` (keys compared case-insensitively)."""
    lowered = {str(key).strip().lower(): value for key, value in record.items()}
    for name in names:
        value = lowered.get(name)
        if value not in (None, "", [], {}):
            return value
    return None


def _as_text(value: object) -> str | None:
    """A string field; an outlet given as ``{"name": ...}`` (NewsAPI style) also counts."""
    if isinstance(value, Mapping):
        value = value.get("name")
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return None
    return " ".join(value.split()) or None


def _record_article(record: object, rel: str, index: int, where: str,
                    label: str) -> Article | Skipped:
    """One JSON/CSV record as an article, or why it is skipped."""
    if not isinstance(record, Mapping):
        return Skipped(where, f"{label}: not an object with article fields")
    text = _field(record, _TEXT_FIELDS)
    if not isinstance(text, str) or not text.strip():
        return Skipped(where, f"{label}: no article text (expected a field named one of "
                              f"{', '.join(_TEXT_FIELDS[:4])})")
    draft = _Draft(title=_as_text(_field(record, _TITLE_FIELDS)),
                   published=_date_from_value(_field(record, _DATE_FIELDS)),
                   source=_as_text(_field(record, _SOURCE_FIELDS)))
    # A record is one article: no title-from-first-line and no "read also" splitting here.
    lines = _NEWLINES_RE.sub("\n", text).split("\n")
    body = _body(lines, draft, take_title=False)
    if not body:
        return Skipped(where, f"{label}: no article text after removing boilerplate")
    return _article(rel, index, draft, body)


# A record as read: the parsed value, or the ValueError that says why it could not be read.
_Loaded = tuple[int, str, str, object]


def _collect(items: Iterable[_Loaded], rel: str) -> ReadResult:
    """Articles from ``(index, where, label, record or ValueError)`` items."""
    articles: list[Article] = []
    skipped: list[Skipped] = []
    for index, where, label, record in items:
        result = (Skipped(where, f"{label}: {record}") if isinstance(record, ValueError)
                  else _record_article(record, rel, index, where, label))
        if isinstance(result, Article):
            articles.append(result)
        else:
            skipped.append(result)
    return ReadResult(articles, skipped)


def _loads(text: str) -> object:
    """Parsed JSON, or a ValueError naming what is wrong (returned, not raised)."""
    try:
        return json.loads(text)
    except RecursionError:
        return ValueError("malformed JSON (nested too deeply)")
    except json.JSONDecodeError as exc:
        return ValueError(f"malformed JSON ({exc.msg})")


def _parse_json(text: str, rel: str) -> ReadResult:
    """A ``.json`` file: one article object or a list of them."""
    data = _loads(text)
    if isinstance(data, ValueError):
        return _skip(rel, str(data))
    records = data if isinstance(data, list) else [data]
    return _collect(((i, f"{rel}#record {i + 1}", f"record {i + 1}", record)
                     for i, record in enumerate(records)), rel)


def _parse_jsonl(text: str, rel: str) -> ReadResult:
    """A ``.jsonl`` file: one article object per line."""
    # The index counts every line, blank ones included, so ids survive fixing a bad line.
    return _collect(((i, f"{rel}#line {i + 1}", f"line {i + 1}", _loads(line))
                     for i, line in enumerate(text.split("\n")) if line.strip()), rel)


def _parse_csv(text: str, rel: str) -> ReadResult:
    """A ``.csv`` file with a header row; the delimiter is sniffed among ``, ; tab``."""
    # Articles are long; the default 128 KB field limit would reject them (raising is harmless).
    csv.field_size_limit(max(csv.field_size_limit(), DEFAULT_MAX_BYTES))
    try:
        dialect: type[csv.Dialect] | str = csv.Sniffer().sniff(text[:8192], delimiters=",;\t")
    except csv.Error:
        dialect = "excel"
    rows = csv.reader(io.StringIO(text, newline=""), dialect)
    header = [name.strip() for name in next(rows, [])]
    if not any(name.lower() in _TEXT_FIELDS for name in header):
        return _skip(rel, "CSV header has no text column (expected one of "
                          f"{', '.join(_TEXT_FIELDS[:4])})")
    return _collect(_csv_records(rows, header, rel), rel)


def _csv_records(rows: Iterator[list[str]], header: list[str], rel: str) -> Iterator[_Loaded]:
    """Data rows as records; a row the csv module cannot read ends the file there."""
    number = 0
    while True:
        number += 1
        try:
            row = next(rows)
        except StopIteration:
            return
        except csv.Error as exc:
            yield number - 1, f"{rel}#row {number}", f"row {number}", ValueError(
                f"malformed CSV, reading stopped here ({exc})")
            return
        if any(cell.strip() for cell in row):
            yield number - 1, f"{rel}#row {number}", f"row {number}", _csv_record(header, row)


def _csv_record(header: list[str], row: list[str]) -> dict[str, str] | ValueError:
    if len(row) != len(header):
        return ValueError(f"expected {len(header)} fields, found {len(row)}")
    return dict(zip(header, row, strict=True))


_PARSERS: dict[str, Callable[[str, str], ReadResult]] = {
    ".txt": _parse_text,
    ".md": _parse_text,
    ".html": _parse_html,
    ".htm": _parse_html,
    ".json": _parse_json,
    ".jsonl": _parse_jsonl,
    ".csv": _parse_csv,
}
