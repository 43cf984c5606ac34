"""Date mentions in Arabic and English news text, normalised to ISO dates.

Finding is done with regexes compiled once at import (dateparser's own search is slow and
noisy); converting uses the month, weekday and ordinal tables below. Matching runs on a
normalised copy of the text (alef forms, alef maqsura, taa marbuta, diacritics, tatweel,
Arabic-Indic digits), but every offset points into the original text.

Example:
    >>> from datetime import date
    >>> [m.date.isoformat() for m in find_dates("وقعت تركيا وليبيا في 27 نوفمبر 2019")]
    ['2019-11-27']
    >>> m = find_dates("خلال لقاء صباح اليوم الجمعة", reference=date(2024, 3, 1))[0]
    >>> m.date, m.relative
    (datetime.date(2024, 3, 1), True)
"""

from __future__ import annotations

import bisect
import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

__all__ = ["DateMention", "find_dates", "parse_date", "question_dates"]

Precision = Literal["day", "month", "year"]

MIN_YEAR = 1900
MAX_YEAR = 2100

# Characters folded one-to-one before matching; spelling varies between outlets and keyboards.
_FOLD = str.maketrans(
    {
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ى": "ي",
        "ی": "ي",  # Persian yeh, common from Persian keyboards
        "ک": "ك",
        "ة": "ه",
        **{chr(0x0660 + i): str(i) for i in range(10)},  # Arabic-Indic digits
        **{chr(0x06F0 + i): str(i) for i in range(10)},  # Extended (Persian/Urdu) digits
    }
)
# Characters dropped before matching: harakat, superscript alef, tatweel, and the invisible
# direction marks that editors sprinkle between numbers and Arabic words.
_INVISIBLE = "\u0640\u200b\u200c\u200d\u200e\u200f\u061c\ufeff"
_DROP = re.compile(f"[\u064b-\u065f\u0670{_INVISIBLE}]")

MONTHS: dict[str, int] = {
    # Egyptian / Gulf
    "يناير": 1, "فبراير": 2, "مارس": 3, "أبريل": 4, "إبريل": 4, "ابريل": 4, "مايو": 5,
    "يونيو": 6, "يونيه": 6, "يوليو": 7, "يوليه": 7, "أغسطس": 8, "اغسطس": 8, "سبتمبر": 9,
    "أكتوبر": 10, "اكتوبر": 10, "نوفمبر": 11, "ديسمبر": 12,
    # Levantine / Iraqi
    "كانون الثاني": 1, "شباط": 2, "آذار": 3, "نيسان": 4, "أيار": 5, "حزيران": 6,
    "تموز": 7, "آب": 8, "أيلول": 9, "تشرين الأول": 10, "تشرين الثاني": 11,
    "كانون الأول": 12,
    # Maghrebi: Algeria/Tunisia, then Morocco
    "جانفي": 1, "فيفري": 2, "أفريل": 4, "ماي": 5, "جوان": 6, "جويلية": 7, "جويلة": 7,
    "أوت": 8, "يوليوز": 7, "غشت": 8, "شتنبر": 9, "نونبر": 11, "دجنبر": 12,
}
MONTHS_EN: dict[str, int] = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
}
MONTHS_EN_ABBR: dict[str, int] = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
    "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}
# Monday is 0, as in datetime.date.weekday().
WEEKDAYS: dict[str, int] = {
    "الاثنين": 0, "الإثنين": 0, "الاتنين": 0, "الثلاثاء": 1, "الأربعاء": 2, "الخميس": 3,
    "الجمعة": 4, "السبت": 5, "الأحد": 6,
}
WEEKDAYS_EN: dict[str, int] = {
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5,
    "sunday": 6,
}
WEEKDAYS_EN_ABBR = ("mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun")

# Ordinal day words as in "الثالث من أكتوبر": masculine and feminine forms of each unit.
_UNITS: dict[int, tuple[str, ...]] = {
    1: ("الحادي", "الحادية", "الواحد"),
    2: ("الثاني", "الثانية"),
    3: ("الثالث", "الثالثة"),
    4: ("الرابع", "الرابعة"),
    5: ("الخامس", "الخامسة"),
    6: ("السادس", "السادسة"),
    7: ("السابع", "السابعة"),
    8: ("الثامن", "الثامنة"),
    9: ("التاسع", "التاسعة"),
}
_TENS: dict[int, tuple[str, ...]] = {20: ("العشرين", "العشرون"), 30: ("الثلاثين", "الثلاثون")}


