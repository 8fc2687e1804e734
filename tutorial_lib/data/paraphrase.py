"""A small paraphrase corpus made for the book: groups of sentences that mean the same thing.

Defined in chapter 7 ("Contrastive retrieval"). Each *group* is one meaning, a
pair (intent, place): "where is the railway station?" and "i am trying to find
the train station" belong to the group (``where``, station). Sentences are
generated from templates:

- an **intent** has four hand-written templates that say the same thing with
  different words (``"where is the {}?"``, ``"i am trying to find the {}"``, …);
- a **place** has three synonyms (``"train station"``, ``"railway station"``,
  ``"rail terminal"``; 火车站, 高铁站, 客运站 …).

A group holds every template × synonym combination (12 sentences). There are
4 intents × 12 places = 48 groups in English and 48 in Chinese.

How the corpus is meant to be used. :func:`paraphrase_split` holds out whole
groups (new intent-place combinations; every intent and every place still
occurs in training, in other groups). From each held-out group it keeps three
sentences that use three *different* templates and three *different* synonyms,
so two held-out paraphrases share neither their template words nor their place
words. Their nearest neighbours by surface form are sentences of *other*
held-out groups built on the same template: a lexical (character n-gram)
retriever is pulled towards the wrong group, while a model that learned which
templates and which synonyms are interchangeable can find the right one.

Limits. The corpus is synthetic and tiny: 8 templates and 24 place names per
language, a vocabulary of about a hundred English words and a few hundred
Chinese characters. Some synonyms share characters (火车站/高铁站 share 站, "train
station"/"railway station" share "station"), as real paraphrases do, so lexical
retrieval is weak but not at chance. Paraphrase here means "same intent, same
kind of place" by construction; the synonyms are not perfect synonyms in real
usage (a clinic is not a hospital). A model trained on it learns these
templates and nothing about English or Chinese in general.
"""

from __future__ import annotations

import numpy as np

__all__ = ["PARAPHRASE_LANGUAGES", "paraphrase_groups", "paraphrase_split"]

PARAPHRASE_LANGUAGES: tuple[str, ...] = ("en", "zh")
"""The languages of the corpus."""

_EN_INTENTS: dict[str, tuple[str, ...]] = {
    "where": ("where is the {}?", "i am trying to find the {}", "could you show me the way to the {}?",
              "which way to the {}"),
    "hours": ("when does the {} open?", "what are the opening hours of the {}?", "at what time can i visit the {}",
              "is the {} still open today?"),
    "distance": ("how far is the {}?", "is it a long walk to the {}?", "how many minutes to reach the {}",
                 "the {}, is that near here?"),
    "recommend": ("can you recommend a good {}?", "do you know a nice {} nearby?", "which {} would you suggest",
                  "any tips for a decent {}?"),
}
_EN_PLACES: tuple[tuple[str, str, str], ...] = (
    ("train station", "railway station", "rail terminal"),
    ("hospital", "medical centre", "clinic"),
    ("airport", "airfield", "air terminal"),
    ("museum", "gallery", "exhibition hall"),
    ("library", "reading room", "book archive"),
    ("supermarket", "grocery store", "food market"),
    ("pharmacy", "drugstore", "chemist"),
    ("post office", "mail counter", "postal desk"),
    ("hotel", "inn", "guest house"),
    ("park", "public garden", "green space"),
    ("restaurant", "eatery", "diner"),
    ("bank", "cash machine", "atm"),
)
_ZH_INTENTS: dict[str, tuple[str, ...]] = {
    "where": ("{}在哪里？", "请问去{}怎么走", "你知道{}的位置吗", "我想找一下{}"),
    "hours": ("{}几点开门？", "{}的营业时间是什么时候", "今天{}还开着吗", "什么时候可以去{}"),
    "distance": ("{}离这儿远吗？", "到{}要走多久", "{}有多远", "从这里过去{}需要几分钟"),
    "recommend": ("能推荐一家好的{}吗", "哪家{}比较好", "你觉得哪个{}不错", "给我介绍个靠谱的{}吧"),
}
_ZH_PLACES: tuple[tuple[str, str, str], ...] = (
    ("火车站", "高铁站", "客运站"),
    ("医院", "诊所", "卫生院"),
    ("机场", "航站楼", "空港"),
    ("博物馆", "展览馆", "美术馆"),
    ("图书馆", "阅览室", "书店"),
    ("超市", "菜市场", "便利店"),
    ("药店", "药房", "医药铺"),
    ("邮局", "邮政所", "快递点"),
    ("酒店", "宾馆", "旅社"),
    ("公园", "花园", "绿地"),
    ("餐厅", "饭馆", "食堂"),
    ("银行", "取款机", "信用社"),
)
_TABLES = {"en": (_EN_INTENTS, _EN_PLACES), "zh": (_ZH_INTENTS, _ZH_PLACES)}


