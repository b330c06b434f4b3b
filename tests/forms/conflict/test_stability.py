"""Nash, GMR, SMR and SEQ stability: a published table, textbook games, tiny graphs, properties."""

import json
from collections import deque

import numpy as np
import pytest
from hypothesis import given, settings

from kurilsim import InputError
from kurilsim.forms.conflict.game import Conflict
from kurilsim.forms.conflict.stability import (
    CONCEPTS,
    coalition_reachable,
    gmr_stable,
    nash_stable,
    seq_stable,
    smr_stable,
    stability,
)
from tests.strategies import conflicts

# --- The Elmira groundwater contamination conflict ------------------------------------------
#
# Model and stability table as published for the Elmira conflict (Ontario, 1989-1991): Fang,
# Hipel & Kilgour (1993), Interactive Decision Making: The Graph Model for Conflict Resolution,
# Wiley; Hipel, Kilgour, Fang & Peng (1997), "The decision support system GMCR in environmental
# conflict management", Applied Mathematics and Computation 83, 117-152; stability table as in
# Xu, Hipel & Kilgour (2009), "Matrix representation of solution concepts in multiple-decision-
# maker graph models", IEEE Trans. SMC-A 39(1), 96-108, and Xu, Hipel, Kilgour & Fang (2018),
# Conflict Resolution Using the Graph Model, Springer, ch. 4.
#
# Decision makers and options: the Ontario Ministry of the Environment (MoE) can modify its
# control order; Uniroyal Chemical (UR) can delay (appeal), accept the order or abandon its
# Elmira plant; the local government (LG) can insist on the original order. Nine states:
#
#   state          1  2  3  4  5  6  7  8  9
#   MoE modify     N  Y  N  Y  N  Y  N  Y  -
#   UR  delay      Y  Y  N  N  Y  Y  N  N  -
#   UR  accept     N  N  Y  Y  N  N  Y  Y  -
#   UR  abandon    N  N  N  N  N  N  N  N  Y
#   LG  insist     N  N  N  N  Y  Y  Y  Y  -
#
# A modification cannot be withdrawn, an abandonment is final (state 9, where the other options
# no longer matter, has no moves out), and UR stops delaying by accepting or abandoning.
PATTERNS = {1: "NYNN", 2: "YYNN", 3: "NNYN", 4: "YNYN", 5: "NYNY", 6: "YYNY", 7: "NNYY", 8: "YNYY"}
MOE_RANKING = [7, 3, 4, 8, 5, 1, 2, 6, 9]  # most preferred first
UR_RANKING = [1, 4, 8, 5, 9, 3, 7, 2, 6]
# The order of UR's least preferred states as the GMCR+ example file of Hipel's group derives it
# by option prioritisation; the stability table does not depend on the difference.
UR_RANKING_GMCR_PLUS = [1, 4, 8, 5, 9, 2, 3, 7, 6]
LG_RANKING = [7, 3, 5, 1, 8, 6, 4, 2, 9]

# The published table: states stable for each DM under each concept, and the equilibria.
ELMIRA_STABLE = {
    "nash": {"MoE": range(1, 10), "UR": [1, 4, 5, 8, 9], "LG": [5, 6, 7, 8, 9]},
    "gmr": {"MoE": range(1, 10), "UR": [1, 4, 5, 8, 9], "LG": range(1, 10)},
    "smr": {"MoE": range(1, 10), "UR": [1, 4, 5, 8, 9], "LG": range(1, 10)},
    "seq": {"MoE": range(1, 10), "UR": [1, 4, 5, 8, 9], "LG": [2, 3, 5, 6, 7, 8, 9]},
}
ELMIRA_EQUILIBRIA = {
    "nash": [5, 8, 9],
    "gmr": [1, 4, 5, 8, 9],
    "smr": [1, 4, 5, 8, 9],
    "seq": [5, 8, 9],
}


def scores(ranking):
    """Scores from a ranking of states 1..m, most preferred first."""
    values = np.zeros(len(ranking))
    for place, state in enumerate(ranking):
        values[state - 1] = len(ranking) - place
    return values


