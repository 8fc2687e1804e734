"""Tests of tutorial_lib.nn.tokenizer: round trips, the UniLM and dialogue layouts, padding."""

from __future__ import annotations

import re

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from tutorial_lib.masks import dialogue_segment_ids
from tutorial_lib.nn.tokenizer import SPECIAL_TOKENS, Batch, Tokenizer, pad_batch

ENGLISH = "the quick brown fox jumps over the lazy dog, 1234!"
CHINESE = "鱼与熊掌兼得：融合检索和生成的模型。"
MIXED = "SimBERT 是一个 UniLM 模型，它用 [CLS] 向量检索。"
ALPHABET = sorted(set(ENGLISH + CHINESE + MIXED))
relaxed = settings(deadline=None, max_examples=50)


@pytest.fixture(scope="module")
def tok() -> Tokenizer:
    return Tokenizer.from_corpus([ENGLISH, CHINESE, MIXED])


def test_special_tokens_come_first_and_pad_is_zero(tok):
    assert tok.id_to_token[: len(SPECIAL_TOKENS)] == list(SPECIAL_TOKENS)
    assert (tok.pad_id, tok.unk_id, tok.cls_id, tok.sep_id, tok.mask_id) == (0, 1, 2, 3, 4)
    assert tok.vocab_size == len(SPECIAL_TOKENS) + len(set(ENGLISH + CHINESE + MIXED))


@pytest.mark.parametrize("text", [ENGLISH, CHINESE, MIXED, "", " "])
def test_round_trip_examples(tok, text):
    ids = tok.encode(text)
    assert len(ids) == len(text) and tok.unk_id not in ids
    assert tok.decode(ids) == text


@given(st.text(alphabet=ALPHABET, max_size=40))
@relaxed
def test_round_trip_property(text):
    tok = Tokenizer.from_corpus([ENGLISH, CHINESE, MIXED])
    assert tok.decode(tok.encode(text)) == text
    ids, segments = tok.encode_pair(text, text[::-1])
    assert tok.decode(ids) == text + text[::-1]


def test_unknown_characters_become_unk(tok):
    ids = tok.encode("fox🦊")
    assert ids[-1] == tok.unk_id and tok.decode(ids) == "fox"
    assert tok.decode(ids, skip_special_tokens=False) == "fox[UNK]"


def test_from_corpus_orders_by_count_then_token_and_filters():
    tok = Tokenizer.from_corpus(["abcabca", "ddd"], min_count=2)
    assert tok.id_to_token[len(SPECIAL_TOKENS):] == ["a", "d", "b", "c"]
    assert Tokenizer.from_corpus(["abcabca", "ddd"], max_size=2).id_to_token[len(SPECIAL_TOKENS):] == ["a", "d"]
    assert Tokenizer.from_corpus(["[CLS]x"], split=lambda t: re.findall(r"\[\w+\]|.", t)).vocab_size == 6


def test_word_splitter_round_trips():
    """A splitter that keeps every character (as jieba.lcut does) round-trips at word level."""

    def words(text):
        return re.findall(r"\w+|\W", text)

    tok = Tokenizer.from_corpus([ENGLISH], split=words)
    assert "quick" in tok.token_to_id and tok.decode(tok.encode(ENGLISH)) == ENGLISH
    assert len(tok.encode(ENGLISH)) < len(ENGLISH)


def test_encode_pair_layout(tok):
    ids, segments = tok.encode_pair("fox", "狐狸" if "狐" in tok.token_to_id else "dog")
    n_source = 1 + 3 + 1
    assert ids[0] == tok.cls_id and ids[n_source - 1] == tok.sep_id and ids[-1] == tok.sep_id
    assert segments == [0] * n_source + [1] * (len(ids) - n_source)
    ids_source_only, segments_source_only = tok.encode_pair("fox")
    assert ids_source_only == ids[:n_source] and segments_source_only == [0] * n_source


@given(st.text(alphabet="abc", max_size=12), st.text(alphabet="abc", max_size=12), st.integers(5, 20))
@relaxed
def test_encode_pair_truncation_keeps_prefixes_and_fits(source, target, max_length):
    tok = Tokenizer(list("abc"))
    ids, segments = tok.encode_pair(source, target, max_length=max_length)
    full, _ = tok.encode_pair(source, target)
    assert len(ids) == min(len(full), max_length) and len(ids) == len(segments)
    n_source = segments.index(1)
    kept_source, kept_target = tok.decode(ids[:n_source]), tok.decode(ids[n_source:])
    assert source.startswith(kept_source) and target.startswith(kept_target)
    if len(full) <= max_length:
        assert ids == full


