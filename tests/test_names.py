"""Names across scripts: the consonant skeletons that bridge English questions and Arabic text."""

from __future__ import annotations

import pytest

from qa.names import arabic_place_names, latin_names, names_match


@pytest.mark.parametrize("latin,arabic", [
    ("Dbeibah", "الدبيبة"), ("Haftar", "حفتر"), ("Turkey", "تركيا"), ("Italy", "وإيطاليا"),
    ("Mahfouz", "محفوظ"),     # ظ written z
    ("Rhodes", "رودس"),       # Greek rh
    ("Ottoman", "العثمانية"),  # ث written t
    ("Osman", "عثمان"),       # ث written s
    ("Osama", "أسامة"),       # the final a is ة, which the skeleton keeps as h
])
def test_a_latin_name_meets_its_arabic_spelling(latin: str, arabic: str) -> None:
    assert names_match(latin, arabic)


@pytest.mark.parametrize("latin,arabic,same", [
    # English adjectives of nationality end in -n where Arabic ones end in ي: Libyan/الليبي.
    ("Libyan", "الليبي", True), ("Libyan", "الليبية", True), ("Italian", "الإيطالي", True),
    ("Syrian", "السوري", True), ("Russian", "الروسية", True),
    ("Libyan", "لبنان", False),  # Lebanon's n is the name's own
])
def test_an_adjective_of_nationality_meets_its_arabic_form(latin: str, arabic: str, same: bool) -> None:
    assert names_match(latin, arabic) is same


@pytest.mark.parametrize("word,other,same", [
    ("ليبيا", "الليبية", True), ("فرنسا", "الفرنسي", True), ("اليونان", "اليوناني", True),
    ("بيلاروسيا", "بيلاروس", True), ("وتركيا", "التركي", True),
    # Two short skeletons say nothing: اليونان is LN, as الآن ("now") and لأن ("because") are.
    ("اليونان", "الآن", False), ("اليونان", "لأن", False), ("ليبيا", "لب", False),
])
def test_two_arabic_spellings_meet_by_their_stems_or_a_long_skeleton(word: str, other: str, same: bool) -> None:
    assert names_match(word, other) is same


@pytest.mark.parametrize("latin,arabic", [
    ("France", "إيطاليا"), ("Italy", "فرنسا"), ("Haftar", "الدبيبة"), ("Egypt", "تركيا"),
])
def test_different_names_do_not_meet(latin: str, arabic: str) -> None:
    assert not names_match(latin, arabic)


def test_names_are_the_capitalised_words_that_are_not_question_or_common_words() -> None:
    assert latin_names("Where did Dbeibah meet the Turkish defence minister?") == ["Dbeibah", "Turkish"]
    # Capitalised common nouns are translated, not transliterated: not names...
    assert latin_names("What did the Reconciliation government say?") == []
    # ... unless the table of institutions' words knows their Arabic form (حكومة الاستقرار).
    assert latin_names("What did the Stability government say?") == ["Stability"]
    # Titles and ranks are translated (رئيس الوزراء, المشير), not names the articles must spell.
    assert latin_names("What did Prime Minister Dbeibah and Field Marshal Haftar agree?") == ["Dbeibah", "Haftar"]


@pytest.mark.parametrize("english,arabic,same", [
    ("Egypt", "المصرية", True),      # the adjective, with article and ending
    ("Egypt", "بمصر", True),         # with a clitic
    ("Egyptian", "مصر", True),
    ("Egypt", "مصرف", False),        # "bank": shares the letters, not the name
    ("China", "الصين", True),
    ("China", "ايسنا", False),       # a skeleton alone (SN) would join them
    ("Germany", "الألمانية", True),
    ("United", "المتحدة", True),
    # The words of institutions' names are translated: Government of National Unity is حكومة
    # الوحدة الوطنية, Libyan National Army الجيش الوطني الليبي, House of Representatives مجلس النواب.
    ("National", "الوطنية", True),
    ("National", "الوطني", True),
    ("Army", "الجيش", True),
    ("Representatives", "النواب", True),
    ("Presidential", "الرئاسي", True),
    ("European", "الأوروبي", True),
    ("European", "أوروبا", True),
    ("Parliament", "البرلمان", True),
    ("Stability", "الاستقرار", True),
    ("Guard", "خفر", True),          # Coast Guard: خفر السواحل
    ("Volcano", "بركان", True), ("Rage", "الغضب", True),  # Operation Volcano of Rage
    ("Guard", "الحرس", True),        # Revolutionary Guard: الحرس الثوري
    ("Unity", "الوحدة", True),
    ("National", "النمروش", False),
    ("Army", "الجمعة", False),
])
def test_names_english_does_not_transliterate_meet_their_arabic_form(english: str, arabic: str,
                                                                     same: bool) -> None:
    assert names_match(english, arabic) is same


