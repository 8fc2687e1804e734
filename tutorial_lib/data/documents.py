"""Small news-like documents with a headline, in Chinese and English, generated here (chapter 8).

Defined in chapter 8. Each document reports one event (someone opens a shop,
wins a competition or launches a product) in three to six sentences drawn from
templates, mixed with one or two unrelated filler sentences, in random order.
The facts (a person, a city, a shop, sport or product) are drawn at random, so
two documents rarely share all of them. Each document comes with its
**headline**, written from the facts by a fixed rule
(``"王明在杭州开了书店"``, ``"Li Wei wins the chess final in Xi'an"``): a
downstream task with a checkable answer, scored by exact match or by
character ROUGE-L. Unlabelled documents from the same generator are the
pre-training corpus of the chapter's notebook.

Limits: the templates give a vocabulary of a few hundred characters (or
words) and three event types; the sentences are grammatical but repetitive.
The headline is always recoverable from the text by copying three facts into
one of three frames: a model that learns this learns to copy, not to
summarise real news. Names and cities are drawn with replacement, so a
held-out document can repeat a training document's facts in another order.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

__all__ = ["EVENTS", "Document", "news_documents"]

EVENTS: tuple[str, ...] = ("shop", "contest", "product")
"""The three event types a document can report."""

_ZH = {
    "surnames": "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗",
    "given": "明华强伟芳敏静丽军磊洋勇艳杰涛超秀兰平刚",
    "cities": "北京 上海 广州 深圳 杭州 南京 成都 武汉 西安 重庆 苏州 天津 长沙 青岛 厦门 昆明".split(),
    "shop": "面包店 咖啡馆 书店 花店 茶馆 面馆".split(),
    "contest": "马拉松 象棋 乒乓球 游泳 围棋 羽毛球".split(),
    "product": "手机 电脑 相机 耳机 手表 机器人".split(),
    "title": {
        "shop": "{name}在{city}开了{thing}",
        "contest": "{name}获得{city}{thing}冠军",
        "product": "{name}团队在{city}发布新{thing}",
    },
    "key": {
        "shop": "{name}在{city}开了一家{thing}。",
        "contest": "{name}获得了{city}{thing}比赛的冠军。",
        "product": "{name}的团队在{city}发布了一款新{thing}。",
    },
    "details": {
        "shop": [
            "这家{thing}位于{city}的老城区。",
            "{name}说，开一家{thing}是多年的梦想。",
            "开业第一天，{thing}来了{n}位客人。",
            "很多{city}人喜欢这家{thing}。",
            "{name}每天早上六点来到{thing}。",
        ],
        "contest": [
            "今年的{thing}比赛有{n}人参加。",
            "{name}为这次比赛准备了一年。",
            "{city}的观众为{name}欢呼。",
            "这是{name}第一次参加{thing}比赛。",
            "{name}说，{thing}是最喜欢的运动。",
        ],
        "product": [
            "这款{thing}由{n}名工程师设计。",
            "{name}说，新{thing}更轻也更便宜。",
            "发布会在{city}举行，来了很多记者。",
            "{name}的团队研究{thing}已经三年了。",
            "很多用户想买这款{thing}。",
        ],
    },
    "fillers": [
        "这几天{city}的天气很好。",
        "附近的居民都很关心这件事。",
        "记者在现场看到了很多人。",
        "{city}的交通今天有点拥挤。",
        "明天可能会下雨。",
        "街上的树叶已经黄了。",
    ],
}

_EN = {
    "surnames": "Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Xu Sun Ma Zhu Hu Guo He Gao Lin Luo".split(),
    "given": "Ming Hua Qiang Wei Fang Min Jing Li Jun Lei Yang Yong Yan Jie Tao Chao Xiu Lan Ping Gang".split(),
    "cities": (
        "Beijing Shanghai Guangzhou Shenzhen Hangzhou Nanjing Chengdu Wuhan Xi'an Chongqing Suzhou Tianjin "
        "Changsha Qingdao Xiamen Kunming"
    ).split(),
    "shop": "bakery cafe bookshop florist teahouse noodle-bar".split(),
    "contest": "marathon chess table-tennis swimming go badminton".split(),
    "product": "phone laptop camera headset watch robot".split(),
    "title": {
        "shop": "{name} opens a {thing} in {city}",
        "contest": "{name} wins the {thing} final in {city}",
        "product": "{name}'s team launches a new {thing} in {city}",
    },
    "key": {
        "shop": "{name} has opened a {thing} in {city}.",
        "contest": "{name} won the {thing} final in {city}.",
        "product": "{name}'s team launched a new {thing} in {city}.",
    },
    "details": {
        "shop": [
            "The {thing} is in the old town of {city}.",
            "{name} said that opening a {thing} was a long-held dream.",
            "On the first day, {n} customers came to the {thing}.",
            "Many people in {city} like the new {thing}.",
            "{name} arrives at the {thing} at six every morning.",
        ],
        "contest": [
            "This year {n} people took part in the {thing} contest.",
            "{name} trained for a whole year.",
            "The crowd in {city} cheered for {name}.",
            "It was the first {thing} contest for {name}.",
            "{name} said that {thing} is a favourite sport.",
        ],
        "product": [
            "The {thing} was designed by {n} engineers.",
            "{name} said the new {thing} is lighter and cheaper.",
            "The launch took place in {city} in front of many reporters.",
            "The team of {name} has worked on the {thing} for three years.",
            "Many users want to buy the new {thing}.",
        ],
    },
    "fillers": [
        "The weather in {city} has been fine these days.",
        "People nearby followed the news closely.",
        "Reporters saw a large crowd on the spot.",
        "Traffic in {city} was heavy today.",
        "It may rain tomorrow.",
        "The leaves on the street have turned yellow.",
    ],
}


class Document(NamedTuple):
    """A generated document (``text``), its headline (``title``) and its event type (``event``).

    ``text`` is a string of sentences ending in ``。`` (Chinese, joined without
    separator) or ``.`` (English, joined with a space); ``title`` is written from
    the facts by the event's rule; ``event`` is one of :data:`EVENTS`.
    """

    text: str
    title: str
    event: str


def _name(rng: np.random.Generator, words: dict, language: str) -> str:
    surname = words["surnames"][rng.integers(len(words["surnames"]))]
    given = [words["given"][i] for i in rng.integers(len(words["given"]), size=int(rng.integers(1, 3)))]
    return surname + "".join(given) if language == "zh" else f"{surname} {''.join(given).capitalize()}"


def news_documents(n: int, language: str = "zh", seed: int = 0) -> list[Document]:
    """Generate ``n`` documents, each with its headline.

    A document is the event's key sentence, 1-3 of its five detail sentences
    and 1-2 filler sentences, shuffled; the event type, person, city, object
    and count are drawn uniformly at random.

    Parameters
    ----------
    n : int
        Number of documents (at least 1).
    language : str
        ``"zh"`` (Chinese) or ``"en"`` (English).
    seed : int
        Seed of the ``numpy`` generator: the same seed gives the same documents.

    Returns
    -------
    list of Document
        ``(text, title, event)`` triples.

    Raises
    ------
    TypeError
        If ``n`` or ``seed`` is not an integer.
    ValueError
        If ``n < 1``, ``seed < 0`` or the language is unknown.

    Examples
    --------
    >>> doc = news_documents(1, "zh", seed=3)[0]
    >>> doc.event in EVENTS, doc.title[:2] in doc.text
    (True, True)
    >>> len(news_documents(5, "en")) == 5
    True
    """
    for name, value in (("n", n), ("seed", seed)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise TypeError(f"{name} must be an integer, got {type(value).__name__}")
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    if seed < 0:
        raise ValueError(f"seed must be non-negative, got {seed}")
    if language not in ("zh", "en"):
        raise ValueError(f"language must be 'zh' or 'en', got {language!r}")
    words = _ZH if language == "zh" else _EN
    rng = np.random.default_rng(int(seed))
    documents = []
    for _ in range(int(n)):
        event = EVENTS[rng.integers(len(EVENTS))]
        facts = {
            "name": _name(rng, words, language),
            "city": words["cities"][rng.integers(len(words["cities"]))],
            "thing": words[event][rng.integers(len(words[event]))],
            "n": str(int(rng.integers(2, 100))),
        }
        details = words["details"][event]
        chosen = [details[i] for i in rng.choice(len(details), size=int(rng.integers(1, 4)), replace=False)]
        size = int(rng.integers(1, 3))
        fillers = [words["fillers"][i] for i in rng.choice(len(words["fillers"]), size=size, replace=False)]
        sentences = [words["key"][event], *chosen, *fillers]
        order = rng.permutation(len(sentences))
        text = ("" if language == "zh" else " ").join(sentences[i].format(**facts) for i in order)
        documents.append(Document(text, words["title"][event].format(**facts), event))
    return documents
