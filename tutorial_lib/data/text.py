"""Small text corpora made for the book: nothing is downloaded, everything is generated here.

Defined in chapter 6. Two corpora, both produced by a few lines of code so a
reader can see exactly what the model is asked to learn:

- :func:`number_pairs`: a sequence-to-sequence task with a checkable answer,
  writing an integer in words, in English (``"3047" -> "three thousand forty-seven"``)
  or in Chinese (``"3047" -> "三千零四十七"``). Every answer is produced by
  :func:`number_to_words`, so exact-match accuracy on held-out numbers measures
  whether a model learned the rules rather than memorised pairs.
- :func:`dialogue_corpus`: tiny multi-turn dialogues (English and Chinese)
  filled in from hand-written templates. Several replies depend on earlier
  turns (repeat a name, a food or a city; answer "do I need an umbrella?" from
  the weather), so a language model has to read the history to get them right.

Limits: both corpora are synthetic and tiny. The dialogues have a vocabulary
of a few dozen words and five conversation patterns; a model trained on them
learns the patterns and nothing about real conversation. The number words
follow one convention each (American English without "and"; Chinese with
二 rather than 两, and 十 rather than 一十 only for 10-19 on their own).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import TypeVar

import numpy as np

__all__ = [
    "dialogue_corpus",
    "holdout_split",
    "number_pairs",
    "number_to_words",
]

T = TypeVar("T")

_EN_ONES = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen"
).split()
_EN_TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()
_ZH_DIGITS = "零一二三四五六七八九"
_ZH_UNITS = ((1000, "千"), (100, "百"), (10, "十"), (1, ""))
_MAX_NUMBER = 9999


def _english(n: int) -> str:
    if n < 20:
        return _EN_ONES[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return _EN_TENS[tens] + (f"-{_EN_ONES[ones]}" if ones else "")
    if n < 1000:
        hundreds, rest = divmod(n, 100)
        return f"{_EN_ONES[hundreds]} hundred" + (f" {_english(rest)}" if rest else "")
    thousands, rest = divmod(n, 1000)
    return f"{_EN_ONES[thousands]} thousand" + (f" {_english(rest)}" if rest else "")


def _chinese(n: int) -> str:
    if n == 0:
        return "零"
    words, zero_pending, started = [], False, False
    for value, unit in _ZH_UNITS:
        digit = n // value % 10
        if digit == 0:
            zero_pending = zero_pending or started
            continue
        if zero_pending:
            words.append("零")
            zero_pending = False
        words.append(_ZH_DIGITS[digit] + unit)
        started = True
    text = "".join(words)
    return text[1:] if 10 <= n < 20 else text  # 十五, not 一十五


def number_to_words(n: int, language: str = "en") -> str:
    """Write an integer ``0 <= n <= 9999`` in words.

    English: American style without "and", hyphenated tens (``"forty-seven"``).
    Chinese: one 零 for each run of inner zeros, none for trailing zeros
    (``1010 -> 一千零一十``, ``1100 -> 一千一百``), 二 (not 两), and 十 alone for 10-19.

    Parameters
    ----------
    n : int
        The number, from 0 to 9999.
    language : str
        ``"en"`` (English) or ``"zh"`` (Chinese).

    Returns
    -------
    str
        The number in words.

    Raises
    ------
    TypeError
        If ``n`` is not an integer.
    ValueError
        If ``n`` is out of range or the language unknown.

    Examples
    --------
    >>> number_to_words(3047)
    'three thousand forty-seven'
    >>> number_to_words(3047, "zh")
    '三千零四十七'
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise TypeError(f"n must be an integer, got {type(n).__name__}")
    if not 0 <= n <= _MAX_NUMBER:
        raise ValueError(f"n must lie in [0, {_MAX_NUMBER}], got {n}")
    if language == "en":
        return _english(int(n))
    if language == "zh":
        return _chinese(int(n))
    raise ValueError(f"language must be 'en' or 'zh', got {language!r}")


def number_pairs(language: str = "zh", low: int = 0, high: int = _MAX_NUMBER + 1) -> list[tuple[str, str]]:
    """The seq2seq corpus: ``(digits, words)`` for every integer in ``[low, high)``.

    Parameters
    ----------
    language : str
        Language of the target words, ``"en"`` or ``"zh"``.
    low, high : int
        The range of numbers, ``0 <= low < high <= 10000``.

    Returns
    -------
    list of (str, str)
        ``[(str(n), number_to_words(n, language)) for n in range(low, high)]``.

    Raises
    ------
    ValueError
        If the range is empty or outside ``[0, 10000)``.

    Examples
    --------
    >>> number_pairs("zh", 10, 13)
    [('10', '十'), ('11', '十一'), ('12', '十二')]
    """
    if not 0 <= low < high <= _MAX_NUMBER + 1:
        raise ValueError(f"need 0 <= low < high <= {_MAX_NUMBER + 1}, got low={low}, high={high}")
    return [(str(n), number_to_words(n, language)) for n in range(low, high)]


