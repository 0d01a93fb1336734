"""The recorded draw: reproducible, a permutation, blind to the given order, verifiable, and
uniform enough, against a known answer that was also re-derived independently in Node.js."""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import json
import re
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from banzu.presentations.draw import (
    ALGORITHM,
    Draw,
    DrawMismatch,
    Team,
    canonical_json,
    draw,
    from_json,
    index_below,
    input_sha256,
    stream_words,
    to_json,
    verify,
)

KNOWN_SEED = hashlib.sha256(b"banzu draw known answer").hexdigest()
KNOWN_TEAMS = [
    Team(317, "WZ-2026-02"),
    Team(101, "HZ-2026-01"),
    Team(538, "JX-2026-05"),
    Team(205, "NB-2026-03"),
    Team(422, "杭州-2026-07"),
]
KNOWN_CANONICAL = (
    '[[101,"HZ-2026-01"],[205,"NB-2026-03"],[317,"WZ-2026-02"],'
    '[422,"杭州-2026-07"],[538,"JX-2026-05"]]'
)
KNOWN_HASH = "8df9b642b98b6260b307ff20ed1bbb8ffea4a86a580c8ab3de2a4d0cf093ea84"
KNOWN_ORDER = (538, 422, 317, 101, 205)

teams_lists = st.lists(
    st.builds(Team, st.integers(0, 10**9), st.text(max_size=12)),
    max_size=40,
    unique_by=lambda team: team.id,
)
seeds = st.binary(min_size=1, max_size=48).map(bytes.hex)


def fixed_seeds(label: str, count: int) -> list[str]:
    return [hashlib.sha256(f"{label} {k}".encode()).hexdigest() for k in range(count)]


def chi_square(counts: Counter[object], cells: list[object], expected: float) -> float:
    return sum((counts[cell] - expected) ** 2 / expected for cell in cells)


def test_draw_known_answer():
    record = draw(KNOWN_TEAMS, seed=KNOWN_SEED)

    assert canonical_json(KNOWN_TEAMS) == KNOWN_CANONICAL.encode("utf-8")
    assert record == Draw(
        algorithm="sha256-fisher-yates-v1",
        seed="16c0e1c720ea1947f508c3702c86431004bcd66cfe2e7b265ca9c1fad8d2985c",
        teams=tuple(sorted(KNOWN_TEAMS, key=lambda team: team.id)),
        input_sha256=KNOWN_HASH,
        order=KNOWN_ORDER,
    )


def test_stream_words_are_sha256_of_seed_and_big_endian_counter():
    words = stream_words("00ff")

    first_five = [next(words) for _ in range(5)]

    block0 = hashlib.sha256(bytes([0, 255]) + bytes(8)).digest()
    block1 = hashlib.sha256(bytes([0, 255]) + (1).to_bytes(8, "big")).digest()
    expected = [int.from_bytes(block0[k : k + 8], "big") for k in (0, 8, 16, 24)]
    assert first_five == [*expected, int.from_bytes(block1[:8], "big")]


def test_index_below_rejects_a_word_in_the_biased_top_range():
    # 2**64 mod 3 == 1, so the single word 2**64 - 1 would favour index 0 and is discarded.
    words = iter([2**64 - 1, 2**64 - 2, 5])

    first, second = index_below(words, 3), index_below(words, 3)

    assert (first, second) == ((2**64 - 2) % 3, 2)


def test_index_below_of_a_power_of_two_accepts_every_word():
    assert index_below(iter([2**64 - 1]), 4) == 3


@given(teams_lists, seeds)
def test_draw_same_seed_and_teams_give_the_same_record(teams, seed):
    first = draw(teams, seed=seed)
    second = draw(list(teams), seed=seed)

    assert first == second


@given(teams_lists, seeds)
def test_draw_order_is_a_permutation_of_the_teams(teams, seed):
    record = draw(teams, seed=seed)

    assert sorted(record.order) == sorted(team.id for team in teams)
    assert len(set(record.order)) == len(teams)