def elmira(ur_ranking=UR_RANKING):
    moves = np.zeros((3, 9, 9), dtype=bool)
    for s, p in PATTERNS.items():
        for q, r in PATTERNS.items():
            changed = [k for k in range(4) if p[k] != r[k]]
            if changed == [0] and p[0] == "N":  # MoE modifies; irreversible
                moves[0, s - 1, q - 1] = True
            if changed == [1, 2] and p[1] == "Y":  # UR accepts instead of delaying
                moves[1, s - 1, q - 1] = True
            if changed == [3]:  # LG insists, or stops insisting
                moves[2, s - 1, q - 1] = True
        moves[1, s - 1, 8] = True  # UR abandons
    payoffs = [scores(MOE_RANKING), scores(ur_ranking), scores(LG_RANKING)]
    return Conflict(("MoE", "UR", "LG"), moves, payoffs, title="Elmira")


@pytest.mark.parametrize(
    "ur_ranking",
    [pytest.param(UR_RANKING, id="published"), pytest.param(UR_RANKING_GMCR_PLUS, id="gmcr-plus")],
)
def test_elmira_matches_the_published_stability_table(ur_ranking):
    table = stability(elmira(ur_ranking))
    for concept, by_dm in ELMIRA_STABLE.items():
        for dm, states in by_dm.items():
            assert [s + 1 for s in table.stable_states(concept, dm)] == list(states), (concept, dm)
        assert [s + 1 for s in table.equilibria(concept)] == ELMIRA_EQUILIBRIA[concept], concept


def test_elmira_rankings_follow_from_option_prioritisation():
    # The preference statements of the GMCR II analysis of Elmira (Hipel et al. 1997), in option
    # form: UR takes exactly one of delay, accept, abandon. Abandonment states are not merged
    # here, so only the eight others are compared with the published rankings.
    conflict = Conflict.from_options(
        {"MoE": ["modify"], "UR": ["delay", "accept", "abandon"], "LG": ["insist"]},
        {
            "MoE": ["accept", "-abandon", "-modify", "modify iff -insist"],
            "UR": ["modify iff accept", "-abandon", "-insist", "delay iff -insist"],
            "LG": [
                "-abandon",
                "-modify",
                "modify or accept",
                "insist if modify",
                "-delay",
                "insist",
            ],
        },
        infeasible=[
            "delay and accept",
            "delay and abandon",
            "accept and abandon",
            "-(delay or accept or abandon)",
        ],
        irreversible={"modify": "forward", "abandon": "forward", "delay": "backward"},
    )
    patterns = [conflict.pattern(s).replace(" ", "") for s in range(conflict.n_states)]
    # Published state k has MoE's option, UR's three, then LG's in PATTERNS' order.
    published = {"".join((p[0], p[1], p[2], "N", p[3])): k for k, p in PATTERNS.items()}
    number = {s: published.get(pattern) for s, pattern in enumerate(patterns)}
    for dm, ranking in (("MoE", MOE_RANKING), ("UR", UR_RANKING_GMCR_PLUS), ("LG", LG_RANKING)):
        derived = [number[s] for group in conflict.ranking(dm) for s in group if number[s]]
        assert derived == [k for k in ranking if k != 9], dm
    # Abandoning is final: nobody brings UR back.
    abandoned = [s for s, p in enumerate(patterns) if p[3] == "Y"]
    for s in abandoned:
        assert not conflict.moves[1, s].any()


# --- Textbook games in graph form ------------------------------------------------------------
#
# Fang, Hipel & Kilgour (1993, ch. 3) and Fang, Hipel & Kilgour (1989, EJOR 41, 86-100): in the
# prisoner's dilemma mutual cooperation is GMR, SMR and SEQ stable (a defection is answered by
# the other's defection, which pays the answering DM) though not Nash; in chicken mutual
# swerving is GMR and SMR stable but not SEQ, because driving on into a crash does not pay the
# one who answers.
def two_by_two(ranking_a, ranking_b):
    """States 1 = (N, N), 2 = (Y, N), 3 = (N, Y), 4 = (Y, Y); A owns the first option."""
    return Conflict.from_options(
        {"A": ["a"], "B": ["b"]},
        {
            "A": lambda o, r=ranking_a: _by_pattern(o, r),
            "B": lambda o, r=ranking_b: _by_pattern(o, r),
        },
    )


def _by_pattern(options, ranking):
    code = (options["a"] + 2 * options["b"]).astype(int)  # state index 0..3
    return scores(ranking)[code]