def _check_languages(languages: str | tuple[str, ...] | list[str]) -> tuple[str, ...]:
    if isinstance(languages, str):
        languages = (languages,)
    languages = tuple(languages)
    if not languages:
        raise ValueError(f"languages must name at least one of {PARAPHRASE_LANGUAGES}, got an empty sequence")
    for language in languages:
        if language not in _TABLES:
            raise ValueError(f"unknown language {language!r}; expected one of {PARAPHRASE_LANGUAGES}")
    return languages


def paraphrase_groups(languages: str | tuple[str, ...] | list[str] = PARAPHRASE_LANGUAGES) -> list[list[str]]:
    """Every paraphrase group: all template × synonym sentences of one (intent, place) meaning.

    Group ``g`` of a language is intent ``g // 12``, place ``g % 12``; sentence
    ``4 * s + t`` of a group uses synonym ``s`` and template ``t``. Languages come in
    the order given (English groups 0-47, then Chinese groups 48-95 by default).

    Parameters
    ----------
    languages : str or sequence of str
        Which languages to include (``"en"``, ``"zh"``), in this order.

    Returns
    -------
    list of list of str
        96 groups (48 per language) of 12 distinct sentences each; no sentence
        occurs in two groups.

    Raises
    ------
    ValueError
        If ``languages`` is empty or names an unknown language.

    Examples
    --------
    >>> groups = paraphrase_groups()
    >>> len(groups), len(groups[0]), groups[0][:2]
    (96, 12, ['where is the train station?', 'i am trying to find the train station'])
    >>> paraphrase_groups("zh")[0][0]
    '火车站在哪里？'
    """
    groups = []
    for language in _check_languages(languages):
        intents, places = _TABLES[language]
        for templates in intents.values():
            for synonyms in places:
                groups.append([template.format(name) for name in synonyms for template in templates])
    return groups


def paraphrase_split(
    test_fraction: float = 0.25,
    seed: int = 0,
    languages: str | tuple[str, ...] | list[str] = PARAPHRASE_LANGUAGES,
) -> tuple[list[list[str]], list[list[str]]]:
    """Hold out whole groups for evaluation; keep 3 lexically disjoint sentences of each.

    The held-out groups are drawn per language (``round(48 * test_fraction)``
    each) with ``numpy.random.default_rng(seed)``, under the constraint
    that every intent and every place keeps at least one training group, so a
    held-out group is a *new combination* of known parts. Each held-out group keeps
    three sentences: a random choice of three of the four templates paired with
    the three synonyms in a random order, so no two of them share a template or a
    synonym. Training groups keep all 12 sentences.

    Parameters
    ----------
    test_fraction : float
        Fraction of groups held out, in ``(0, 0.5]``.
    seed : int
        Seed of the split; the split depends only on it and on ``languages``.
    languages : str or sequence of str
        Which languages to include (``"en"``, ``"zh"``).

    Returns
    -------
    (list of list of str, list of list of str)
        ``(train_groups, test_groups)``; test groups have 3 sentences each.

    Raises
    ------
    ValueError
        If ``test_fraction`` is outside ``(0, 0.5]`` or ``languages`` is invalid.

    Examples
    --------
    >>> train, test = paraphrase_split(seed=0)
    >>> len(train), len(test), len(test[0])
    (72, 24, 3)
    """
    if isinstance(test_fraction, bool) or not isinstance(test_fraction, (int, float)):
        raise TypeError(f"test_fraction must be a number, got {type(test_fraction).__name__}")
    if not 0.0 < test_fraction <= 0.5:
        raise ValueError(f"test_fraction must lie in (0, 0.5], got {test_fraction}")
    rng = np.random.default_rng(seed)
    train, test = [], []
    for language in _check_languages(languages):
        groups = paraphrase_groups(language)
        n_intents, n_places = len(_TABLES[language][0]), len(_TABLES[language][1])
        n_test = max(1, round(len(groups) * test_fraction))
        while True:  # rejection: every intent and every place must keep a training group
            held = set(rng.choice(len(groups), size=n_test, replace=False).tolist())
            kept = [g for g in range(len(groups)) if g not in held]
            if {g // n_places for g in kept} == set(range(n_intents)) and {g % n_places for g in kept} == set(
                range(n_places)
            ):
                break
        for g in range(len(groups)):
            if g in held:
                templates = rng.permutation(4)[:3]
                synonyms = rng.permutation(3)
                test.append([groups[g][4 * s + t] for s, t in zip(synonyms.tolist(), templates.tolist(), strict=True)])
            else:
                train.append(groups[g])
    return train, test
