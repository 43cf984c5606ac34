"""Tests for qa.arabic: normalisation, sentence spans, language detection, tokens."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qa.arabic import (
    STOPWORDS_AR,
    STOPWORDS_EN,
    detect_language,
    normalize,
    split_sentences,
    token_spans,
    tokenize,
)


def sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in split_sentences(text)]


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("أحمد إبراهيم آمال ٱلله", "احمد ابراهيم امال الله"),
        ("مستشفى", "مستشفي"),
        ("الحكومة", "الحكومه"),
        ("الـــدبيبة", "الدبيبه"),
        ("مُذَكِّرَةُ تَفَاهُمٍ", "مذكره تفاهم"),
        ("هٰذا", "هذا"),
        ("٢٠٢٤ و۱۴۰۳", "2024 و1403"),
        ("NATO Straße", "nato strasse"),
        ("ليبيا\u200f \u200bتركيا\u202b", "ليبيا تركيا"),
        ("\ufefb", "لا"),  # presentation-form lam-alef ligature
    ],
)
def test_normalize_folds_letters_marks_digits_and_case(raw: str, folded: str) -> None:
    assert normalize(raw) == folded


def test_normalize_leaves_the_original_untouched_and_is_idempotent() -> None:
    text = "إِتّفاقيّة"
    once = normalize(text)
    assert text == "إِتّفاقيّة"
    assert normalize(once) == once


def test_split_sentences_on_arabic_and_latin_terminators() -> None:
    text = "وقعت ليبيا الاتفاقية. هل تشمل التدريب؟ نعم؛ وأيضا الطب… The end! Why? OK"
    assert sentences(text) == [
        "وقعت ليبيا الاتفاقية.", "هل تشمل التدريب؟", "نعم؛ وأيضا الطب…",
        "The end!", "Why?", "OK",
    ]


def test_split_sentences_keeps_clauses_joined_by_the_arabic_semicolon() -> None:
    # On ARCD, 43 quotes that ended at "؛" held the answer only 19 times: the semicolon joins
    # clauses and separates items in brackets ("(بالإنجليزية: AIDS؛ ...)").
    text = "الإيدز (بالإنجليزية: AIDS؛ وبالفرنسية: SIDA) مرض يصيب المناعة؛ وينتقل بالدم."
    assert sentences(text) == [text]


def test_split_sentences_does_not_break_on_arabic_comma() -> None:
    text = "وقعت ليبيا ، وإيطاليا ، اتفاقيات تعاون عسكري، في مختلف المجالات."
    assert sentences(text) == [text]


def test_split_sentences_keeps_decimals_abbreviations_and_initials() -> None:
    text = "The U.S. paid $3.5 billion to Dr. Smith in 2019. قال د. محمد إن النمو 2.5 بالمئة."
    assert sentences(text) == [
        "The U.S. paid $3.5 billion to Dr. Smith in 2019.",
        "قال د. محمد إن النمو 2.5 بالمئة.",
    ]


def test_split_sentences_treats_newlines_as_hard_breaks() -> None:
    text = "عنوان بلا نقطة\nالمصدر: بوابة الفجر\r\n\n  سطر ثالث  "
    assert sentences(text) == ["عنوان بلا نقطة", "المصدر: بوابة الفجر", "سطر ثالث"]


def test_split_sentences_keeps_closing_quotes_with_their_sentence() -> None:
    text = "قال النمروش: “نحن نعمل.” وأضاف أن الاتفاق تم."
    assert sentences(text) == ["قال النمروش: “نحن نعمل.”", "وأضاف أن الاتفاق تم."]


def test_split_sentences_breaks_at_full_stop_without_space_between_arabic_words() -> None:
    assert sentences("وقعت الاتفاقية.وأضاف الوزير") == ["وقعت الاتفاقية.", "وأضاف الوزير"]


def test_split_sentences_returns_nothing_for_blank_text() -> None:
    assert split_sentences("") == []
    assert split_sentences(" \n\t \n") == []


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab ليبا.!?؟؛…،\n\t\"”)3U.S")) | st.characters(),
               max_size=200))
def test_split_sentences_spans_are_ordered_trimmed_and_nonempty(text: str) -> None:
    previous_end = 0
    for start, end in split_sentences(text):
        assert previous_end <= start < end <= len(text)
        assert text[start:end].strip() == text[start:end]
        previous_end = end


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("وقعت ليبيا وتركيا مذكرة تفاهم للتعاون العسكري", "ar"),
        ("ما هي بنود الاتفاقية مع NATO؟", "ar"),
        ("Libya and Turkey signed a memorandum", "en"),
        ("Libya signed with Turkey (ليبيا)", "en"),
        ("", "en"),
        ("2024 - 03 !!", "en"),
    ],
)
def test_detect_language_by_dominant_letters(text: str, lang: str) -> None:
    assert detect_language(text) == lang


def test_tokenize_drops_punctuation_and_normalises() -> None:
    assert tokenize("أكّد الدبيبة، يوم الجمعة: «نحن مع U.S.A» ٣٫٥!") == [
        "اكد", "الدبيبه", "يوم", "الجمعه", "نحن", "مع", "u", "s", "a", "3", "5",
    ]


def test_token_spans_point_into_the_original_text() -> None:
    text = "وقّع الدبيبة\u200f على المذكرة"
    spans = token_spans(text)
    assert [token for _, _, token in spans] == tokenize(text)
    assert [text[s:e] for s, e, _ in spans] == ["وقّع", "الدبيبة", "على", "المذكرة"]


def test_stopwords_are_normalised_and_include_question_words() -> None:
    assert {"في", "الي", "التي", "هذه", "ماذا", "متي", "اين", "كيف", "لماذا"} <= STOPWORDS_AR
    assert {"the", "what", "when", "where", "who", "how"} <= STOPWORDS_EN
    assert all(normalize(word) == word for word in STOPWORDS_AR | STOPWORDS_EN)
    assert "ليبيا" not in STOPWORDS_AR


# NLTK 3.10.4's ISRIStemmer on words of ARCD and ANT articles (the vendored copy in qa/isri.py
# must give the same roots: the stored BM25 terms of every index depend on them).
NLTK_ISRI_ROOTS = {
    "نوعي": "نوع", "واللواء": "لوء", "الايرانيه": "يرن", "طاه": "طاه", "ينتقده": "نقد", "وهلعه": "هلع",
    "والانجازات": "جاز", "لبسكره": "سكر", "ومحد": "محد", "مشاركات": "شرك", "دؤوب": "دؤب", "يشوف": "يشف",
    "بالفرق": "فرق", "فيخفي": "يخف", "بالقضاء": "قضء", "المخرج": "خرج", "شريان": "شري", "بتعابير": "عبر",
    "لدائره": "لدر", "المسرح": "سرح", "الطبق": "طبق", "للملف": "ملف", "ولازم": "لزم", "المضمونه": "ضمن",
}


def test_roots_are_those_of_nltks_isri_stemmer() -> None:
    from qa.lexical import root

    assert {word: root(word) for word in NLTK_ISRI_ROOTS} == NLTK_ISRI_ROOTS


def test_no_command_imports_nltk() -> None:
    # Importing NLTK took 1.5-3 s, paid by every command's first question and every sync.
    import subprocess
    import sys

    code = "import sys, qa.lexical; qa.lexical.analyze('سقطت الدولة'); print('nltk' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip() == "False"


@pytest.mark.parametrize("joined, alone", [
    ("والحكومة", "الحكومة"), ("فالمغرب", "المغرب"), ("وبالاتفاق", "بالاتفاق"), ("وللحكومة", "للحكومة"),
])
def test_and_before_the_article_does_not_keep_a_word_from_its_bare_form(joined: str, alone: str) -> None:
    from qa.lexical import analyze

    assert analyze(joined) == analyze(alone)


def test_a_word_that_begins_with_waw_alef_lam_keeps_it() -> None:
    from qa.lexical import analyze

    assert analyze("والده")[0] == analyze("والد")[0] == "والد"  # "his father", not و + الده
    assert analyze("والذين") == analyze("الذين") == []  # "and who": a stopword once split
