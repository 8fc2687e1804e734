"""Tests of tutorial_lib.data.paraphrase: the paraphrase groups and the held-out split."""

from __future__ import annotations

import pytest

from tutorial_lib.data.paraphrase import paraphrase_groups, paraphrase_split


def test_groups_are_disjoint_and_complete():
    groups = paraphrase_groups()
    assert len(groups) == 96 and all(len(g) == 12 and len(set(g)) == 12 for g in groups)
    sentences = [s for g in groups for s in g]
    assert len(set(sentences)) == len(sentences)  # no sentence in two groups
    assert paraphrase_groups("en") + paraphrase_groups("zh") == groups


@pytest.mark.parametrize("seed", [0, 1, 2, 7])
def test_split_holds_out_new_combinations_of_known_parts(seed):
    train, test = paraphrase_split(seed=seed)
    assert len(train) == 72 and len(test) == 24 and all(len(g) == 3 for g in test)
    all_groups = paraphrase_groups()
    index = {s: n for n, g in enumerate(all_groups) for s in g}
    train_ids = {index[g[0]] for g in train}
    test_ids = {index[s] for g in test for s in g}
    assert not train_ids & test_ids and len(test_ids) == 24
    assert all(len({index[s] for s in g}) == 1 for g in test)  # a test group is one meaning
    for language_offset in (0, 48):
        kept = [g - language_offset for g in train_ids if language_offset <= g < language_offset + 48]
        assert {g // 12 for g in kept} == set(range(4)) and {g % 12 for g in kept} == set(range(12))
    # held-out sentences of a group use 3 different templates and 3 different synonyms
    for g in test:
        positions = [all_groups[index[g[0]]].index(s) for s in g]
        assert len({p % 4 for p in positions}) == 3 and len({p // 4 for p in positions}) == 3


def test_split_is_deterministic_and_seed_dependent():
    assert paraphrase_split(seed=3) == paraphrase_split(seed=3)
    assert paraphrase_split(seed=3)[1] != paraphrase_split(seed=4)[1]


def test_bad_inputs():
    with pytest.raises(ValueError, match="unknown language"):
        paraphrase_groups("fr")
    with pytest.raises(ValueError, match="at least one"):
        paraphrase_groups(())
    with pytest.raises(ValueError, match="test_fraction"):
        paraphrase_split(test_fraction=0.9)
    with pytest.raises(TypeError):
        paraphrase_split(test_fraction="0.2")
