"""Arabic and English text utilities for matching: normalisation, sentences, language, tokens.

Nothing here changes the text it is given. ``normalize`` returns a *separate* string meant only
for comparison, and every span returned (``split_sentences``, ``token_spans``) is an offset into
the original text, so a citation can always quote the source exactly.

The stopword lists are written here by hand rather than taken from a package: the PyPI lists we
looked at (``arabic-stopwords``) hold thousands of inflected forms, which would remove content
words from BM25, and adding a dependency for two short lists is not worth it.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Literal

__all__ = [
    "STOPWORDS_AR",
    "STOPWORDS_EN",
    "detect_language",
    "normalize",
    "split_sentences",
    "token_spans",
    "tokenize",
]

# Arabic combining marks: Quranic annotation signs, harakat (fathatan .. sukun and the rarer
# marks up to U+065F), superscript alef, and the small high/low Quranic marks.
_MARKS = (
    "\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e4\u06e7\u06e8\u06ea-\u06ed"
)
# Invisible characters that web text carries inside and around words.
_INVISIBLE = "\u00ad\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff"
_TATWEEL = "\u0640"

_FOLD: dict[int, str | None] = {
    **{ord(c): "\u0627" for c in "\u0622\u0623\u0625\u0671\u0672\u0673"},  # alef forms -> ا
    0x0649: "\u064a",  # alef maqsura -> ya
    0x06CC: "\u064a",  # Persian ya, common in Gulf and Persian-keyboard text
    0x06A9: "\u0643",  # keheh -> kaf, same reason
    0x0629: "\u0647",  # taa marbuta -> ha
    ord(_TATWEEL): None,
    **{0x0660 + i: str(i) for i in range(10)},  # Arabic-Indic digits
    **{0x06F0 + i: str(i) for i in range(10)},  # Eastern Arabic-Indic digits
}


def _char_range(spec: str) -> list[int]:
    """Code points of a regex-style character class body such as ``"a-cx"``."""
    points: list[int] = []
    for first, last in re.findall(r"(.)(?:-(.))?", spec, flags=re.S):
        points.extend(range(ord(first), ord(last or first) + 1))
    return points


def _build_fold_table() -> dict[int, str | None]:
    table = dict(_FOLD)
    for point in _char_range(_MARKS) + _char_range(_INVISIBLE):
        table[point] = None
    # Presentation forms (from PDFs and old sites) fold to the plain letters they show; a form
    # whose expansion holds a space (the honorific ligatures) is left alone, so that the
    # normalised text has the same word boundaries as the original.
    for point in [*range(0xFB50, 0xFE00), *range(0xFE70, 0xFEFD)]:
        expansion = unicodedata.normalize("NFKC", chr(point))
        if expansion != chr(point) and " " not in expansion:
            table[point] = expansion.translate(table)
    return table


_FOLD_TABLE = _build_fold_table()


def normalize(text: str) -> str:
    """Fold text for matching: never store or display the result.

    Folds the alef forms (أ إ آ ٱ) to ا, ى to ي, ة to ه, Arabic-Indic digits to ASCII; removes
    tatweel, diacritics and invisible (zero-width, bidi) marks; casefolds Latin.

    Args:
        text (str): any text.

    Returns:
        str: the folded text (may be shorter than ``text``).

    Example:
        >>> normalize("إِتّفاقيّة الدفاع ٢٠٢٤")
        'اتفاقيه الدفاع 2024'
    """
    return text.translate(_FOLD_TABLE).casefold()


# ---------------------------------------------------------------- tokens

_WORD_CHAR = rf"(?:[^\W_]|[{_MARKS}{_TATWEEL}])"
# Invisible marks glue the pieces of a word together, as normalisation removes them.
_TOKEN_RE = re.compile(rf"{_WORD_CHAR}+(?:[{_INVISIBLE}]+{_WORD_CHAR}+)*")


def token_spans(text: str) -> list[tuple[int, int, str]]:
    """Word tokens with their offsets into ``text``.

    Args:
        text (str): any text.

    Returns:
        list[tuple[int, int, str]]: ``(start, end, token)`` where ``text[start:end]`` is the word
        as written and ``token`` is its normalised form. Tokens that normalise to nothing (a lone
        tatweel or diacritic) are left out.

    Example:
        >>> token_spans("وقّع الدبيبة")
        [(0, 4, 'وقع'), (5, 12, 'الدبيبه')]
    """
    spans = []
    for match in _TOKEN_RE.finditer(text):
        token = normalize(match.group())
        if token:
            spans.append((match.start(), match.end(), token))
    return spans


def tokenize(text: str) -> list[str]:
    """Normalised word tokens (letters and digits of any script; punctuation dropped).

    Same tokens as :func:`token_spans`, computed on the whole normalised text at once because
    BM25 indexing calls this for every chunk.

    Args:
        text (str): any text.

    Returns:
        list[str]: the tokens, in order.

    Example:
        >>> tokenize("أكّد الدبيبة، الجمعة: 3.5 مليار!")
        ['اكد', 'الدبيبه', 'الجمعه', '3', '5', 'مليار']
    """
    return _TOKEN_RE.findall(normalize(text))


# ---------------------------------------------------------------- language

_ARABIC_LETTER_RE = re.compile(r"[\u0620-\u063f\u0641-\u064a\u066e-\u06d3\u06d5\u06fa-\u06ff"
                               r"\u0750-\u077f\u08a0-\u08c9\ufb50-\ufdfb\ufe70-\ufefc]")


def detect_language(text: str) -> Literal["ar", "en"]:
    """Tell Arabic from everything else by counting letters.

    Args:
        text (str): any text.

    Returns:
        Literal["ar", "en"]: ``"ar"`` when Arabic letters are more than half of the letters,
        otherwise ``"en"`` (also for empty text or text without letters).

    Example:
        >>> detect_language("ما هي بنود الاتفاقية مع NATO؟")
        'ar'
    """
    letters = sum(map(str.isalpha, text))  # a third of the time of a regex over letters
    arabic = len(_ARABIC_LETTER_RE.findall(text))
    return "ar" if letters and arabic * 2 > letters else "en"


# ---------------------------------------------------------------- sentences

_LINE_RE = re.compile(r"[^\n\r\v\f\x1c-\x1e\x85\u2028\u2029]+")
# A run of terminators plus the closing quotes or brackets that belong to the sentence.
# The Arabic semicolon joins clauses (and separates items inside brackets), so it is no end.
_TERMINATOR_RE = re.compile(r"[.!?؟…\u06d4]+[\"'”’»)\]]*")
_ALWAYS_BREAKS = frozenset("؟…\u06d4")
_ARABIC_BASE_RE = re.compile(r"[\u0620-\u064a]")
_WORD_BEFORE_RE = re.compile(r"((?:[^\W\d_]+\.)*[^\W\d_]+)$")
_LOWER_AFTER_RE = re.compile(r"\s+[a-z]")
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof sr jr st mt gen col lt sgt capt cpt maj adm gov sen rep pres rev hon "
    "inc ltd co corp bros dept univ est approx vs etc no nos vol fig al jan feb mar apr jun jul "
    "aug sep sept oct nov dec".split()
)


def _is_abbreviation(line: str, dot: int) -> bool:
    """Whether the ``.`` at ``line[dot]`` ends an abbreviation (Dr., U.S., د.) not a sentence."""
    match = _WORD_BEFORE_RE.search(line, max(0, dot - 40), dot)
    if not match:
        return False
    word = match.group(1)
    return len(word) == 1 or "." in word or word.casefold() in _ABBREVIATIONS


def _is_break(line: str, match: re.Match[str]) -> bool:
    """Whether a run of terminators ends a sentence."""
    end = match.end()
    marks = match.group()
    if any(mark in _ALWAYS_BREAKS for mark in marks):
        return True
    if end == len(line) or line[end].isspace():
        if marks.rstrip("\"'”’»)]") == ".":
            return not (_is_abbreviation(line, match.start())
                        or _LOWER_AFTER_RE.match(line, end))
        return True
    # Scraped Arabic often drops the space after a full stop: "الليبي.وأضاف".
    return bool(match.start() and _ARABIC_BASE_RE.match(line, match.start() - 1)
                and _ARABIC_BASE_RE.match(line, end))


def _trimmed(text: str, start: int, end: int) -> tuple[int, int] | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if end > start else None


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans for Arabic and English text.

    Sentences end at ``. ! ? ؟ …`` (with any closing quotes) and at every line break. A full
    stop does not end a sentence inside a number (``3.5``), after an initial or abbreviation
    (``U.S.``, ``Dr.``, ``د.``) or before a lowercase Latin word. The Arabic comma ``،`` and
    semicolon ``؛`` never end a sentence: they join clauses of one statement.

    Args:
        text (str): any text.

    Returns:
        list[tuple[int, int]]: ``(start, end)`` offsets into ``text``, in order, never empty,
        with no surrounding whitespace: ``text[start:end].strip() == text[start:end]``.

    Example:
        >>> text = "وقعت ليبيا الاتفاقية. هل تشمل التدريب؟ نعم"
        >>> [text[s:e] for s, e in split_sentences(text)]
        ['وقعت ليبيا الاتفاقية.', 'هل تشمل التدريب؟', 'نعم']
    """
    spans: list[tuple[int, int]] = []
    for line_match in _LINE_RE.finditer(text):
        line_start = line_match.start()
        line = line_match.group()
        start = 0
        for match in _TERMINATOR_RE.finditer(line):
            if _is_break(line, match):
                span = _trimmed(text, line_start + start, line_start + match.end())
                if span:
                    spans.append(span)
                start = match.end()
        span = _trimmed(text, line_start + start, line_match.end())
        if span:
            spans.append(span)
    return spans