@given(st.data(), teams_lists, seeds)
def test_draw_given_order_does_not_matter(data, teams, seed):
    reordered = data.draw(st.permutations(teams))

    assert draw(reordered, seed=seed) == draw(teams, seed=seed)


@given(teams_lists, seeds)
def test_verify_accepts_the_record_after_a_json_round_trip(teams, seed):
    record = draw(teams, seed=seed)

    stored = from_json(to_json(record))

    assert stored == record
    assert verify(stored, list(reversed(teams))) is None


@given(teams_lists, seeds, st.integers(10**9 + 1, 2 * 10**9))
def test_verify_of_a_list_with_an_added_team_names_both_hashes(teams, seed, new_id):
    record = draw(teams, seed=seed)
    changed = [*teams, Team(new_id, "")]

    with pytest.raises(DrawMismatch) as caught:
        verify(record, changed)

    assert caught.value.what == "input_sha256"
    assert str(caught.value) == (
        f"input_sha256: recorded {record.input_sha256}, the given teams hash to "
        f"{input_sha256(changed)} (added [{new_id}])"
    )


def test_verify_of_a_changed_list_names_the_hash_and_the_changes():
    record = draw(KNOWN_TEAMS, seed=KNOWN_SEED)
    changed = [*KNOWN_TEAMS[1:4], Team(422, "HZ-2026-07"), Team(600, "TZ-2026-01")]

    with pytest.raises(DrawMismatch) as caught:
        verify(record, changed)

    assert str(caught.value) == (
        f"input_sha256: recorded {KNOWN_HASH}, the given teams hash to {input_sha256(changed)} "
        "(missing [317]; added [600]; changed number [422])"
    )


def test_verify_of_a_tampered_order_names_the_first_difference():
    record = draw(KNOWN_TEAMS, seed=KNOWN_SEED)
    tampered = dataclasses.replace(record, order=(538, 317, 422, 101, 205))

    with pytest.raises(DrawMismatch) as caught:
        verify(tampered, KNOWN_TEAMS)

    assert caught.value.what == "order"
    assert str(caught.value) == (
        "order: recorded [538, 317, 422, 101, 205], the seed gives [538, 422, 317, 101, 205] "
        "(first difference at position 2)"
    )


def test_verify_of_a_changed_seed_fails_on_the_order():
    record = draw(KNOWN_TEAMS, seed=KNOWN_SEED)
    other_seed = dataclasses.replace(record, seed="00" + KNOWN_SEED[2:])

    with pytest.raises(DrawMismatch) as caught:
        verify(other_seed, KNOWN_TEAMS)

    assert caught.value.what == "order"


def test_verify_of_a_record_whose_team_list_was_edited_but_not_its_hash():
    record = draw(KNOWN_TEAMS, seed=KNOWN_SEED)
    edited = dataclasses.replace(record, teams=record.teams[:4])

    with pytest.raises(DrawMismatch) as caught:
        verify(edited, record.teams[:4])

    assert caught.value.what == "teams"
    assert str(caught.value) == (
        f"teams: the record's own team list hashes to {input_sha256(record.teams[:4])}, "
        f"not to its input_sha256 {KNOWN_HASH}"
    )


def test_verify_of_another_algorithm_says_which():
    record = dataclasses.replace(draw(KNOWN_TEAMS, seed=KNOWN_SEED), algorithm="mt19937-v0")

    with pytest.raises(DrawMismatch) as caught:
        verify(record, KNOWN_TEAMS)

    assert str(caught.value) == (
        "algorithm: the record uses 'mt19937-v0', this code runs 'sha256-fisher-yates-v1'"
    )


def test_draw_of_an_empty_room():
    record = draw([], seed="ab")

    assert record == Draw(
        algorithm=ALGORITHM,
        seed="ab",
        teams=(),
        input_sha256=hashlib.sha256(b"[]").hexdigest(),
        order=(),
    )
    assert verify(record, []) is None