@pytest.mark.parametrize("english,arabic,same", [
    ("Belgium", "بلجيكا", True),     # CLDR: no skeleton joins BLKM and BLKK
    ("Asia", "آسيا", True),
    ("World", "العالم", True),
    ("Hungary", "هنغاريا", True),    # CLDR's form beside the exonym table's المجر
    ("Hungary", "المجر", True),
    ("Türkiye", "تركيا", True),
    ("Libya", "الليبية", True),      # CLDR lists ليبيا only: the skeleton still finds the adjective
    ("Belgium", "بريطانيا", False),
])
def test_cldr_names_of_countries_regions_and_languages_meet_their_arabic_form(english: str, arabic: str,
                                                                            same: bool) -> None:
    assert names_match(english, arabic) is same


def test_the_cldr_tables_are_what_the_generator_makes_of_babels_cldr() -> None:
    import json
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    sys.path.insert(0, str(root / "tools"))
    try:
        from cldr_names import OUT, OUT_COUNTRIES_AR, arabic_country_names, cldr_names
    finally:
        sys.path.pop(0)
    assert json.loads(OUT.read_text(encoding="utf-8")) == cldr_names()
    assert cldr_names()["belgium"] == ["بلجيكا"]
    assert json.loads(OUT_COUNTRIES_AR.read_text(encoding="utf-8")) == arabic_country_names()
    assert "فرنسا" in arabic_country_names()


@pytest.mark.parametrize("question,names", [
    ("متى وقعت ليبيا مع فرنسا؟", ["ليبيا", "فرنسا"]),
    ("ما الذي اتفقت عليه ليبيا وبيلاروسيا؟", ["ليبيا", "وبيلاروسيا"]),  # CLDR: بيلاروس
    ("هل زار الوفد باليونان والسعودية؟", ["باليونان", "والسعودية"]),
    # Words that only look like countries: البحر is not البحرين, مالي ("financial") not Mali.
    ("ما حجم الدعم المالي في البحر المتوسط؟", []),
    ("كم عدد البنين في المدرسة؟", []),
])
def test_the_countries_an_arabic_question_names(question: str, names: list[str]) -> None:
    assert arabic_place_names(question) == names


def test_the_index_finds_exactly_the_words_that_spell_a_name(assistant) -> None:
    # name_terms compares skeletons key by key, not word by word, and reads known forms apart:
    # it must find what names_match accepts over the whole vocabulary, no more, no less (for
    # these names no word spells only part of a name that another word spells whole).
    lexical = assistant.index.lexical
    limit = max(5, int(0.05 * len(lexical)))
    vocabulary = [t for t in lexical._vocab if not t.startswith("√")]
    for name in ("Haftar", "Dbeibah", "Turkey", "Italy", "Libya", "Egypt", "Russia", "Belgium", "Khalifa"):
        expected = sorted(t for t in vocabulary
                          if names_match(name, t) and 0 < lexical.document_frequency(t) <= limit)
        assert lexical.name_terms(name) == expected, name
        assert lexical.name_terms(name) == expected  # and again, from the generation's memo
    assert "حفتر" in lexical.name_terms("Haftar") and "مصر" in lexical.name_terms("Egypt")


def test_an_english_word_of_the_exonym_table_spells_only_its_own_name() -> None:
    # "gulf" shares KLF with Khalifa, but an exonym word is matched by its forms, never by its
    # skeleton; the name's own Latin spelling is found even when no skeleton leads to it.
    from qa.lexical import LexicalIndex

    docs = [["gulf", "خليفه"], ["china", "الصين"], ["egypt", "مصر"], ["حفتر"], ["اخبار"], ["اخرى"]]
    lexical = LexicalIndex.build(list(range(1, len(docs) + 1)), docs)
    assert lexical.name_terms("Khalifa") == ["خليفه"]
    assert lexical.name_terms("China") == ["china", "الصين"]
    assert lexical.name_terms("Egypt") == ["egypt", "مصر"]


def test_a_word_lacking_the_names_last_consonants_counts_only_when_no_word_spells_it_whole() -> None:
    # "Gibran" (KBRN) and خبر ("news", KBR): names_match accepts the pair, as it must for a
    # name whose Arabic spelling drops a final consonant, but جبران spells the whole name.
    from qa.lexical import LexicalIndex

    docs = [["جبران", "شاعر"], ["خبر", "صحفي"], ["كبار", "مسؤولين"], ["جبر"], ["اخرى"], ["اخبار"]]
    lexical = LexicalIndex.build(list(range(1, len(docs) + 1)), docs)
    assert names_match("Gibran", "خبر")
    assert lexical.name_terms("Gibran") == ["جبران"]
    without = LexicalIndex.build(list(range(1, len(docs))), docs[1:])
    assert without.name_terms("Gibran") == ["اخبار", "جبر", "خبر", "كبار"]