def test_encode_pair_truncation_cuts_the_longer_part_first():
    tok = Tokenizer(list("abc"))
    ids, segments = tok.encode_pair("ab", "cccccc", max_length=8)  # 2 + 6 + 3 specials: target loses 3
    assert tok.decode(ids[: segments.index(1)]) == "ab" and tok.decode(ids[segments.index(1):]) == "ccc"
    ids, segments = tok.encode_pair("aaaa", "cccc", max_length=10)  # a tie: the source is cut first
    assert tok.decode(ids[: segments.index(1)]) == "aaa" and tok.decode(ids[segments.index(1):]) == "cccc"


def test_encode_dialogue_layout(tok):
    turns = ["the fox", "检索", "dog!"]
    ids, segments = tok.encode_dialogue(turns)
    assert ids[0] == tok.cls_id and ids.count(tok.sep_id) == 3 and ids[-1] == tok.sep_id
    assert tok.decode(ids) == "".join(turns)
    assert segments == dialogue_segment_ids([1 + 7 + 1, 2 + 1, 4 + 1]).tolist()
    # each turn's tokens carry that speaker's segment id
    sep_positions = [i for i, t in enumerate(ids) if t == tok.sep_id]
    assert segments[: sep_positions[0] + 1] == [0] * (sep_positions[0] + 1)
    assert set(segments[sep_positions[0] + 1 : sep_positions[1] + 1]) == {1}
    assert set(segments[sep_positions[1] + 1 :]) == {0}


def test_pad_batch_and_select():
    batch = pad_batch([([2, 5, 6, 3], [0, 0, 1, 1]), ([2, 3], [0, 0]), ([2, 7, 3], [0, 0, 0])])
    assert isinstance(batch, Batch)
    assert batch.tokens.tolist() == [[2, 5, 6, 3], [2, 3, 0, 0], [2, 7, 3, 0]]
    assert batch.segments.tolist() == [[0, 0, 1, 1], [0, 0, 0, 0], [0, 0, 0, 0]]
    assert batch.padding_mask.tolist() == [[True] * 4, [True, True, False, False], [True, True, True, False]]
    assert batch.tokens.dtype == torch.long and batch.padding_mask.dtype == torch.bool
    sub = batch.select(torch.tensor([1, 2]))
    assert sub.tokens.tolist() == [[2, 3, 0], [2, 7, 3]] and sub.padding_mask.shape == (2, 3)
    assert pad_batch([(torch.tensor([2, 3]), torch.tensor([0, 0]))]).tokens.tolist() == [[2, 3]]


@pytest.mark.parametrize(
    "call, error",
    [
        (lambda: Tokenizer("abc"), TypeError),
        (lambda: Tokenizer(["a", "a"]), ValueError),
        (lambda: Tokenizer(["a", ""]), ValueError),
        (lambda: Tokenizer(["[PAD]"]), ValueError),
        (lambda: Tokenizer([1]), TypeError),
        (lambda: Tokenizer(["a"], split="chars"), TypeError),
        (lambda: Tokenizer.from_corpus([]), ValueError),
        (lambda: Tokenizer.from_corpus("abc"), TypeError),
        (lambda: Tokenizer.from_corpus(["abc", 3]), TypeError),
        (lambda: Tokenizer.from_corpus(["abc"], min_count=0), ValueError),
        (lambda: Tokenizer.from_corpus(["abc"], max_size=0), ValueError),
        (lambda: Tokenizer(["a"]).encode(3), TypeError),
        (lambda: Tokenizer(["a"]).decode([0, 99]), ValueError),
        (lambda: Tokenizer(["a"]).decode([1.0]), TypeError),
        (lambda: Tokenizer(["a"]).decode(torch.tensor([1.0])), TypeError),
        (lambda: Tokenizer(["a"]).encode_pair("a", "a", max_length=4), ValueError),
        (lambda: Tokenizer(["a"]).encode_pair("a", 5), TypeError),
        (lambda: Tokenizer(["a"]).encode_dialogue("a"), TypeError),
        (lambda: Tokenizer(["a"]).encode_dialogue([]), ValueError),
        (lambda: pad_batch([]), ValueError),
        (lambda: pad_batch([([2, 3], [0])]), ValueError),
        (lambda: pad_batch([([], [])]), ValueError),
        (lambda: pad_batch([[2, 3]]), TypeError),
        (lambda: pad_batch([([2.5, 3], [0, 0])]), TypeError),
        (lambda: pad_batch([(torch.tensor([2.0]), torch.tensor([0]))]), TypeError),
        (lambda: pad_batch([([2], [0])]).select([]), ValueError),
    ],
)
def test_bad_inputs(call, error):
    with pytest.raises(error):
        call()