def _ordinal_table() -> dict[str, int]:
    table: dict[str, int] = {"الأول": 1, "الأولى": 1, "العاشر": 10, "العاشرة": 10}
    for n, forms in _UNITS.items():
        for unit in forms:
            if n > 1:  # "الحادي" alone is no ordinal; "الأول" is, below
                table[unit] = n
            for teen in ("عشر", "عشرة"):
                table[f"{unit} {teen}"] = 10 + n
            for tens, tens_forms in _TENS.items():
                for t in tens_forms:
                    table[f"{unit} و{t}"] = tens + n
    for tens, tens_forms in _TENS.items():
        for t in tens_forms:
            table[t] = tens
    return {k: v for k, v in table.items() if v <= 31}


ORDINALS: dict[str, int] = _ordinal_table()

# Words that turn a bare weekday into a time phrase ("صباح الجمعة", "يوم الجمعة").
TIME_OF_DAY = ("صباح", "مساء", "ظهر", "ظهيرة", "عصر", "فجر", "ليلة", "ليل")
PAST_MARKERS = ("الماضي", "الماضية", "المنصرم", "المنصرمة", "الفائت", "الفائتة")
FUTURE_MARKERS = ("المقبل", "المقبلة", "القادم", "القادمة")
# "اليوم" after these is a name or "that day", not today.
NOT_TODAY_BEFORE = ("ذلك", "تلك", "نفس", "ذات", "هذا", "المصري", "روسيا", "فلسطين")


def _fold(s: str) -> str:
    return _DROP.sub("", s).translate(_FOLD)


def _key(s: str) -> str:
    """Lookup key for a matched phrase: folded, lower-case, single spaces, no dots."""
    return " ".join(_fold(s).lower().replace(".", " ").split())


def _alt(words: Iterable[str], *, titled: bool = False) -> str:
    """Regex alternation, longest first; spaces match any run of horizontal space."""
    keys = {_fold(w) for w in words}
    if titled:  # English names are capitalised in news; "may" and "sun" are common words.
        keys = {v for k in keys for v in (k.capitalize(), k.upper())}
    ordered = sorted(keys, key=len, reverse=True)
    return "(?:" + "|".join(re.escape(k).replace(r"\ ", _S) for k in ordered) + ")"


def _lead(*words: str) -> str:
    """Lookahead for the first letters a family can start with.

    Checking one character class first lets the regex engine skip most positions before it
    tries the costlier word-boundary lookbehinds (several times faster on long articles).
    """
    chars = {c for w in words for c in (_fold(w)[:1], w[:1].upper(), w[:1].lower()) if c}
    return "(?=[" + re.escape("".join(sorted(chars))) + "])"


_S = r"[^\S\n]+"  # horizontal space: a date never spans a line break
_S0 = r"[^\S\n]*"
# Start of a word, allowing the attached clitics و/ف and ب/ل ("وبنوفمبر", "لعام").
_B = r"(?:(?<!\w)|(?<=(?<!\w)[وفبل])|(?<=(?<!\w)[وف][بل]))"
_NUM_B = _B + r"(?<![0-9][.,:/])"  # not the tail of a decimal or a time

_MONTH_AR = _alt(MONTHS) + r"(?!\w)"
_MONTH_EN = (
    "(?:" + _alt(MONTHS_EN, titled=True) + "|" + _alt(MONTHS_EN_ABBR, titled=True) + r"\.?)(?!\w)"
)
_MONTH = f"(?:{_MONTH_AR}|{_MONTH_EN})"
# "تشرين الثاني/نوفمبر", "كانون الثاني (يناير)": the second name repeats the first.
_MONTH_PAIR = rf"(?:شهر{_S})?(?P<mo>{_MONTH})(?:{_S0}/{_S0}{_MONTH}|{_S0}\({_S0}{_MONTH}{_S0}\))?"
_YEAR = r"(?P<y>[0-9]{4})(?:[^\S\n]?م)?(?!\w)"  # "2019م": م marks the Gregorian year
_YEAR_TAIL = rf"{_S0}[,،]?{_S0}(?:(?:(?i:of)|من){_S})?(?:(?:ال)?(?:عام|سنه){_S})?{_YEAR}"
_DAY = r"(?P<d>[0-9]{1,2})(?![0-9])(?:(?i:st|nd|rd|th)(?!\w))?"
_WEEKDAY_AR = _alt(WEEKDAYS) + r"(?!\w)"
_WEEKDAY_EN = _alt(WEEKDAYS_EN, titled=True) + r"(?!\w)"
# A weekday written before a full date names the same day: "الجمعة 1 مارس", "Fri, 01 Mar".
_WEEKDAY_PREFIX = (
    rf"(?:(?:يوم{_S})?{_WEEKDAY_AR}{_S0}[,،]?{_S0}(?:الموافق{_S})?"
    rf"|(?:{_WEEKDAY_EN}|{_alt(WEEKDAYS_EN_ABBR, titled=True)}\.?(?!\w)){_S0},?{_S0})?"
)
_TOD = _alt(TIME_OF_DAY) + r"(?!\w)"
_ALL_MONTHS = (*MONTHS, *MONTHS_EN)
_ALL_WEEKDAYS = (*WEEKDAYS, *WEEKDAYS_EN, "يوم")
_DIGITS = tuple("0123456789")

