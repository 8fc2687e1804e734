"""T5 PEGASUS pre-training data: sentences, longest common subsequences, pseudo-summaries, ROUGE-L, words.

Defined in chapter 8. PEGASUS pre-trains a sequence-to-sequence model to
generate sentences removed from a document (gap sentences); T5 PEGASUS picks
those sentences greedily so that they share the longest common subsequence
with the rest of the document, and tokenises Chinese into jieba words. This
module holds the pieces a learner can run by hand:

- :func:`split_sentences`: Chinese and English sentence splitting;
- :func:`lcs_length`: the longest-common-subsequence dynamic programme, :eq:`pegasus-lcs`;
- :func:`pseudo_summary`: the greedy selection of :prf:ref:`pegasus-alg-greedy`;
- :func:`rouge_l`: character-level ROUGE-L, :eq:`pegasus-rouge-l`, and
  :func:`english_rouge_tokens`, the English tokeniser that sees nothing in Chinese;
- :func:`jieba_words` and :func:`word_tokenizer`: word-level tokenisation that
  plugs into chapter 6's :class:`tutorial_lib.nn.tokenizer.Tokenizer`.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Hashable, Iterable, Sequence
from typing import NamedTuple

import numpy as np

from tutorial_lib.nn.tokenizer import SPECIAL_TOKENS, Tokenizer

__all__ = [
    "RougeScore",
    "english_rouge_tokens",
    "jieba_words",
    "lcs_length",
    "pseudo_summary",
    "rouge_l",
    "split_sentences",
    "word_tokenizer",
]

_CLOSERS = "”’」』）)\"'"
_SENTENCE_END = re.compile(rf"[。！？；…]+[{_CLOSERS}]*|[.!?]+[{_CLOSERS}]*(?=\s|$)")
_ROUGE_TOKEN = re.compile(r"[a-z0-9]+")


def split_sentences(text: str) -> list[str]:
    """Split a Chinese or English text into sentences, punctuation kept with its sentence.

    A sentence ends after a run of ``。！？；…`` (Chinese, full-width), after a run
    of ``. ! ?`` followed by whitespace or the end of the line (English: so
    ``3.5`` and ``e.g.x`` do not split), and at every newline. Closing quotes or
    brackets right after the punctuation stay with the sentence. Surrounding
    whitespace is stripped and empty pieces are dropped.

    Parameters
    ----------
    text : str
        The document.

    Returns
    -------
    list of str
        The sentences in order; ``"".join`` of them equals the text without the
        whitespace between sentences.

    Raises
    ------
    TypeError
        If ``text`` is not a string.
    ValueError
        If the text contains no sentence (empty or whitespace only).

    Examples
    --------
    >>> split_sentences("今天下雨。我们去哪里？去图书馆！")
    ['今天下雨。', '我们去哪里？', '去图书馆！']
    >>> split_sentences("It costs 3.5 euros. Cheap!\\nSecond line")
    ['It costs 3.5 euros.', 'Cheap!', 'Second line']
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a string, got {type(text).__name__}")
    sentences = []
    for line in text.splitlines():
        start = 0
        for match in _SENTENCE_END.finditer(line):
            sentences.append(line[start : match.end()].strip())
            start = match.end()
        sentences.append(line[start:].strip())
    sentences = [s for s in sentences if s]
    if not sentences:
        raise ValueError(f"the text contains no sentence (got {text!r})")
    return sentences