GAMES = [
    pytest.param(
        # a, b = defect. A: DC > CC > DD > CD.
        [2, 1, 4, 3],
        [3, 1, 4, 2],
        {"nash": [4], "gmr": [1, 4], "smr": [1, 4], "seq": [1, 4]},
        id="prisoners-dilemma",
    ),
    pytest.param(
        # a, b = drive straight on. A: DC > CC > CD > DD (the crash).
        [2, 1, 3, 4],
        [3, 1, 2, 4],
        {"nash": [2, 3], "gmr": [1, 2, 3], "smr": [1, 2, 3], "seq": [2, 3]},
        id="chicken",
    ),
]


@pytest.mark.parametrize(("ranking_a", "ranking_b", "expected"), GAMES)
def test_textbook_games(ranking_a, ranking_b, expected):
    table = stability(two_by_two(ranking_a, ranking_b))
    assert {c: [s + 1 for s in table.equilibria(c)] for c in CONCEPTS} == expected


# --- Each definition on tiny hand-made graphs ------------------------------------------------
def graph(n_dms, n_states, arcs, payoffs):
    """``arcs``: (dm, from, to) with states numbered from 0."""
    moves = np.zeros((n_dms, n_states, n_states), dtype=bool)
    for dm, s, q in arcs:
        moves[dm, s, q] = True
    return Conflict(tuple("ABCD"[:n_dms]), moves, payoffs)


def test_nash_is_the_absence_of_improvements():
    c = graph(2, 3, [(0, 0, 1), (0, 1, 2)], [[1, 2, 0], [0, 0, 0]])
    assert nash_stable(c)[0].tolist() == [False, True, True]


def test_gmr_counts_any_sanction_smr_one_that_sticks():
    # A: 0 -> 1 is an improvement; B answers 1 -> 2 (worse for A than 0); from 2, A can move to 3,
    # which it prefers to 0: the sanction does not stick.
    c = graph(2, 4, [(0, 0, 1), (1, 1, 2), (0, 2, 3)], [[1, 2, 0, 3], [0, 0, 0, 0]])
    assert gmr_stable(c)[0, 0]
    assert not smr_stable(c)[0, 0]
    assert not nash_stable(c)[0, 0]


def test_seq_needs_the_sanction_to_improve_the_sanctioner():
    arcs = [(0, 0, 1), (1, 1, 2)]
    credible = graph(2, 3, arcs, [[1, 2, 0], [0, 0, 1]])
    empty = graph(2, 3, arcs, [[1, 2, 0], [0, 1, 0]])
    assert seq_stable(credible)[0, 0] and gmr_stable(credible)[0, 0]
    assert not seq_stable(empty)[0, 0] and gmr_stable(empty)[0, 0]


def test_equally_preferred_states_are_neither_improvements_nor_escapes():
    c = graph(2, 3, [(0, 0, 1), (1, 1, 2)], [[1, 1, 1], [0, 0, 0]])
    assert nash_stable(c)[0, 0]
    # A sanction as good as the starting state still deters (not preferred to it).
    tie = graph(2, 3, [(0, 0, 1), (1, 1, 2)], [[1, 2, 1], [0, 0, 0]])
    assert gmr_stable(tie)[0, 0] and not nash_stable(tie)[0, 0]


def test_scores_closer_than_the_tolerance_are_equal():
    c = graph(2, 2, [(0, 0, 1)], [[0.3, 0.1 + 0.2], [0, 0]])
    assert not nash_stable(c, tol=0.0)[0, 0]  # 0.30000000000000004 > 0.3
    c = graph(2, 2, [(0, 0, 1)], [[0.3, 0.1 + 0.2], [0, 1]])
    assert nash_stable(c, tol=1e-9)[0, 0]


def test_coalition_sanctions_take_several_moves_for_three_dms():
    # A improves 0 -> 1. Neither B nor C alone hurts A, but B (1 -> 2) then C (2 -> 3) does.
    arcs = [(0, 0, 1), (1, 1, 2), (2, 2, 3)]
    c = graph(3, 4, arcs, [[1, 3, 2, 0], [0, 0, 0, 0], [0, 0, 0, 0]])
    assert gmr_stable(c)[0, 0]
    two = graph(2, 4, [(0, 0, 1), (1, 1, 2)], [[1, 3, 2, 0], [0, 0, 0, 0]])
    assert not gmr_stable(two)[0, 0]