_NUMERIC_DMY = re.compile(
    _lead(*_DIGITS)
    + _NUM_B
    + r"(?P<m>(?P<d>[0-9]{1,2})(?P<sep>[/.\-])(?P<mo>[0-9]{1,2})(?P=sep)(?P<y>[0-9]{4}))"
    + r"(?![0-9]|[/.\-][0-9])"
)
_NUMERIC_YMD = re.compile(
    _lead(*_DIGITS)
    + _NUM_B
    + r"(?P<m>(?P<y>[0-9]{4})(?P<sep>[/.\-])(?P<mo>[0-9]{1,2})(?P=sep)(?P<d>[0-9]{1,2}))"
    + r"(?![0-9]|[/.\-][0-9])"
)
_DAY_MONTH = re.compile(
    _lead(*_DIGITS, *_ALL_WEEKDAYS)
    + _NUM_B
    + rf"(?P<m>{_WEEKDAY_PREFIX}{_DAY}{_S0}[,،]?{_S0}(?:(?:(?i:of)|من){_S})?"
    + rf"{_MONTH_PAIR}(?:{_YEAR_TAIL})?)"
)
# Month first is English usage only; in Arabic "مارس 15" is usually a month and a count.
_MONTH_DAY = re.compile(
    _lead(*MONTHS_EN, *_ALL_WEEKDAYS)
    + _B
    + rf"(?P<m>{_WEEKDAY_PREFIX}(?P<mo>{_MONTH_EN}){_S}{_DAY}(?:{_YEAR_TAIL})?)"
)
_ORDINAL_MONTH = re.compile(
    _lead(*ORDINALS)
    + _B
    + rf"(?P<m>(?P<ord>{_alt(ORDINALS)})(?!\w){_S}من{_S}{_MONTH_PAIR}(?:{_YEAR_TAIL})?)"
)
_MONTH_YEAR = re.compile(
    _lead(*_ALL_MONTHS, "شهر") + _B + rf"(?P<m>{_MONTH_PAIR}{_YEAR_TAIL})"
)
# A bare number is never a year ("2019 عنصرا"): a year word makes it one, and is part of
# the mention ("عام 2019"); a preposition makes it one too, and is not ("في 2019").
_YEAR_WORDS = ("عام", "العام", "للعام", "سنة", "السنة", "the year")
_YEAR_PREPOSITIONS = ("في", "منذ", "خلال", "حتى", "مطلع", "أوائل", "أواخر", "منتصف")
_YEAR_PREPOSITIONS_EN = ("in", "since", "during", "until", "early", "late", "mid-", "mid")
_YEAR_PHRASE = re.compile(
    _lead(*_YEAR_WORDS, *_YEAR_PREPOSITIONS, *_YEAR_PREPOSITIONS_EN)
    + _B
    + rf"(?:(?P<m>(?:{_alt(_YEAR_WORDS)}|(?i:the{_S}year)){_S}(?P<y>[0-9]{{4}}))"
    + rf"|(?:{_alt(_YEAR_PREPOSITIONS)}|(?i:{'|'.join(_YEAR_PREPOSITIONS_EN)}))"
    + rf"{_S0}(?P<m2>(?P<y2>[0-9]{{4}})))(?:[^\S\n]?م)?(?!\w)"
)
_RELATIVE_AR = re.compile(
    _lead(*TIME_OF_DAY, *WEEKDAYS, "يوم", "أول", "أمس", "اليوم", "بعد", "غدا")
    + _B
    + r"(?P<m>"
    + rf"(?:(?P<tod>{_TOD}){_S})?(?:(?P<yawm>اليوم|يوم){_S})?(?P<wd>{_WEEKDAY_AR})"
    + rf"(?:{_S}(?P<dir>{_alt(PAST_MARKERS + FUTURE_MARKERS)})(?!\w))?"
    + rf"|(?:(?:{_TOD}|يوم){_S})?(?P<before>اول{_S}(?:من{_S})?)?(?P<ams>(?:ال)?امس)(?!\w)"
    + rf"(?!{_S}القريب)"
    + "|"
    + "".join(f"(?<!{_fold(w)} )" for w in NOT_TODAY_BEFORE)
    + rf"(?:{_TOD}{_S})?(?P<today>اليوم)(?!\w)(?!{_S0}ال)"
    + rf"|(?P<after>بعد{_S}غد)(?!\w)"
    + rf"|(?P<tomorrow>غدا|(?:{_TOD}|يوم){_S}الغد)(?!\w)"
    + ")"
)
_RELATIVE_EN = re.compile(
    _lead("on", "last", "next", "the", "today", "yesterday", "tomorrow", *WEEKDAYS_EN)
    + _B
    + rf"(?:(?i:on){_S})?(?P<m>(?:(?P<dir>(?i:last|next)){_S})?(?P<wd>{_WEEKDAY_EN})"
    + rf"|(?P<dby>(?i:the{_S}day{_S}before{_S}yesterday))"
    + r"|(?P<rel>(?i:today|yesterday|tomorrow)))(?!\w)"
)
_BARE_YEAR = re.compile(r"(?<![\w.,/:\-])(?P<m>(?P<y>[0-9]{4}))(?!\w|[.,/:\-][0-9])")