def _codes(a: Sequence[Hashable], b: Sequence[Hashable]) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes of the items of ``a`` and ``b`` (equal items, equal codes)."""
    table: dict[Hashable, int] = {}
    code_a = np.array([table.setdefault(x, len(table)) for x in a], dtype=np.int64)
    code_b = np.array([table.setdefault(x, len(table)) for x in b], dtype=np.int64)
    return code_a, code_b


def _check_sequence(value: object, name: str) -> None:
    if not isinstance(value, (str, Sequence)):
        raise TypeError(f"{name} must be a string or a sequence of tokens, got {type(value).__name__}")


def lcs_length(a: str | Sequence[Hashable], b: str | Sequence[Hashable]) -> int:
    """Length of the longest common subsequence of ``a`` and ``b`` (characters of strings, or tokens).

    Implements :eq:`pegasus-lcs` (chapter 8) with one rolling row: after reading
    ``a[:i]`` the row holds ``L[i, j]`` for every ``j``. Because
    ``L[i, j] = max(L[i, j-1], x_j)`` with ``x_j = max(L[i-1, j], L[i-1, j-1] + [a_i = b_j])``,
    the new row is the running maximum of ``x`` (``numpy.maximum.accumulate``), so
    each row costs one vectorised pass: ``O(len(a) * len(b))`` time, ``O(max(len(a), len(b)))`` memory.

    Parameters
    ----------
    a, b : str or sequence
        Two strings (compared character by character) or sequences of hashable tokens.

    Returns
    -------
    int
        The LCS length, between 0 and ``min(len(a), len(b))``.

    Raises
    ------
    TypeError
        If an argument is not a string or a sequence, or holds unhashable items.

    Examples
    --------
    >>> lcs_length("ABCBDAB", "BDCABA")
    4
    >>> lcs_length("我爱北京", "北京欢迎我")
    2
    >>> lcs_length(["the", "cat", "sat"], ["the", "sat"])
    2
    """
    _check_sequence(a, "a")
    _check_sequence(b, "b")
    if len(a) == 0 or len(b) == 0:
        return 0
    if len(a) > len(b):
        a, b = b, a  # loop over the shorter sequence; the row runs along the longer one
    try:
        code_a, code_b = _codes(a, b)
    except TypeError as error:
        raise TypeError(f"the items of a and b must be hashable: {error}") from None
    row = np.zeros(len(code_b) + 1, dtype=np.int64)
    for item in code_a:
        x = np.maximum(row[1:], row[:-1] + (code_b == item))
        row[1:] = np.maximum.accumulate(x)
    return int(row[-1])


def pseudo_summary(sentences: Sequence[str], rate: float = 0.25) -> tuple[list[int], list[int]]:
    """T5 PEGASUS pseudo-summary: greedily move sentences from the source to the target.

    Implements :prf:ref:`pegasus-alg-greedy` (chapter 8). Start with every sentence
    in the source and an empty target. At each step, for every source sentence
    ``i``, join (without separator) the target plus ``i`` and the source minus
    ``i``, each in document order, and compute their character LCS
    (:func:`lcs_length`); move the sentence with the largest LCS (ties: the
    earliest sentence). Stop after a move when the target has more than
    ``rate`` times as many characters as the source, or when one source
    sentence is left. The ratio is checked after the move, so the final ratio
    can exceed ``rate``; before the last move it was at most ``rate``.

    The reference code (T5 PEGASUS ``train.py``) then swaps source and target
    when the target text ended up longer; this function returns the indices
    as selected, without the swap.

    Parameters
    ----------
    sentences : sequence of str
        At least two non-empty sentences (e.g. from :func:`split_sentences`).
    rate : float
        The target/source length ratio that stops the selection, in (0, 1).

    Returns
    -------
    (list of int, list of int)
        Source and target sentence indices, each in increasing (document) order;
        together they partition ``range(len(sentences))`` and neither is empty.

    Raises
    ------
    TypeError
        If ``sentences`` is a string or holds a non-string.
    ValueError
        If there are fewer than two sentences, a sentence is empty, or ``rate``
        is not in (0, 1).

    Examples
    --------
    >>> doc = ["小明在北京开了一家面包店。", "今天天气很好。", "面包店在北京很受欢迎。", "小明很高兴。"]
    >>> pseudo_summary(doc)
    ([0, 1, 3], [2])
    """
    if isinstance(sentences, str) or not isinstance(sentences, Sequence):
        raise TypeError("sentences must be a list of strings (e.g. from split_sentences), not a single string")
    for n, sentence in enumerate(sentences):
        if not isinstance(sentence, str):
            raise TypeError(f"sentence {n} must be a string, got {type(sentence).__name__}")
        if not sentence:
            raise ValueError(f"sentence {n} is empty")
    if len(sentences) < 2:
        raise ValueError(f"a pseudo-summary needs at least 2 sentences, got {len(sentences)}")
    if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0.0 < rate < 1.0:
        raise ValueError(f"rate must be a number in (0, 1), got {rate!r}")

    def join(indices: Iterable[int]) -> str:
        return "".join(sentences[i] for i in indices)

    source, target = list(range(len(sentences))), []
    while True:
        scores = [lcs_length(join(j for j in source if j != i), join(sorted([*target, i]))) for i in source]
        chosen = source[int(np.argmax(scores))]  # argmax returns the first maximum: earliest sentence wins ties
        source.remove(chosen)
        target = sorted([*target, chosen])
        if len(source) == 1 or len(join(target)) / len(join(source)) > rate:
            return source, target


class RougeScore(NamedTuple):
    """ROUGE-L precision, recall and F-measure, each in [0, 1]."""

    precision: float
    recall: float
    fmeasure: float


def _characters_without_spaces(text: str) -> list[str]:
    return [c for c in text if not c.isspace()]


def rouge_l(candidate: str, reference: str, *, beta: float = 1.0, tokens: str = "chars") -> RougeScore:
    """ROUGE-L of a candidate against a reference, from their longest common subsequence.

    Implements :eq:`pegasus-rouge-l` (chapter 8), Lin (2004): with ``c`` and ``r``
    the token lists, ``P = LCS / len(c)``, ``R = LCS / len(r)`` and
    ``F = (1 + beta**2) P R / (R + beta**2 P)``. With ``tokens="chars"`` (the
    default) the tokens are the non-space characters, which works for Chinese;
    ``tokens="english"`` uses :func:`english_rouge_tokens`, the tokeniser of
    the ``rouge-score`` package, which keeps only ``[a-z0-9]`` runs and so sees
    nothing in a Chinese text. When either token list is empty the score is
    ``(0, 0, 0)``, as in ``rouge-score``.

    Parameters
    ----------
    candidate, reference : str
        The generated text and the reference text.
    beta : float
        Weight of recall relative to precision (1: the harmonic mean F1).
    tokens : str
        ``"chars"``: character tokens (spaces dropped); ``"english"``: English word tokens.

    Returns
    -------
    RougeScore
        ``(precision, recall, fmeasure)``.

    Raises
    ------
    TypeError
        If a text is not a string.
    ValueError
        If ``beta`` is not a positive finite number or ``tokens`` is unknown.

    Examples
    --------
    >>> rouge_l("我爱北京", "我在北京")
    RougeScore(precision=0.75, recall=0.75, fmeasure=0.75)
    >>> rouge_l("我爱北京", "我在北京", tokens="english").fmeasure
    0.0
    """
    for name, text in (("candidate", candidate), ("reference", reference)):
        if not isinstance(text, str):
            raise TypeError(f"{name} must be a string, got {type(text).__name__}")
    if isinstance(beta, bool) or not isinstance(beta, (int, float)) or not 0.0 < beta < float("inf"):
        raise ValueError(f"beta must be a positive finite number, got {beta!r}")
    if tokens == "chars":
        c, r = _characters_without_spaces(candidate), _characters_without_spaces(reference)
    elif tokens == "english":
        c, r = english_rouge_tokens(candidate), english_rouge_tokens(reference)
    else:
        raise ValueError(f"tokens must be 'chars' or 'english', got {tokens!r}")
    common = lcs_length(c, r)
    if common == 0:
        return RougeScore(0.0, 0.0, 0.0)
    precision, recall = common / len(c), common / len(r)
    fmeasure = (1 + beta**2) * precision * recall / (recall + beta**2 * precision)
    return RougeScore(precision, recall, fmeasure)


def english_rouge_tokens(text: str) -> list[str]:
    """The tokens the ``rouge-score`` package sees: lower-case ``[a-z0-9]`` runs, nothing else.

    This is the default tokeniser of Google's ``rouge-score`` (without
    stemming): every other character, Chinese included, acts as a separator.

    Raises
    ------
    TypeError
        If ``text`` is not a string.

    Examples
    --------
    >>> english_rouge_tokens("The T5 model, 2021!")
    ['the', 't5', 'model', '2021']
    >>> english_rouge_tokens("中文摘要")
    []
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a string, got {type(text).__name__}")
    return _ROUGE_TOKEN.findall(text.lower())