def test_no_decision_maker_moves_twice_in_a_row():
    # B alone: 1 -> 2 -> 3 would need B to move twice; C's move in between makes it legal.
    moves = np.zeros((2, 5, 5), dtype=bool)
    moves[0, 1, 2] = moves[0, 2, 3] = True
    assert not coalition_reachable(moves[:1])[1, 3]
    assert not coalition_reachable(moves)[1, 3]
    moves[1, 2, 4] = moves[0, 4, 3] = True
    assert coalition_reachable(moves)[1, 3]  # B 1 -> 2, C 2 -> 4, B 4 -> 3


def test_seq_sanctions_by_a_coalition_improve_each_mover():
    # A improves 0 -> 1; B moves 1 -> 2 (better for B), C moves 2 -> 3 (better for C), 3 is bad
    # for A: a credible two-step sanction. If C dislikes 3, it is not credible.
    arcs = [(0, 0, 1), (1, 1, 2), (2, 2, 3)]
    a = [1, 3, 2, 0]
    assert seq_stable(graph(3, 4, arcs, [a, [0, 0, 1, 0], [0, 0, 0, 1]]))[0, 0]
    assert not seq_stable(graph(3, 4, arcs, [a, [0, 0, 1, 0], [0, 0, 1, 0]]))[0, 0]


# --- Properties on random conflicts ----------------------------------------------------------
PROPERTY_SETTINGS = settings(max_examples=150, deadline=None, derandomize=True)


def reachable_by_search(moves, start):
    """R_H(start) by breadth-first search over (state, last mover): an independent check."""
    h = moves.shape[0]
    queue = deque((q, k) for k in range(h) for q in np.flatnonzero(moves[k, start]))
    seen = set(queue)
    while queue:
        state, last = queue.popleft()
        for k in range(h):
            if k == last:
                continue
            for q in np.flatnonzero(moves[k, state]):
                if (q, k) not in seen:
                    seen.add((q, k))
                    queue.append((q, k))
    return {int(q) for q, _ in seen}


def logical_stability(conflict, concept):
    """The definitions read literally, with sets (Fang, Hipel & Kilgour 1993)."""
    n, m = conflict.n_dms, conflict.n_states
    u = conflict.payoffs
    improvements = conflict.improvements()
    result = np.zeros((n, m), dtype=bool)
    for i in range(n):
        others = [j for j in range(n) if j != i]
        moves = improvements[others] if concept == "seq" else conflict.moves[others]
        for s in range(m):

            def deters(s2, s=s, i=i):
                if u[i, s2] > u[i, s]:
                    return False
                if concept != "smr":
                    return True
                return all(u[i, s3] <= u[i, s] for s3 in np.flatnonzero(conflict.moves[i, s2]))

            result[i, s] = all(
                concept != "nash" and any(deters(s2) for s2 in reachable_by_search(moves, s1))
                for s1 in np.flatnonzero(improvements[i, s])
            )
    return result


@PROPERTY_SETTINGS
@given(conflicts())
def test_stability_concepts_nest(conflict):
    nash, gmr, smr, seq = (f(conflict) for f in (nash_stable, gmr_stable, smr_stable, seq_stable))
    assert np.all(~nash | gmr) and np.all(~nash | smr) and np.all(~nash | seq)
    assert np.all(~smr | gmr)
    assert np.all(~seq | gmr)


@PROPERTY_SETTINGS
@given(conflicts())
def test_matrix_computation_matches_the_logical_definitions(conflict):
    for concept, f in zip(CONCEPTS, (nash_stable, gmr_stable, smr_stable, seq_stable), strict=True):
        np.testing.assert_array_equal(f(conflict, 0.0), logical_stability(conflict, concept))


@PROPERTY_SETTINGS
@given(conflicts())
def test_coalition_reachability_matches_search(conflict):
    reach = coalition_reachable(conflict.moves)
    for s in range(conflict.n_states):
        assert set(np.flatnonzero(reach[s]).tolist()) == reachable_by_search(conflict.moves, s)