# A candidate whose date is None is an impossible date ("30 فبراير 2020"): it is never
# reported, but it still claims its span so that "فبراير 2020" inside it is not reported either.
_Candidate = tuple[int, int, "datetime.date | None", Precision, bool]


@dataclass(frozen=True)
class DateMention:
    """One date mentioned in a text.

    Attributes:
        start (int): offset of the mention's first character in the text given.
        end (int): offset just past the mention: ``text[start:end]`` is the mention.
        date (datetime.date): the resolved date; the first day of the month or year when
            ``precision`` is coarser than a day.
        precision (Literal["day", "month", "year"]): how much of the date the text states.
        relative (bool): True when the date was resolved against a reference date
            ("اليوم الجمعة", "yesterday", "27 نوفمبر" with no year).
    """

    start: int
    end: int
    date: datetime.date
    precision: Precision
    relative: bool


def _make(y: int, mo: int, d: int) -> datetime.date | None:
    if not MIN_YEAR <= y <= MAX_YEAR:
        return None
    try:
        return datetime.date(y, mo, d)
    except ValueError:  # 31 February and the like
        return None


# The tables keyed as matched text is looked up: folded, lower-case.
_MONTH_OF = {_key(k): v for t in (MONTHS, MONTHS_EN, MONTHS_EN_ABBR) for k, v in t.items()}
_WEEKDAY_OF = {_key(k): v for t in (WEEKDAYS, WEEKDAYS_EN) for k, v in t.items()}
_ORDINAL_OF = {_key(k): v for k, v in ORDINALS.items()}
_FUTURE = frozenset(_key(w) for w in FUTURE_MARKERS)


def _on_or_before(ref: datetime.date, weekday: int, *, strict: bool = False) -> datetime.date:
    back = (ref.weekday() - weekday) % 7
    return ref - datetime.timedelta(days=back or (7 if strict else 0))


def _after(ref: datetime.date, weekday: int) -> datetime.date:
    ahead = (weekday - ref.weekday()) % 7
    return ref + datetime.timedelta(days=ahead or 7)


def _shift(ref: datetime.date, days: int) -> datetime.date:
    return ref + datetime.timedelta(days=days)


def _day_month(
    m: re.Match[str], day: int, ref: datetime.date | None
) -> tuple[datetime.date | None, bool] | None:
    """Resolve a day and month, with the stated year or else the reference's (relative)."""
    mo = _MONTH_OF[_key(m["mo"])]
    if m["y"]:
        return _make(int(m["y"]), mo, day), False
    if ref is None:
        return None
    d = _make(ref.year, mo, day)
    if d is not None and d > ref:  # news reports the past: "27 نوفمبر" in March is last year's
        d = _make(ref.year - 1, mo, day)
    return (d, True) if d else None


def _numeric(m: re.Match[str], ref: datetime.date | None) -> _Candidate | None:
    return (*m.span("m"), _make(int(m["y"]), int(m["mo"]), int(m["d"])), "day", False)