# ---------------------------------------------------------------- stopwords

def _normalized_set(words: str) -> frozenset[str]:
    return frozenset(normalize(word) for word in words.split())


STOPWORDS_AR: frozenset[str] = _normalized_set(
    """
    في من على إلى الى عن مع عند لدى منذ حتى بين خلال ضد نحو حول دون بعد قبل فوق تحت أمام خلف
    عبر لدي ل ب ك و ف ثم أو أم بل لكن لكنّ غير سوى إلا ألا أن إن أنّ إنّ كأن لأن لان لعل ليت
    قد لقد لم لن لا ما لما كما مما فيما بما ربما إذ إذا اذا إذن لو لولا كي لكي حيث حين عندما بينما
    هذا هذه هذان هاتان هؤلاء ذلك تلك ذلكم أولئك هنا هناك هنالك
    الذي التي الذين اللذان اللتان اللاتي اللواتي اللائي
    هو هي هم هن هما أنا نحن أنت أنتم أنتن أنتما إياه إياها إياهم
    له لها لهم لهن لهما به بها بهم فيه فيها فيهم منه منها منهم عنه عنها عنهم عليه عليها عليهم
    إليه إليها إليهم معه معها معهم
    كان كانت كانوا يكون تكون أصبح أصبحت ليس ليست ظل ظلت بات مازال ما زال لايزال
    كل بعض أي أيّ أية غير نفس ذات عدة كافة جميع أيضا أيضاً فقط كذلك هكذا جدا
    ماذا متى أين كيف كم هل لماذا لمَ أيان أنى
    ماهو ماهي بماذا لماذا ممن لمن عما بكم بأي لأي ومتى وكيف وكم وأين ولماذا وهل ومن أيهما
    يا أما إما سواء وقد وقال وكان وفي ومن وعلى وأن وإن ولا ولم وما وهو وهي وهذا وهذه
    """
)

STOPWORDS_EN: frozenset[str] = _normalized_set(
    """
    a an the and or but nor so yet if then else than that this these those there here
    of in on at to from by for with without about against between into through during before
    after above below over under up down out off again further once onto upon within via
    is am are was were be been being have has had having do does did doing will would shall
    should can could may might must ought
    i me my myself we us our ours ourselves you your yours yourself yourselves he him his himself
    she her hers herself it its itself they them their theirs themselves
    not no only own same such too very just also both each few more most other some any all
    as because until while s t don now
    what which who whom whose when where why how whether
    """
)
