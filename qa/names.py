"""Names across scripts: consonant skeletons that let "Dbeibah" meet "الدبيبة".

An English question over Arabic articles shares no words with them, but it shares names, and
names are what a question about the news hinges on. Latin and Arabic spellings of a name keep
its consonants and disagree on vowels, so both are reduced to a skeleton of consonant classes
(vowels, alef, waw, ya and ain dropped; letters that transliterate to one another merged) and
compared by prefix. This is a hand-written matcher: no package on PyPI does Arabic↔Latin name
matching without a model download.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from qa.arabic import normalize, token_spans

_LATIN_DIGRAPHS = (("sh", "s"), ("ch", "s"), ("kh", "k"), ("gh", "k"), ("th", "t"), ("dh", "t"),
                   ("rh", "r"), ("ph", "f"), ("ck", "k"), ("ou", "w"), ("x", "ks"))
_LATIN_CLASS = {
    "b": "B", "p": "B", "t": "T", "d": "T", "s": "S", "z": "S", "c": "K", "k": "K", "q": "K",
    "g": "K", "j": "K", "f": "F", "v": "F", "l": "L", "m": "M", "n": "N", "r": "R", "h": "H",
}
_ARABIC_CLASS = {
    "ب": "B", "پ": "B", "ت": "T", "ط": "T", "د": "T", "ض": "T", "ث": "T", "ذ": "T", "ظ": "T",
    "س": "S", "ص": "S", "ز": "S", "ش": "S", "ك": "K", "ق": "K", "غ": "K", "خ": "K", "ج": "K",
    "گ": "K", "ف": "F", "ڤ": "F", "ل": "L", "م": "M", "ن": "N", "ر": "R", "ح": "H", "ه": "H",
}
# Interdentals are written th/dh or s/z depending on the dialect and the language the name came
# through: Uthman/Osman (ث), Abu Dhabi/Mahfouz (ظ), Dhahab/Zahab (ذ). Both readings are kept.
_ARABIC_ALSO = {"ث": "S", "ذ": "S", "ظ": "S"}
# Clitics and the article, longest first; stripped only when a stem of 3+ letters remains.
_ARABIC_PREFIXES = ("وبال", "وال", "بال", "كال", "فال", "لل", "ال", "و", "ب", "ل", "ف")
_ARABIC_SUFFIXES = ("يين", "يون", "يه", "ين", "ون", "ات", "ي")
_LATIN_SUFFIXES = ("'s", "’s")


_ARABIC_SCRIPT = re.compile(r"[\u0600-\u06FF]")


def _unaccented(word: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))


def _without_possessive(word: str) -> str:
    for suffix in _LATIN_SUFFIXES:
        word = word.removesuffix(suffix)
    return word


def _unprefixed(token: str) -> set[str]:
    """The token and its readings without a leading clitic or article (3+ letters left)."""
    return {token} | {token[len(prefix):] for prefix in _ARABIC_PREFIXES
                      if token.startswith(prefix) and len(token) - len(prefix) >= 3}


def _arabic_stems(token: str) -> set[str]:
    """The token and its readings without clitics/suffixes: a leading و or ل may be a letter of
    the name itself (ليبيا), so every reading is kept."""
    stems = _unprefixed(token)
    for stem in list(stems):
        for suffix in _ARABIC_SUFFIXES:
            if stem.endswith(suffix) and len(stem) - len(suffix) >= 3:
                stems.add(stem[: -len(suffix)])
    return stems


def _collapse(classes: list[str]) -> str:
    # Doubled consonants are written once in Arabic (shadda) and often twice in Latin.
    return "".join(c for i, c in enumerate(classes) if c and (i == 0 or c != classes[i - 1]))


@lru_cache(maxsize=100_000)
def skeletons(word: str) -> frozenset[str]:
    """The consonant skeletons a Latin or Arabic word may stand for.

    Example:
        >>> sorted(skeletons("Dbeibah")), "TBBH" in skeletons("الدبيبة")
        (['TBBH'], True)
    """
    word = normalize(word)
    if _ARABIC_SCRIPT.search(word):
        out = set()
        for stem in _arabic_stems(word):
            readings = [[]]
            for ch in stem:
                options = [_ARABIC_CLASS.get(ch, "")] + ([_ARABIC_ALSO[ch]] if ch in _ARABIC_ALSO else [])
                readings = [r + [o] for r in readings for o in options][:8]
            out.update(_collapse(r) for r in readings)
        return frozenset(filter(None, out))
    word = _without_possessive(_unaccented(word))
    if len(word) > 4 and word.endswith(("ian", "yan")):
        # An adjective of nationality: its n is English's ending where Arabic ends in ي, so
        # Libyan is ليبي (LB). Kept, it also made Libyan spell لبنان (LBN), Lebanon.
        word = word[:-1]
    word = re.sub(r"c(?=[eiy])", "s", word)
    for digraph, letter in _LATIN_DIGRAPHS:
        word = word.replace(digraph, letter)
    skel = _collapse([_LATIN_CLASS.get(ch, "") for ch in word])
    if len(skel) == 2 and word.endswith("a"):
        # A final a is often ة, which Arabic skeletons keep as h: Osama/أسامة is SM against
        # SMH, and two classes must match exactly. Longer skeletons extend by prefix anyway.
        return frozenset({skel, skel + "H"})
    return frozenset({skel}) if skel else frozenset()


def skeletons_match(a: str, b: str) -> bool:
    """Whether two skeletons can name the same thing: equal, or (from three classes on) one
    extends the other by at most two classes (an adjective or plural ending: Turkish/تركيا).

    Two-class skeletons must be equal: as prefixes they would match half the dictionary."""
    if not a or not b:
        return False
    if a == b:
        return len(a) >= 2
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    return len(short) >= 3 and long_.startswith(short) and len(long_) - len(short) <= 2


# Names whose English form is not a transliteration of the Arabic one (exonyms, and the words
# of the institutions the news names most), which no skeleton can join: Egypt/مصر,
# China/الصين, United Nations/الأمم المتحدة. Keys are lower-case English words; values are Arabic
# spellings, compared after clitics and endings are stripped (مصر meets المصرية and بمصر).
# A word here is matched by these forms alone: its skeleton would only add noise ("China" and
# ايسنا share SN).
_EXONYMS: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(("egypt", "egyptian", "egyptians"), ("مصر",)),
    **dict.fromkeys(("germany", "german", "germans"), ("ألمانيا", "ألماني")),
    **dict.fromkeys(("greece", "greek", "greeks"), ("اليونان",)),
    **dict.fromkeys(("india", "indian", "indians"), ("الهند",)),
    **dict.fromkeys(("china", "chinese"), ("الصين",)),
    **dict.fromkeys(("japan", "japanese"), ("اليابان",)),
    **dict.fromkeys(("morocco", "moroccan", "moroccans"), ("المغرب",)),
    **dict.fromkeys(("algeria", "algerian", "algerians", "algiers"), ("الجزائر",)),
    **dict.fromkeys(("jordan", "jordanian", "jordanians"), ("الأردن",)),
    **dict.fromkeys(("cyprus", "cypriot"), ("قبرص",)),
    **dict.fromkeys(("switzerland", "swiss"), ("سويسرا", "سويسري")),
    **dict.fromkeys(("austria", "austrian"), ("النمسا", "نمساوي")),
    **dict.fromkeys(("hungary", "hungarian"), ("المجر",)),
    **dict.fromkeys(("netherlands", "dutch", "holland"), ("هولندا", "هولندي")),
    "cairo": ("القاهرة",), "jerusalem": ("القدس",), "aleppo": ("حلب",),
    "alexandria": ("الإسكندرية",), "casablanca": ("البيضاء",),
    "gulf": ("الخليج",), "mediterranean": ("المتوسط",),
    "united": ("المتحدة",), "states": ("الولايات",), "nations": ("الأمم",),
    "kingdom": ("المملكة",), "union": ("الاتحاد",), "emirates": ("الإمارات",),
    "league": ("الجامعة",), "council": ("مجلس",), "security": ("الأمن",),
    # Libya's institutions and operations in English: Government of National Accord (الوفاق
    # الوطني), Libyan National Army, House of Representatives, Presidential Council, National
    # Oil Corporation, Operation Dignity (الكرامة), Operation Volcano of Rage (بركان الغضب).
    "national": ("وطني", "قومي"), "unity": ("الوحدة",), "stability": ("الاستقرار",),
    "accord": ("الوفاق",), "dignity": ("الكرامة",), "volcano": ("بركان",), "rage": ("الغضب",),
    "army": ("الجيش",),
    "house": ("مجلس", "البيت"), "representatives": ("النواب",), "parliament": ("البرلمان", "برلماني"),
    "presidential": ("رئاسي",), "ministry": ("وزارة",), "defence": ("الدفاع",), "defense": ("الدفاع",),
    "interior": ("الداخلية",), "forces": ("قوات",), "guard": ("الحرس", "خفر"), "coast": ("السواحل", "الساحل"),
    "oil": ("النفط",), "corporation": ("المؤسسة",), "central": ("مركزي",), "bank": ("مصرف", "بنك"),
    "court": ("المحكمة",), "supreme": ("العليا", "الأعلى"), "high": ("العليا", "الأعلى"),
    "commission": ("المفوضية", "اللجنة", "الهيئة"), "electoral": ("انتخابي", "الانتخابات"),
    "party": ("حزب",), "front": ("جبهة",), "brotherhood": ("الإخوان",), "muslim": ("مسلم",),
    "republic": ("جمهورية",), "revolutionary": ("ثوري", "الثورة"),
    **dict.fromkeys(("european", "europeans"), ("أوروبي", "أوروبا")),
    **dict.fromkeys(("african", "africans"), ("أفريقي", "إفريقي", "أفريقيا", "إفريقيا")),
    **dict.fromkeys(("arab", "arabs"), ("عربي", "العرب")),
    "islamic": ("إسلامي",),
}
# One-word English names of countries, world regions and languages with their Arabic forms, from
# the Unicode CLDR (generated by tools/cldr_names.py): Belgium/بلجيكا, Asia/آسيا, World/العالم,
# Dutch/الهولندية. These forms are added to what skeletons find, not put in its place: "Libya"
# must still meet the adjective الليبية, which CLDR does not list.
_CLDR: dict[str, list[str]] = json.loads(
    (Path(__file__).with_name("cldr_names.json")).read_text(encoding="utf-8"))


@lru_cache(maxsize=100_000)
def _stems_of_word(word: str) -> frozenset[str]:
    return frozenset(_arabic_stems(normalize(word)))


def _stems_of(forms: Iterable[str]) -> frozenset[str]:
    return frozenset().union(*map(_stems_of_word, forms))


# The countries an Arabic question can name: CLDR's one-word Arabic country names (generated by
# tools/cldr_names.py) and the one-word forms the news uses for others (CLDR's are المملكة
# العربية السعودية, الولايات المتحدة...), without the two that are common words too: مالي
# ("financial") and بنين ("sons").
_COUNTRIES_AR = frozenset(
    form for name in (
        *json.loads((Path(__file__).with_name("cldr_countries_ar.json")).read_text(encoding="utf-8")),
        "السعودية", "أمريكا", "بريطانيا", "الإمارات", "فلسطين", "سورية")
    if normalize(name) not in ("مالي", "بنين")
    for form in (normalize(name), normalize(name).removeprefix("ال")))


def arabic_place_names(text: str) -> list[str]:
    """Words of an Arabic text that name a country, as written there: with clitics (وبيلاروسيا,
    باليونان) and in the -يا form the news often uses where CLDR has none (بيلاروسيا/بيلاروس).

    Example:
        >>> arabic_place_names("متى وقعت ليبيا مع فرنسا؟")
        ['ليبيا', 'فرنسا']
    """
    names = []
    for start, end, _ in token_spans(text):
        word = text[start:end]
        forms = _unprefixed(normalize(word))  # not _arabic_stems: البحرين less ين is البحر
        forms |= {f.removesuffix("يا") for f in forms if f.endswith("يا")}
        if forms & _COUNTRIES_AR:
            names.append(word)
    return names


_EXONYM_STEMS = {key: _stems_of((*forms, *_CLDR.get(key, ()))) for key, forms in _EXONYMS.items()}
_CLDR_STEMS = {key: _stems_of(forms) for key, forms in _CLDR.items() if key not in _EXONYMS}


@lru_cache(maxsize=100_000)
def _key(word: str) -> str:
    """A Latin word as the tables spell their keys: lower case, accents and possessive off."""
    if not word.isascii():
        if _ARABIC_SCRIPT.search(word):
            return ""  # an Arabic word keys no table of English names
        word = _unaccented(word)
    return _without_possessive(word.lower())


@dataclass(frozen=True)
class NameLookup:
    """Where the spellings of a name are among the skeletons of a vocabulary (see
    :meth:`qa.lexical.LexicalIndex.name_terms`).

    Attributes:
        skeletons (frozenset[str]): a word with a skeleton matching one of these spells it.
        form_stems (frozenset[str]): the stems of the name's known Arabic forms (exonyms,
            CLDR): a word holding one spells it (:func:`holds_stem`, :func:`stem_carriers`).
        spelling (str): the name itself, normalised: a word equal to it spells it.
    """

    skeletons: frozenset[str]
    form_stems: frozenset[str]
    spelling: str


def name_lookup(name: str) -> NameLookup:
    """How to find a name's spellings: by skeleton, by known Arabic forms, or (for the exonyms,
    whose skeletons mislead) by the forms alone; the same words :func:`names_match` accepts."""
    key = _key(name)
    if key in _EXONYMS:
        return NameLookup(frozenset(), _EXONYM_STEMS[key], normalize(name))
    return NameLookup(skeletons(name), _CLDR_STEMS.get(key, frozenset()), normalize(name))


def stem_carriers(stems: frozenset[str]) -> set[str]:
    """The words that may hold one of ``stems``: each with the clitics and endings
    :func:`holds_stem` takes off (a superset: confirm with :func:`holds_stem`)."""
    return {prefix + stem + suffix for stem in stems
            for prefix in ("", *_ARABIC_PREFIXES) for suffix in ("", *_ARABIC_SUFFIXES)}


def exonym_word(word: str) -> bool:
    """Whether a word is an English word of the exonym table: it spells no other name by its
    skeleton (:func:`names_match`)."""
    return _key(word) in _EXONYMS


def holds_stem(word: str, stems: frozenset[str]) -> bool:
    """Whether an Arabic word, clitics and endings off, is one of ``stems``."""
    return bool(_stems_of_word(word) & stems)


@lru_cache(maxsize=200_000)
def names_match(a: str, b: str) -> bool:
    """Whether two words (any script) can be spellings of one name: by a known Arabic form of
    an English name (exonyms, CLDR), else by consonant skeletons."""
    if _ARABIC_SCRIPT.search(a) and _ARABIC_SCRIPT.search(b):
        # Two Arabic spellings share a stem (ليبيا/الليبية), or else a skeleton of three
        # classes or more: اليونان is LN, as الآن ("now") and لأن ("because") are.
        return bool(_name_stems(a) & _name_stems(b)) or any(
            skeletons_match(x, y) for x in skeletons(a) for y in skeletons(b) if min(len(x), len(y)) >= 3)
    for latin, other in ((a, b), (b, a)):
        key = _key(latin)
        if key in _EXONYM_STEMS:
            return holds_stem(other, _EXONYM_STEMS[key]) or normalize(other) == normalize(latin)
        if key in _CLDR_STEMS and holds_stem(other, _CLDR_STEMS[key]):
            return True
    return any(skeletons_match(x, y) for x in skeletons(a) for y in skeletons(b))


@lru_cache(maxsize=100_000)
def _name_stems(word: str) -> frozenset[str]:
    """An Arabic word's stems (:func:`_arabic_stems`), and the stems of a name in -يا or -ا
    without that ending, which its adjective drops: ليبيا/الليبي, فرنسا/الفرنسية."""
    stems = _stems_of_word(word)
    return stems | {s[:-2] for s in stems if s.endswith("يا") and len(s) >= 5} | {
        s[:-1] for s in stems if s.endswith("ا") and not s.endswith("يا") and len(s) >= 4}


_CAPITALISED = re.compile(r"\b[A-Z][a-zA-Z'’\-]+")
# Capitalised English words that are common nouns in titles ("the Stability government"), not
# names: they end like abstract nouns and would be translated, not transliterated.
_COMMON_ENDINGS = ("ity", "tion", "sion", "ment", "ness", "ship", "ism")
_NOT_NAMES = frozenset(
    "i what when where who whom whose which why how did does do is are was were has have had "
    "will would can could should the a an and or in on at of for with to from by about "
    "january february march april may june july august september october november december "
    "monday tuesday wednesday thursday friday saturday sunday according "
    # Titles and ranks: translated (رئيس الوزراء, المشير), and often not written at all.
    "president prime minister general field marshal commander chief colonel lieutenant major "
    "ambassador envoy spokesman spokeswoman secretary mr mrs ms dr".split()
)


def latin_names(text: str) -> list[str]:
    """Capitalised words of an English text that look like names (first word included).

    Example:
        >>> latin_names("Where did Dbeibah meet the Turkish defence minister?")
        ['Dbeibah', 'Turkish']
    """
    names = []
    for match in _CAPITALISED.finditer(text):
        word = _without_possessive(match.group().strip("'’-"))
        low = word.lower()
        if low in _NOT_NAMES or len(low) < 3 or (low.endswith(_COMMON_ENDINGS) and _key(word) not in _EXONYMS):
            continue
        names.append(word)
    return names