def holdout_split(items: Sequence[T], test_fraction: float = 0.2, seed: int = 0) -> tuple[list[T], list[T]]:
    """Shuffle ``items`` with a seeded generator and split off a held-out test part.

    Parameters
    ----------
    items : Sequence
        Anything indexable (pairs, dialogues, …).
    test_fraction : float
        Fraction held out, in ``(0, 1)``; the test part has ``round(n * test_fraction)``
        items, at least one, and the training part keeps at least one.
    seed : int
        Seed of ``numpy.random.default_rng``: the split depends only on it.

    Returns
    -------
    (list, list)
        ``(train, test)``, disjoint, together a permutation of ``items``.

    Raises
    ------
    ValueError
        If there are fewer than 2 items or ``test_fraction`` is outside ``(0, 1)``.

    Examples
    --------
    >>> train, test = holdout_split(list(range(10)), 0.3, seed=0)
    >>> len(train), len(test), sorted(train + test) == list(range(10))
    (7, 3, True)
    """
    if len(items) < 2:
        raise ValueError(f"need at least 2 items to hold some out, got {len(items)}")
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"test_fraction must lie in (0, 1), got {test_fraction}")
    n_test = min(max(1, round(len(items) * test_fraction)), len(items) - 1)
    order = np.random.default_rng(seed).permutation(len(items))
    shuffled = [items[i] for i in order]
    return shuffled[n_test:], shuffled[:n_test]


_EN_NAMES = ("anna", "ben", "carla", "david", "emma", "felix", "grace", "hugo")
_EN_FOODS = ("pizza", "soup", "rice", "salad", "noodles", "bread", "cake", "fish")
_EN_CITIES = ("paris", "london", "tokyo", "rome", "berlin", "madrid", "cairo", "lima")
_EN_WEATHER = {
    "sunny": "no, it is dry.",
    "rainy": "yes, take one.",
    "cloudy": "maybe, just in case.",
    "snowy": "no, wear a coat.",
}
_ZH_NAMES = ("小明", "小红", "小刚", "小丽", "安娜", "大卫")
_ZH_FOODS = ("面条", "米饭", "饺子", "包子", "火锅", "蛋糕")
_ZH_CITIES = ("北京", "上海", "广州", "深圳", "成都", "西安")
_ZH_WEATHER = {
    "晴天": "不用，今天不下雨。",
    "下雨": "要，记得带伞。",
    "多云": "带一把吧，以防万一。",
    "下雪": "不用，多穿点衣服。",
}


def _english_dialogues() -> list[list[str]]:
    food = [
        [f"i am {name}.", f"hi {name}! hungry?", f"yes, {food} please.", f"{food} for {name}!"]
        for name, food in itertools.product(_EN_NAMES, _EN_FOODS)
    ]
    weather = [
        [f"weather in {city}?", f"{weather} today.", "need an umbrella?", answer]
        for city, (weather, answer) in itertools.product(_EN_CITIES, _EN_WEATHER.items())
    ]
    home = [
        [f"where do you live, {name}?", f"in {city}.", "is it nice?", f"yes, i love {city}."]
        for name, city in itertools.product(_EN_NAMES, _EN_CITIES)
    ]
    return food + weather + home


def _chinese_dialogues() -> list[list[str]]:
    food = [
        [f"你好，我是{name}。", f"{name}你好！饿吗？", f"饿了，我想吃{food}。", f"好的，{food}马上就来。"]
        for name, food in itertools.product(_ZH_NAMES, _ZH_FOODS)
    ]
    weather = [
        [f"{city}天气怎么样？", f"{city}今天{weather}。", "要带伞吗？", answer]
        for city, (weather, answer) in itertools.product(_ZH_CITIES, _ZH_WEATHER.items())
    ]
    return food + weather


def dialogue_corpus(languages: Sequence[str] = ("en", "zh")) -> list[list[str]]:
    """Tiny multi-turn dialogues (4 turns each): every slot combination of five templates.

    English (160 dialogues: 8 names × 8 foods, 8 cities × 4 weathers, 8 names × 8 cities):
    introduce yourself and order food (the last turn repeats the food and the
    name), ask the weather and whether an umbrella is needed (the answer depends
    on the weather given two turns earlier), say where you live (the last turn
    repeats the city). Chinese (60 dialogues: 6 names × 6 foods, 6 cities × 4 weathers): the food
    and the weather patterns. Lower-case English, full-width Chinese punctuation. The order is
    fixed (templates, then slots); shuffle and split with :func:`holdout_split`.

    Parameters
    ----------
    languages : Sequence of str
        Which of ``"en"`` and ``"zh"`` to include, in this order.

    Returns
    -------
    list of list of str
        Each dialogue is a list of 4 turns, speakers alternating.

    Raises
    ------
    ValueError
        If ``languages`` is empty or names an unknown language.

    Examples
    --------
    >>> corpus = dialogue_corpus()
    >>> len(corpus), corpus[0]
    (220, ['i am anna.', 'hi anna! hungry?', 'yes, pizza please.', 'pizza for anna!'])
    >>> dialogue_corpus("zh")[-1]
    ['西安天气怎么样？', '西安今天下雪。', '要带伞吗？', '不用，多穿点衣服。']
    """
    if isinstance(languages, str):
        languages = (languages,)
    if not languages:
        raise ValueError("languages must name at least one of 'en', 'zh'")
    makers = {"en": _english_dialogues, "zh": _chinese_dialogues}
    corpus = []
    for language in languages:
        if language not in makers:
            raise ValueError(f"unknown language {language!r}; expected 'en' or 'zh'")
        corpus += makers[language]()
    return corpus