def _day_first(m: re.Match[str], ref: datetime.date | None) -> _Candidate | None:
    day = _ORDINAL_OF[_key(m["ord"])] if "ord" in m.re.groupindex else int(m["d"])
    got = _day_month(m, day, ref)
    return (*m.span("m"), got[0], "day", got[1]) if got else None


def _month_year(m: re.Match[str], ref: datetime.date | None) -> _Candidate | None:
    d = _make(int(m["y"]), _MONTH_OF[_key(m["mo"])], 1)
    return (*m.span("m"), d, "month", False) if d else None


def _year(m: re.Match[str], ref: datetime.date | None) -> _Candidate | None:
    group = "m" if m["m"] else "m2"
    d = _make(int(m["y"] or m["y2"]), 1, 1)
    return (*m.span(group), d, "year", False) if d else None


def _relative_ar(m: re.Match[str], ref: datetime.date | None) -> _Candidate | None:
    if ref is None:
        return None
    if m["wd"]:
        direction = m["dir"] and _key(m["dir"])
        if not (m["tod"] or m["yawm"] or direction):
            return None  # a bare "الجمعة" is as often "صلاة الجمعة" as a date
        wd = _WEEKDAY_OF[_key(m["wd"])]
        if direction in _FUTURE:
            d = _after(ref, wd)
        else:
            d = _on_or_before(ref, wd, strict=bool(direction))
    elif m["ams"]:
        d = _shift(ref, -2 if m["before"] else -1)
    elif m["today"]:
        d = ref
    else:
        d = _shift(ref, 2 if m["after"] else 1)
    return (*m.span("m"), d, "day", True)


def _relative_en(m: re.Match[str], ref: datetime.date | None) -> _Candidate | None:
    if ref is None:
        return None
    if m["wd"]:
        wd = _WEEKDAY_OF[_key(m["wd"])]
        direction = (m["dir"] or "").lower()
        d = (
            _after(ref, wd) if direction == "next"
            else _on_or_before(ref, wd, strict=direction == "last")
        )
    elif m["dby"]:
        d = _shift(ref, -2)
    else:
        d = _shift(ref, {"today": 0, "yesterday": -1, "tomorrow": 1}[m["rel"].lower()])
    return (*m.span("m"), d, "day", True)


_FAMILIES = (
    (_NUMERIC_DMY, _numeric),
    (_NUMERIC_YMD, _numeric),
    (_DAY_MONTH, _day_first),
    (_MONTH_DAY, _day_first),
    (_ORDINAL_MONTH, _day_first),
    (_MONTH_YEAR, _month_year),
    (_YEAR_PHRASE, _year),
    (_RELATIVE_AR, _relative_ar),
    (_RELATIVE_EN, _relative_en),
)


def _normalise(text: str) -> tuple[str, list[int]]:
    """Fold ``text`` for matching.

    Returns:
        tuple[str, list[int]]: the folded text, and for each dropped character the folded
        offset it sat before (sorted), which is all it takes to map offsets back.
    """
    gaps = [m.start() - i for i, m in enumerate(_DROP.finditer(text))]
    return (_DROP.sub("", text) if gaps else text).translate(_FOLD), gaps


def _original(text: str, gaps: list[int], start: int, end: int) -> tuple[int, int]:
    # Harakat dropped right after the last letter belong to it, so the span takes them in;
    # a trailing direction mark or tatweel does not.
    start += bisect.bisect_right(gaps, start)
    end += bisect.bisect_right(gaps, end)
    while text[end - 1] in _INVISIBLE:
        end -= 1
    return start, end


def _select(candidates: list[_Candidate]) -> list[_Candidate]:
    """Non-overlapping candidates, longest first, then in text order."""
    chosen: list[_Candidate] = []
    for c in sorted(candidates, key=lambda c: (c[0] - c[1], c[0])):
        if all(c[1] <= o[0] or c[0] >= o[1] for o in chosen):
            chosen.append(c)
    return sorted(chosen, key=lambda c: c[0])


