"""Write ``qa/cldr_names.json``: English names of countries, world regions and languages, with
their Arabic forms, from the Unicode CLDR (through Babel); and ``qa/cldr_countries_ar.json``: the
one-word Arabic names of countries, which tell the places an Arabic question names.

An English question names places and languages the way English does (Belgium, Asia, Dutch),
and an Arabic article the way Arabic does (بلجيكا، آسيا، الهولندية): no consonant skeleton joins
such pairs. CLDR is the maintained source of both. The table is generated here, once, rather than
read from Babel at run time: Babel keeps its locale data as pickles, and qa reads no pickle.

Only one-word English names are kept: a word of "Saudi Arabia" cannot be aligned with a word of
"المملكة العربية السعودية" without guessing.

Usage: python tools/cldr_names.py   (needs Babel: ``pip install -e '.[dev]'``)
"""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "qa" / "cldr_names.json"
OUT_COUNTRIES_AR = OUT.with_name("cldr_countries_ar.json")
_WORD = re.compile(r"[A-Za-z]+")


def _ascii_lower(name: str) -> str:
    """Türkiye → turkiye: the key under which a question's word is looked up."""
    return "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c)).lower()


def cldr_names() -> dict[str, list[str]]:
    """One-word English names → their Arabic forms, for ISO countries, UN world regions
    (three-digit codes: Asia, Europe, World) and ISO 639-1 languages."""
    from babel import Locale

    english, arabic = Locale("en"), Locale("ar")
    pairs: list[tuple[str, str]] = []
    for code, name in english.territories.items():
        if (len(code) == 2 and code.isalpha()) or (len(code) == 3 and code.isdigit()):
            pairs.append((name, arabic.territories.get(code, "")))
    for code, name in english.languages.items():
        if len(code) == 2:
            pairs.append((name, arabic.languages.get(code, "")))
    table: dict[str, list[str]] = {}
    for name, arabic_name in pairs:
        key = _ascii_lower(name)
        if arabic_name and _WORD.fullmatch(key):
            forms = table.setdefault(key, [])
            if arabic_name not in forms:
                forms.append(arabic_name)
    return dict(sorted(table.items()))


def arabic_country_names() -> list[str]:
    """The Arabic names of ISO countries that are one word (فرنسا, اليونان; not المملكة المتحدة)."""
    from babel import Locale

    names = {name for code, name in Locale("ar").territories.items()
             if len(code) == 2 and code.isalpha() and " " not in name}
    return sorted(names)


def main() -> None:
    OUT.write_text(json.dumps(cldr_names(), ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    OUT_COUNTRIES_AR.write_text(json.dumps(arabic_country_names(), ensure_ascii=False, indent=0) + "\n",
                                encoding="utf-8")
    print(f"wrote {OUT} and {OUT_COUNTRIES_AR}")


if __name__ == "__main__":
    main()
