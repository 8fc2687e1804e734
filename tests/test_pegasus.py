"""Tests of tutorial_lib.pegasus (chapter 8) and tutorial_lib.data.documents."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tutorial_lib.data.documents import EVENTS, Document, news_documents
from tutorial_lib.exercises.pegasus import check_lcs_length, check_rouge_l
from tutorial_lib.pegasus import (
    RougeScore,
    english_rouge_tokens,
    jieba_words,
    lcs_length,
    pseudo_summary,
    rouge_l,
    split_sentences,
    word_tokenizer,
)


def brute_force_lcs(a, b) -> int:
    """Longest subsequence of the shorter input that is also a subsequence of the other: all subsets."""

    def is_subsequence(sub, seq) -> bool:
        it = iter(seq)
        return all(any(x == y for y in it) for x in sub)

    short, long = (a, b) if len(a) <= len(b) else (b, a)
    for k in range(len(short), 0, -1):
        if any(is_subsequence(c, long) for c in itertools.combinations(short, k)):
            return k
    return 0


def table_lcs(a, b) -> int:
    """The textbook full-table dynamic programme, written independently of the rolling-row version."""
    table = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i, x in enumerate(a, 1):
        for j, y in enumerate(b, 1):
            table[i][j] = table[i - 1][j - 1] + 1 if x == y else max(table[i - 1][j], table[i][j - 1])
    return table[-1][-1]


# ---------------------------------------------------------------- lcs_length

short_text = st.text(alphabet="abc北京", max_size=7)


@given(short_text, short_text)
@settings(max_examples=150, deadline=None)
def test_lcs_matches_brute_force(a: str, b: str) -> None:
    assert lcs_length(a, b) == brute_force_lcs(a, b)


@given(st.text(alphabet="abcd我你", max_size=40), st.text(alphabet="abcd我你", max_size=40))
@settings(max_examples=150, deadline=None)
def test_lcs_matches_full_table_and_is_symmetric(a: str, b: str) -> None:
    value = lcs_length(a, b)
    assert value == table_lcs(a, b) == lcs_length(b, a)
    assert 0 <= value <= min(len(a), len(b))


@given(st.lists(st.sampled_from(["the", "cat", "sat", 3, (1, 2)]), max_size=8), st.data())
@settings(max_examples=60, deadline=None)
def test_lcs_on_tokens_and_with_itself(a: list, data: st.DataObject) -> None:
    assert lcs_length(a, a) == len(a)
    b = data.draw(st.lists(st.sampled_from(["the", "cat", "sat", 3, (1, 2)]), max_size=8))
    assert lcs_length(a, b) == table_lcs(a, b)
    assert lcs_length(a, a + b) == len(a)  # a is a subsequence of a + b


def test_lcs_known_values() -> None:
    assert lcs_length("ABCBDAB", "BDCABA") == 4  # CLRS example
    assert lcs_length("", "abc") == 0
    assert lcs_length("abc", "def") == 0
    assert lcs_length("我爱北京天安门", "北京是我的家") == 2


def test_lcs_bad_inputs() -> None:
    with pytest.raises(TypeError, match="string or a sequence"):
        lcs_length(123, "abc")
    with pytest.raises(TypeError, match="string or a sequence"):
        lcs_length("abc", None)
    with pytest.raises(TypeError, match="hashable"):
        lcs_length([[1], [2]], [[1]])


# ---------------------------------------------------------------- split_sentences


def test_split_chinese_keeps_punctuation() -> None:
    text = "今天下雨了。我们去哪里？去图书馆！好的；走吧……"
    assert split_sentences(text) == ["今天下雨了。", "我们去哪里？", "去图书馆！", "好的；", "走吧……"]


def test_split_english_needs_space_after_period() -> None:
    text = "It costs 3.5 euros. Is that cheap? Yes!  Buy it"
    assert split_sentences(text) == ["It costs 3.5 euros.", "Is that cheap?", "Yes!", "Buy it"]


def test_split_newlines_quotes_and_mixed() -> None:
    text = "他说：“你好。”然后走了\n\nThe end. 中文。"
    assert split_sentences(text) == ["他说：“你好。”", "然后走了", "The end.", "中文。"]


@given(st.lists(st.text(alphabet="abc北京 ", min_size=1, max_size=6), min_size=1, max_size=5))
@settings(max_examples=60, deadline=None)
def test_split_loses_no_character(parts: list[str]) -> None:
    text = "。".join(parts)
    if not text.strip():
        return
    assert "".join(split_sentences(text)).replace(" ", "") == text.replace(" ", "")


def test_split_bad_inputs() -> None:
    with pytest.raises(TypeError, match="string"):
        split_sentences(["a."])
    for empty in ("", "   \n  "):
        with pytest.raises(ValueError, match="no sentence"):
            split_sentences(empty)


# ---------------------------------------------------------------- pseudo_summary


def reference_greedy(sentences: list[str], rate: float) -> tuple[list[int], list[int], list[float]]:
    """The rule written out again with the full-table LCS and an explicit first-maximum loop.

    Also returns the target/source length ratio after every move.
    """
    source, target, ratios = list(range(len(sentences))), [], []
    while True:
        best, best_score = None, -1
        for i in source:
            rest = "".join(sentences[j] for j in source if j != i)
            chosen = "".join(sentences[j] for j in sorted([*target, i]))
            score = table_lcs(rest, chosen)
            if score > best_score:
                best, best_score = i, score
        source.remove(best)
        target = sorted([*target, best])
        ratios.append(sum(len(sentences[j]) for j in target) / sum(len(sentences[j]) for j in source))
        if len(source) == 1 or ratios[-1] > rate:
            return source, target, ratios


sentence_lists = st.lists(st.text(alphabet="abcab北京", min_size=1, max_size=8), min_size=2, max_size=7)


@given(sentence_lists, st.floats(0.05, 0.95))
@settings(max_examples=150, deadline=None)
def test_pseudo_summary_invariants_and_reference(sentences: list[str], rate: float) -> None:
    source, target = pseudo_summary(sentences, rate)
    assert source == sorted(source) and target == sorted(target)  # document order kept
    assert sorted(source + target) == list(range(len(sentences)))  # a partition
    assert source and target  # at least one sentence on each side
    ref_source, ref_target, ratios = reference_greedy(sentences, rate)
    assert (source, target) == (ref_source, ref_target)
    # the stop rule: every ratio before the last move was at most the rate...
    assert all(r <= rate for r in ratios[:-1])
    # ...and the last one exceeds it, unless a single source sentence is left
    assert ratios[-1] > rate or len(source) == 1
    n_target = sum(len(sentences[i]) for i in target)
    n_source = sum(len(sentences[i]) for i in source)
    assert ratios[-1] == n_target / n_source


def test_pseudo_summary_ratio_before_last_move() -> None:
    """Ten equal-length distinct sentences: each move adds 1/10 of the text; stop after the ratio passes 0.25."""
    sentences = [f"{c}{c}{c}。" for c in "甲乙丙丁戊己庚辛壬癸"]
    source, target = pseudo_summary(sentences, 0.25)
    # after k moves the ratio is k / (10 - k): 2/8 = 0.25 is not > 0.25, 3/7 > 0.25
    assert len(target) == 3 and len(source) == 7


def test_pseudo_summary_picks_the_sentence_sharing_most() -> None:
    doc = ["小明在北京开了一家面包店。", "今天天气很好。", "面包店在北京很受欢迎。", "小明很高兴。"]
    assert pseudo_summary(doc) == ([0, 1, 3], [2])


def test_pseudo_summary_ties_go_to_the_earliest_sentence() -> None:
    assert pseudo_summary(["a", "b"], 0.5) == ([1], [0])


def test_pseudo_summary_bad_inputs() -> None:
    with pytest.raises(TypeError, match="list of strings"):
        pseudo_summary("一句话。两句话。")
    with pytest.raises(TypeError, match="sentence 1"):
        pseudo_summary(["a", 2])
    with pytest.raises(ValueError, match="at least 2"):
        pseudo_summary(["只有一句。"])
    with pytest.raises(ValueError, match="at least 2"):
        pseudo_summary([])
    with pytest.raises(ValueError, match="empty"):
        pseudo_summary(["a", ""])
    for rate in (0.0, 1.0, -0.1, 1.5, float("nan"), True):
        with pytest.raises(ValueError, match="rate"):
            pseudo_summary(["a", "b", "c"], rate)


# ---------------------------------------------------------------- ROUGE-L


def test_rouge_l_hand_computed() -> None:
    # candidate 我爱北京 (4), reference 我在北京 (4): LCS 我北京 = 3, P = R = F = 3/4
    assert rouge_l("我爱北京", "我在北京") == RougeScore(0.75, 0.75, 0.75)
    # candidate 北京 (2), reference 我在北京天安门 (7): LCS 2, P = 1, R = 2/7, F1 = 2PR/(P+R) = 4/9
    score = rouge_l("北京", "我在北京天安门")
    assert score.precision == 1.0
    assert score.recall == pytest.approx(2 / 7)
    assert score.fmeasure == pytest.approx(4 / 9)
    # beta = 2 weights recall: F = 5PR/(R + 4P) = 5*(2/7)/(2/7 + 4) = 1/3
    assert rouge_l("北京", "我在北京天安门", beta=2.0).fmeasure == pytest.approx(1 / 3)
    # spaces are not characters of the score
    assert rouge_l("a b", "ab") == RougeScore(1.0, 1.0, 1.0)


def test_rouge_english_tokens_see_nothing_in_chinese() -> None:
    assert english_rouge_tokens("T5 PEGASUS, 2021!") == ["t5", "pegasus", "2021"]
    assert english_rouge_tokens("我爱北京天安门") == []
    assert rouge_l("我爱北京", "我爱北京", tokens="english") == RougeScore(0.0, 0.0, 0.0)
    assert rouge_l("我爱北京", "我爱北京").fmeasure == 1.0
    # on English the word-level score is the LCS of words: "the cat sat" vs "the cat ran": 2/3
    assert rouge_l("The cat sat", "the cat ran", tokens="english").fmeasure == pytest.approx(2 / 3)


@given(st.text(alphabet="ab北京", max_size=10), st.text(alphabet="ab北京", max_size=10))
@settings(max_examples=100, deadline=None)
def test_rouge_l_bounds_and_symmetry(a: str, b: str) -> None:
    forward, backward = rouge_l(a, b), rouge_l(b, a)
    assert all(0.0 <= v <= 1.0 for v in forward)
    assert forward.precision == backward.recall and forward.recall == backward.precision
    assert forward.fmeasure == pytest.approx(backward.fmeasure)
    if a and a == b:
        assert forward == RougeScore(1.0, 1.0, 1.0)


def test_rouge_l_bad_inputs() -> None:
    with pytest.raises(TypeError, match="candidate"):
        rouge_l(["我"], "我")
    with pytest.raises(TypeError, match="reference"):
        rouge_l("我", None)
    for beta in (0.0, -1.0, float("inf"), float("nan")):
        with pytest.raises(ValueError, match="beta"):
            rouge_l("a", "a", beta=beta)
    with pytest.raises(ValueError, match="tokens"):
        rouge_l("a", "a", tokens="words")
    with pytest.raises(TypeError, match="string"):
        english_rouge_tokens(5)


# ---------------------------------------------------------------- jieba words and the word tokenizer


def test_jieba_words_keep_every_character_and_english_words() -> None:
    text = "我爱北京天安门, T5 PEGASUS模型 2021年"
    words = jieba_words(text)
    assert "".join(words) == text
    assert "北京" in words and "PEGASUS" in words and "T5" in words
    with pytest.raises(TypeError, match="string"):
        jieba_words(b"bytes")


def test_word_tokenizer_round_trip_and_lengths() -> None:
    corpus = [d.text for d in news_documents(60, "zh", seed=0)]
    words = word_tokenizer(corpus)
    from tutorial_lib.nn.tokenizer import Tokenizer

    chars = Tokenizer.from_corpus(corpus)
    for text in corpus[:20]:
        assert words.decode(words.encode(text)) == text  # exact round trip, no [UNK]
        assert words.unk_id not in words.encode(text)
        assert len(words.encode(text)) <= len(chars.encode(text))  # words never lengthen a text
    total_words = sum(len(words.encode(t)) for t in corpus)
    total_chars = sum(len(chars.encode(t)) for t in corpus)
    assert total_words < 0.8 * total_chars  # Chinese words are mostly two characters or more
    assert words.vocab_size > chars.vocab_size  # ...at the price of a larger vocabulary
    # every character is in the vocabulary: unseen words fall back to characters
    unseen = "北京面包"  # characters of the corpus in a new combination
    assert words.decode(words.encode(unseen)) == unseen


def test_word_tokenizer_min_count_and_max_words() -> None:
    corpus = ["北京欢迎你。", "北京很大。", "上海很大。"]
    tok = word_tokenizer(corpus, min_count=2)
    assert "北京" in tok.token_to_id and "上海" not in tok.token_to_id
    assert tok.tokenize("上海") == ["上", "海"]
    assert "北京" not in word_tokenizer(corpus, max_words=0).token_to_id


def test_word_tokenizer_bad_inputs() -> None:
    with pytest.raises(TypeError, match="single string"):
        word_tokenizer("北京")
    with pytest.raises(TypeError, match="text 1"):
        word_tokenizer(["北京", 3])
    with pytest.raises(ValueError, match="empty"):
        word_tokenizer([])
    with pytest.raises(ValueError, match="min_count"):
        word_tokenizer(["北京"], min_count=0)
    with pytest.raises(ValueError, match="max_words"):
        word_tokenizer(["北京"], max_words=-1)


# ---------------------------------------------------------------- documents


@pytest.mark.parametrize("language", ["zh", "en"])
def test_documents_are_deterministic_and_titles_use_the_facts(language: str) -> None:
    docs = news_documents(40, language, seed=5)
    assert docs == news_documents(40, language, seed=5)
    assert docs != news_documents(40, language, seed=6)
    for doc in docs:
        assert isinstance(doc, Document) and doc.event in EVENTS
        sentences = split_sentences(doc.text)
        assert 3 <= len(sentences) <= 6  # key + 1-3 details + 1-2 fillers
        assert pseudo_summary(sentences)  # every document can be pseudo-summarised
        # the headline is built from facts that appear in the text: most of it is a subsequence of the text
        assert rouge_l(doc.title, doc.text).precision > 0.6


def test_documents_bad_inputs() -> None:
    with pytest.raises(ValueError, match="n must"):
        news_documents(0)
    with pytest.raises(TypeError, match="n must"):
        news_documents(2.0)
    with pytest.raises(ValueError, match="language"):
        news_documents(2, "fr")
    with pytest.raises(ValueError, match="seed"):
        news_documents(2, seed=-1)


# ---------------------------------------------------------------- exercise checkers


def test_checkers_accept_the_reference_and_reject_a_wrong_function() -> None:
    assert check_lcs_length(lcs_length) > 5
    assert check_rouge_l(lambda candidate, reference: rouge_l(candidate, reference).fmeasure) > 5
    with pytest.raises(AssertionError, match="lcs_length"):
        check_lcs_length(lambda a, b: len(set(a) & set(b)))  # common characters, not a subsequence
    with pytest.raises(AssertionError, match="rouge_l"):
        check_rouge_l(lambda candidate, reference: rouge_l(candidate, reference).recall)  # recall, not F