@pytest.mark.parametrize("density", [0.02, 0.5], ids=["sparse", "dense"])
def test_coalition_reachability_matches_search_on_larger_graphs(density):
    # Sparse move matrices are multiplied by gathering rows, dense ones by matrix products; a
    # member of each kind is mixed in so that both meet in one fixed point.
    rng = np.random.default_rng(7)
    moves = rng.random((3, 40, 40)) < np.array([density, density, 0.3])[:, None, None]
    reach = coalition_reachable(moves)
    for s in range(40):
        assert set(np.flatnonzero(reach[s]).tolist()) == reachable_by_search(moves, s)


# --- The time bound --------------------------------------------------------------------------
def one_option_each(n):
    """``n`` DMs with one option each, 2**n states; each dislikes its own option."""
    names = {f"D{i}": [f"o{i}"] for i in range(n)}
    return Conflict.from_options(
        names, {dm: [f"-{own[0]}", f"o{(i + 1) % n}"] for i, (dm, own) in enumerate(names.items())}
    )


def test_stopped_at_max_seconds_the_table_holds_the_finished_concepts():
    table = stability(one_option_each(10), max_seconds=0.01)
    assert not table.complete and table.incomplete_reason == "max_seconds"
    assert set(table.concepts) < set(CONCEPTS)
    assert dict(table.options) == {"max_seconds": 0.01}
    assert table.to_dict()["complete"] is False
    assert "WARNING: the analysis stopped at its bound (max_seconds=0.01)" in table.to_text()
    assert "stopped at bound" in repr(table)
    with pytest.raises(InputError, match="was not computed"):
        table.equilibria("seq")


def test_nothing_computed_without_time():
    table = stability(one_option_each(3), "seq", max_seconds=0)
    assert (table.complete, table.concepts, table.stable.shape) == (False, (), (0, 3, 8))
    assert table.to_text().endswith("not computed: SEQ")


def test_a_bound_that_is_not_reached_changes_nothing():
    conflict = one_option_each(5)
    bounded, unbounded = stability(conflict), stability(conflict, max_seconds=None)
    assert bounded.complete and unbounded.complete
    np.testing.assert_array_equal(bounded.stable, unbounded.stable)
    with pytest.raises(InputError, match="max_seconds"):
        stability(conflict, max_seconds=-1)


# --- The result object -----------------------------------------------------------------------
def test_table_exports_agree():
    table = stability(elmira())
    data = json.loads(json.dumps(table.to_dict()))
    assert data["equilibria"] == ELMIRA_EQUILIBRIA
    assert data["states"][4]["stable"]["seq"] == {"MoE": True, "UR": True, "LG": True}
    frame = table.to_frame()
    assert len(frame) == 9
    assert frame.loc[frame["gmr.equilibrium"], "state"].tolist() == ELMIRA_EQUILIBRIA["gmr"]
    assert frame["seq.LG"].tolist() == [s in (2, 3, 5, 6, 7, 8, 9) for s in range(1, 10)]
    lines = table.to_text(every_state=True).splitlines()
    assert "  SEQ: 5, 8, 9" in lines
    assert [line[:5] for line in lines if line[:5].strip().isdigit()] == [
        f"{k:>5}" for k in range(1, 10)
    ]
    html = table._repr_html_()
    assert html.count("<tr>") == 1 + 9


def test_one_concept_and_bad_requests():
    table = stability(elmira(), "seq")
    assert table.concepts == ("seq",)
    assert [s + 1 for s in table.equilibria("seq")] == [5, 8, 9]
    with pytest.raises(InputError, match="not computed"):
        table.equilibria("gmr")
    with pytest.raises(
        InputError, match=r"unknown method 'metarational'.*auto, nash, gmr, smr, seq$"
    ):
        stability(elmira(), "metarational")
    with pytest.raises(InputError, match="tol: expected a number >= 0"):
        stability(elmira(), tol=-1)
    with pytest.raises(InputError, match="unknown decision maker"):
        table.stable_states("seq", "Ontario")


def test_results_are_immutable():
    table = stability(elmira())
    with pytest.raises(ValueError, match="read-only"):
        table.stable[0, 0, 0] = False
    with pytest.raises(ValueError, match="read-only"):
        table.conflict.moves[0, 0, 1] = True


def test_states_are_numbered_from_one_in_exports_and_from_zero_in_python():
    table = stability(elmira())
    assert table.equilibria("nash") == (4, 7, 8)
    assert [entry["state"] for entry in table.to_dict()["states"]] == list(range(1, 10))
