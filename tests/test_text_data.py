"""Tests of tutorial_lib.data.text: the number-words task and the dialogue corpus."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tutorial_lib.data.text import dialogue_corpus, holdout_split, number_pairs, number_to_words

KNOWN = {
    0: ("zero", "零"),
    7: ("seven", "七"),
    10: ("ten", "十"),
    15: ("fifteen", "十五"),
    20: ("twenty", "二十"),
    47: ("forty-seven", "四十七"),
    100: ("one hundred", "一百"),
    105: ("one hundred five", "一百零五"),
    110: ("one hundred ten", "一百一十"),
    999: ("nine hundred ninety-nine", "九百九十九"),
    1000: ("one thousand", "一千"),
    1001: ("one thousand one", "一千零一"),
    1010: ("one thousand ten", "一千零一十"),
    1100: ("one thousand one hundred", "一千一百"),
    2020: ("two thousand twenty", "二千零二十"),
    3047: ("three thousand forty-seven", "三千零四十七"),
    9009: ("nine thousand nine", "九千零九"),
    9999: ("nine thousand nine hundred ninety-nine", "九千九百九十九"),
}

ZH_DIGITS = "零一二三四五六七八九"


def parse_chinese(text: str) -> int:
    """An independent reader of Chinese numerals (the inverse of number_to_words(·, 'zh'))."""
    units = {"千": 1000, "百": 100, "十": 10}
    total, digit = 0, None
    for char in text:
        if char in units:
            total += (1 if digit is None else digit) * units[char]
            digit = None
        else:
            digit = ZH_DIGITS.index(char)
    return total + (digit or 0)


@pytest.mark.parametrize("n", sorted(KNOWN))
def test_known_values(n):
    assert number_to_words(n, "en") == KNOWN[n][0]
    assert number_to_words(n, "zh") == KNOWN[n][1]


def test_every_chinese_numeral_reads_back_and_all_are_distinct():
    words = [number_to_words(n, "zh") for n in range(10000)]
    assert [parse_chinese(w) for w in words] == list(range(10000))
    assert len(set(words)) == 10000
    assert all("零零" not in w and not (w.endswith("零") and w != "零") for w in words)


def test_english_words_are_distinct_and_use_the_expected_vocabulary():
    words = [number_to_words(n, "en") for n in range(10000)]
    assert len(set(words)) == 10000
    assert all(" and " not in w for w in words)


@given(st.integers(0, 9999))
@settings(deadline=None)
def test_number_pairs_are_digits_and_words(n):
    assert number_pairs("zh", n, n + 1) == [(str(n), number_to_words(n, "zh"))]


@given(st.integers(2, 300), st.floats(0.01, 0.99), st.integers(0, 1000))
@settings(deadline=None)
def test_holdout_split_is_a_seeded_partition(n, fraction, seed):
    items = list(range(n))
    train, test = holdout_split(items, fraction, seed)
    assert sorted(train + test) == items and train and test
    assert len(test) == min(max(1, round(n * fraction)), n - 1)
    assert holdout_split(items, fraction, seed) == (train, test)


def test_dialogue_corpus_shape_and_dependencies():
    corpus = dialogue_corpus()
    assert len(corpus) == 220 and len(dialogue_corpus("en")) == 160 and len(dialogue_corpus(["zh"])) == 60
    assert all(len(d) == 4 and all(isinstance(t, str) and t for t in d) for d in corpus)
    assert len({tuple(d) for d in corpus}) == len(corpus)
    for d in corpus:  # the replies that depend on the history really contain the earlier slot
        if d[0].startswith("i am "):
            name = d[0][5:-1]
            food = d[2][5:-len(" please.")]
            assert d[3] == f"{food} for {name}!"
        if d[0].startswith("where do you live"):
            assert d[3] == f"yes, i love {d[1][3:-1]}."
    umbrella = {d[1]: d[3] for d in corpus if d[2] == "need an umbrella?"}
    assert umbrella["rainy today."] == "yes, take one." and umbrella["sunny today."] == "no, it is dry."
    assert np.mean([sum(map(len, d)) for d in corpus]) < 60  # short enough for a CPU in seconds


@pytest.mark.parametrize(
    "call, error",
    [
        (lambda: number_to_words(-1), ValueError),
        (lambda: number_to_words(10000), ValueError),
        (lambda: number_to_words(3.0), TypeError),
        (lambda: number_to_words(True), TypeError),
        (lambda: number_to_words(3, "fr"), ValueError),
        (lambda: number_pairs("zh", 5, 5), ValueError),
        (lambda: number_pairs("zh", 0, 10001), ValueError),
        (lambda: holdout_split([1], 0.5), ValueError),
        (lambda: holdout_split([1, 2], 0.0), ValueError),
        (lambda: holdout_split([1, 2], 1.0), ValueError),
        (lambda: dialogue_corpus([]), ValueError),
        (lambda: dialogue_corpus(["de"]), ValueError),
    ],
)
def test_bad_inputs(call, error):
    with pytest.raises(error):
        call()