def jieba_words(text: str) -> list[str]:
    """Split a text into jieba words (precise mode, no HMM for unknown words, as in T5 PEGASUS).

    English words and numbers come out whole, spaces and punctuation as
    their own tokens, so ``"".join(jieba_words(text)) == text``. jieba ships
    its dictionary inside the package; the first call loads it (about a
    second; a cache goes to the temporary directory) and nothing is downloaded.

    Raises
    ------
    TypeError
        If ``text`` is not a string.

    Examples
    --------
    >>> jieba_words("我爱北京天安门")
    ['我', '爱', '北京', '天安门']
    >>> jieba_words("T5 PEGASUS模型")
    ['T5', ' ', 'PEGASUS', '模型']
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a string, got {type(text).__name__}")
    import jieba

    jieba.setLogLevel(logging.WARNING)
    return jieba.lcut(text, HMM=False)


class _WordsWithCharacterFallback:
    """jieba words; a word outside the vocabulary falls back to its characters (like BERT's WordPiece)."""

    def __init__(self, words: Iterable[str]) -> None:
        self.words = frozenset(words)

    def __call__(self, text: str) -> list[str]:
        pieces: list[str] = []
        for word in jieba_words(text):
            if word in self.words:
                pieces.append(word)
            else:
                pieces.extend(word)
        return pieces


def word_tokenizer(texts: Iterable[str], *, min_count: int = 2, max_words: int | None = None) -> Tokenizer:
    """A word-level :class:`~tutorial_lib.nn.tokenizer.Tokenizer` for Chinese: jieba words plus every character.

    As in T5 PEGASUS (a BERT tokenizer whose pre-tokeniser is jieba), the
    vocabulary holds the words seen at least ``min_count`` times (at most
    ``max_words`` of them, the most frequent) and every character of the
    corpus; a word outside the vocabulary is split into characters, so any
    text made of the corpus's characters round-trips exactly. Multi-character
    words shorten sequences at the price of a larger vocabulary.

    Parameters
    ----------
    texts : Iterable of str
        The corpus.
    min_count : int
        Minimum count of a multi-character word to enter the vocabulary.
    max_words : int or None
        Keep at most this many multi-character words (most frequent first).

    Returns
    -------
    Tokenizer
        Its ``split`` is jieba with the character fallback.

    Raises
    ------
    TypeError
        If ``texts`` is a string or holds a non-string.
    ValueError
        If the corpus is empty, ``min_count < 1`` or ``max_words < 0``.

    Examples
    --------
    >>> tok = word_tokenizer(["我爱北京。", "北京欢迎你。"])
    >>> tok.tokenize("我爱北京欢迎你")
    ['我', '爱', '北京', '欢', '迎', '你']
    >>> tok.decode(tok.encode("北京欢迎我"))
    '北京欢迎我'
    """
    if isinstance(texts, str):
        raise TypeError("texts must be an iterable of strings, not a single string")
    texts = list(texts)
    if isinstance(min_count, bool) or not isinstance(min_count, int) or min_count < 1:
        raise ValueError(f"min_count must be an integer >= 1, got {min_count!r}")
    if max_words is not None and (isinstance(max_words, bool) or not isinstance(max_words, int) or max_words < 0):
        raise ValueError(f"max_words must be None or an integer >= 0, got {max_words!r}")
    characters: Counter[str] = Counter()
    words: Counter[str] = Counter()
    for n, text in enumerate(texts):
        if not isinstance(text, str):
            raise TypeError(f"text {n} must be a string, got {type(text).__name__}")
        characters.update(text)
        words.update(w for w in jieba_words(text) if len(w) > 1 and w not in SPECIAL_TOKENS)
    if not characters:
        raise ValueError("the corpus has no character (is it empty?)")
    kept = sorted((w for w, c in words.items() if c >= min_count), key=lambda w: (-words[w], w))
    if max_words is not None:
        kept = kept[:max_words]
    chars = sorted(characters, key=lambda c: (-characters[c], c))
    return Tokenizer([*kept, *chars], split=_WordsWithCharacterFallback(kept))