def _find(text: str, reference: datetime.date | None, *, bare_years: bool) -> list[DateMention]:
    if not isinstance(text, str) or not text:
        return []
    if reference is not None and not MIN_YEAR <= reference.year <= MAX_YEAR:
        reference = None  # no news is dated there; also keeps date arithmetic from overflowing
    folded, gaps = _normalise(text)
    candidates: list[_Candidate] = []
    for pattern, convert in _FAMILIES:
        for m in pattern.finditer(folded):
            c = convert(m, reference)
            if c is not None:
                candidates.append(c)
    if bare_years:
        for m in _BARE_YEAR.finditer(folded):
            d = _make(int(m["y"]), 1, 1)
            if d:
                candidates.append((*m.span("m"), d, "year", False))
    out = []
    for s, e, d, precision, relative in _select(candidates):
        if d is None or not MIN_YEAR <= d.year <= MAX_YEAR:
            continue  # impossible, or relative to a reference at the edge of the range
        if gaps:
            s, e = _original(text, gaps, s, e)
        out.append(DateMention(s, e, d, precision, relative))
    return out


def find_dates(text: str, *, reference: datetime.date | None = None) -> list[DateMention]:
    """Find every date mentioned in a text.

    Recognises numeric dates (day first, as in Arabic and European news: ``27/11/2019``,
    ``27.11.2019``; ISO year first: ``2019-11-27``), Arabic month names (Egyptian/Gulf,
    Levantine and Maghrebi), English month names, Arabic ordinal days (``الثالث من أكتوبر``),
    month-and-year and year phrases (``نوفمبر 2019``, ``عام 2019``, ``في 2019``), and, given a
    reference date, relative mentions (``اليوم الجمعة``, ``أمس``, ``يوم الجمعة``,
    ``yesterday``, ``on Friday``) and days without a year. A bare number is never a year.

    Args:
        text (str): the text, in Arabic, English or both. Never modified.
        reference (datetime.date, optional): the article's publication date, used to resolve
            relative mentions and days without a year. Defaults to None, in which case such
            mentions are left out.

    Returns:
        list[DateMention]: the mentions in text order, non-overlapping (the longest wins),
        with ``text[m.start:m.end]`` being the mention. Years outside 1900-2100 and impossible
        dates (31 February) are skipped.

    Example:
        >>> [m.date.isoformat() for m in find_dates("في الثالث من أكتوبر العام 2022")]
        ['2022-10-03']
    """
    return _find(text, reference, bare_years=False)


def question_dates(question: str) -> list[DateMention]:
    """Dates, months and years a question asks about.

    Like :func:`find_dates` without a reference, and a lone year also counts: in a question
    such as "ماذا حدث 2019؟" it is almost always one.

    Args:
        question (str): the user's question.

    Returns:
        list[DateMention]: the mentions in question order.

    Example:
        >>> [(m.date.isoformat(), m.precision) for m in question_dates("ماذا حدث في نوفمبر 2019؟")]
        [('2019-11-01', 'month')]
    """
    return _find(question, None, bare_years=True)


def _dateparser(value: str) -> datetime.date | None:
    try:
        import dateparser
    except ImportError:  # optional help only; our own patterns cover the usual formats
        return None
    try:
        parsed = dateparser.parse(
            value,
            languages=["ar", "en"],
            settings={
                "DATE_ORDER": "DMY",
                "PREFER_DAY_OF_MONTH": "first",
                # Without these it fills a missing month or year from today's date.
                "REQUIRE_PARTS": ["month", "year"],
                "RETURN_AS_TIMEZONE_AWARE": False,
            },
        )
    except Exception:  # dateparser raises assorted errors on odd input; it is only a fallback
        return None
    if parsed is None or not MIN_YEAR <= parsed.year <= MAX_YEAR:
        return None
    return parsed.date()


def parse_date(value: str) -> datetime.date | None:
    """Parse one date string from article metadata.

    Args:
        value (str): for instance ``"2024-03-01"``, ``"1st, March 2024 GMT"``,
            ``"2018-02-05T10:00:00Z"``, ``"الجمعة 1 مارس 2024"`` or
            ``"Fri, 01 Mar 2024 10:00:00 GMT"``.

    Returns:
        datetime.date | None: the date (the first of the month or year when only those are
        given), or None when the value is not a date in 1900-2100.

    Example:
        >>> parse_date("تاريخ النشر: ١ مارس ٢٠٢٤")
        datetime.date(2024, 3, 1)
    """
    if not isinstance(value, str):
        return None
    value = value.strip()
    if not value or len(value) > 200:
        return None
    try:
        parsed = datetime.datetime.fromisoformat(value)
    except ValueError:
        pass
    else:
        return parsed.date() if MIN_YEAR <= parsed.year <= MAX_YEAR else None
    mentions = question_dates(value)
    if mentions:
        order = {"day": 0, "month": 1, "year": 2}
        return min(mentions, key=lambda m: (order[m.precision], m.start)).date
    return _dateparser(value)