def test_draw_of_a_single_team_room():
    record = draw([Team(7, "HZ-2026-09")], seed="ab")

    assert (record.order, record.input_sha256) == (
        (7,),
        hashlib.sha256(b'[[7,"HZ-2026-09"]]').hexdigest(),
    )
    assert verify(record, [Team(7, "HZ-2026-09")]) is None


def test_draw_without_a_seed_records_32_fresh_bytes():
    first, second = draw(KNOWN_TEAMS), draw(KNOWN_TEAMS)

    assert re.fullmatch(r"[0-9a-f]{64}", first.seed)
    assert first.seed != second.seed
    assert verify(first, KNOWN_TEAMS) is None


def test_draw_refuses_a_repeated_team_id():
    with pytest.raises(ValueError, match="team id 101 appears more than once"):
        draw([Team(101, "a"), Team(205, "b"), Team(101, "c")], seed="ab")


@pytest.mark.parametrize("seed", ["", "abc", "AB", "zz", "0x12"])
def test_draw_refuses_a_seed_that_is_not_lowercase_hex(seed):
    with pytest.raises(ValueError, match="the seed must be a non-empty string of lowercase hex"):
        draw(KNOWN_TEAMS, seed=seed)


@pytest.mark.parametrize(
    "change",
    [
        {"order": "538"},
        {"order": [538, "422"]},
        {"teams": [[101]]},
        {"teams": [["101", "HZ"]]},
        {"seed": 5},
        {"extra": 1},
    ],
)
def test_from_json_refuses_a_malformed_record(change):
    data = json.loads(to_json(draw(KNOWN_TEAMS, seed=KNOWN_SEED)))
    data.update(change)

    with pytest.raises(ValueError):  # noqa: PT011 - each case has its own message
        from_json(json.dumps(data))


def test_to_json_writes_the_record_as_documented():
    record = draw(KNOWN_TEAMS[:2], seed="ab")

    assert json.loads(to_json(record)) == {
        "algorithm": "sha256-fisher-yates-v1",
        "seed": "ab",
        "teams": [[101, "HZ-2026-01"], [317, "WZ-2026-02"]],
        "input_sha256": input_sha256(KNOWN_TEAMS[:2]),
        "order": list(record.order),
    }


# Uniformity over fixed seeds, so the statistics are the same on every run. The bounds sit at a
# p-value below about 2e-6 for a truly uniform draw, so a new algorithm version will not trip
# them by chance, yet a biased shuffle does (the last test shows it).
FIRST_PLACE_BOUND = 35.0  # chi-square, 4 degrees of freedom
PERMUTATION_BOUND = 70.0  # chi-square, 23 degrees of freedom
PERMUTATIONS = list(itertools.permutations(range(1, 5)))


def test_draw_each_team_is_first_about_equally_often():
    teams = [Team(i, f"T{i}") for i in range(1, 6)]

    firsts = Counter(draw(teams, seed=seed).order[0] for seed in fixed_seeds("first", 5000))

    assert sum(firsts.values()) == 5000
    assert chi_square(firsts, list(range(1, 6)), 1000) < FIRST_PLACE_BOUND


def test_draw_every_order_of_four_teams_is_about_equally_likely():
    teams = [Team(i, f"T{i}") for i in range(1, 5)]

    orders = Counter(draw(teams, seed=seed).order for seed in fixed_seeds("order", 4800))

    assert set(orders) == set(PERMUTATIONS)
    assert chi_square(orders, PERMUTATIONS, 200) < PERMUTATION_BOUND


def test_the_uniformity_bound_catches_the_classic_biased_shuffle():
    def biased(seed: str) -> tuple[int, ...]:
        # swapping with any position, not only the ones not yet fixed: 4**4 equally likely
        # paths over 24 orders, which cannot be uniform
        words, ids = stream_words(seed), [1, 2, 3, 4]
        for i in range(3, -1, -1):
            j = index_below(words, 4)
            ids[i], ids[j] = ids[j], ids[i]
        return tuple(ids)

    orders = Counter(biased(seed) for seed in fixed_seeds("order", 4800))

    assert chi_square(orders, PERMUTATIONS, 200) > PERMUTATION_BOUND
