"""Sweeps: agreement with single solves, chunking, labels, specs and engines."""

import threading

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import kurilsim
from kurilsim import InputError, parse_scenario
from kurilsim.forms import catalogue
from kurilsim.sweeps import GridAxis, SweepSpec, read_sweep, sweep
from kurilsim.sweeps.engine import Job, chunk_size_for, run_chunks, solve_chunk
from kurilsim.sweeps.spec import point_set
from tests.helpers import chain_of_stops
from tests.strategies import STAG_HUNT

BUNDLED = "scenarios/sochi_2016.yaml"
# Trust high enough for the two-island treaty to coexist with joint activity: 1 or 2 equilibria.
GRID = {"sanctions": (0.0, 0.7, 8), "putin_authority": (0.0, 1.0, 5)}
FIXED = {"trust": 0.9}
SOLUTION_COLUMNS = ["equilibrium", "kind", "max_regret"]


pytestmark = pytest.mark.usefixtures("at_root")  # paths here are relative to the repository root


@pytest.fixture(scope="module")
def sochi():
    return kurilsim.load_scenario(BUNDLED)


@pytest.fixture(scope="module")
def grid_result(sochi):
    return sweep(sochi, GRID, fixed=FIXED)


def solved_alone(scenario, point, method="pure"):
    """The table rows of one point, solved with ``Scenario.solve`` as ``kurilsim run`` does."""
    return scenario.solve(point, method=method).to_frame().drop(columns="method")


def test_grid_sweep_agrees_point_by_point_with_single_solves(sochi, grid_result):
    table = grid_result.to_frame()
    assert table["point"].nunique() == 8 * 5
    assert (table.groupby("point").size() > 1).any(), (
        "the grid should cross a two-equilibrium region"
    )
    for point, rows in table.groupby("point"):
        values = {name: rows[f"param.{name}"].iloc[0] for name in GRID} | FIXED
        alone = solved_alone(sochi, values)
        assert len(alone) == len(rows), point
        columns = [
            *SOLUTION_COLUMNS,
            *(c for c in alone.columns if c.startswith(("prob.", "payoff."))),
        ]
        pd.testing.assert_frame_equal(
            rows[columns].reset_index(drop=True), alone[columns].reset_index(drop=True)
        )


def test_table_has_the_documented_columns(grid_result, sochi):
    table = grid_result.to_frame()
    assert list(table.columns[:3]) == ["point", "param.sanctions", "param.putin_authority"]
    assert list(table.columns[-4:]) == ["label", "regime", "complete", "incomplete_reason"]
    alone = solved_alone(sochi, FIXED)
    assert list(table.columns[3:-4]) == list(alone.columns)
    assert table["complete"].all() and table["incomplete_reason"].isna().all()


def test_labels_name_the_profile_and_regimes_join_the_equilibria(grid_result):
    table = grid_result.to_frame()
    row = table.iloc[0]
    chosen = [
        f"{player}: {strategy}"
        for player, strategies in zip(
            grid_result.info.players, grid_result.info.strategies, strict=True
        )
        for strategy in strategies
        if row[f"prob.{player}.{strategy}"] == 1
    ]
    assert row["label"] == ", ".join(chosen)
    for _, rows in table.groupby("point"):
        assert set(rows["regime"]) == {" or ".join(rows["label"])}


def test_declared_labels_name_the_outcomes():
    text = STAG_HUNT + (
        "labels:\n"
        "  - when: {A: stag, B: stag}\n    label: the stag is shared\n"
        "  - when: {A: hare}\n    label: A takes a hare\n"
        "  - when: {B: hare}\n    label: B takes a hare\n"
    )
    result = sweep(parse_scenario(text), {"stag": (2, 10, 3)})
    assert set(result.to_frame()["label"]) == {
        "the stag is shared",
        "A takes a hare; B takes a hare",
    }
    assert set(result.points()["regime"]) == {
        "the stag is shared or A takes a hare; B takes a hare"
    }


def test_a_label_naming_an_unknown_strategy_is_an_input_error():
    text = STAG_HUNT + "labels:\n  - when: {A: rabbit}\n    label: odd\n"
    with pytest.raises(InputError, match=r"labels\.0\.when\.A: A has no strategy 'rabbit'"):
        sweep(parse_scenario(text), {"stag": (2, 10, 3)})


def test_points_without_pure_equilibrium_keep_one_row():
    pennies = parse_scenario(
        "{kurilsim: 1, title: Pennies, players: {Even: [H, T], Odd: [H, T]},"
        " parameters: {w: {default: 1, range: [-1, 3], unit: coins, description: w,"
        " assumption: e}}, payoff_table: [{profile: [H, H], payoffs: [w, -1]},"
        " {profile: [H, T], payoffs: [-1, 1]}, {profile: [T, H], payoffs: [-1, 1]},"
        " {profile: [T, T], payoffs: [1, -1]}]}"
    )
    table = sweep(pennies, {"w": (-1, 3, 5)}).to_frame()
    assert table["kind"].tolist() == ["pure", "none", "none", "none", "none"]  # a tie at w = -1
    none = table[table["kind"] == "none"]
    assert (none["equilibrium"] == 0).all() and none["max_regret"].isna().all()
    assert set(none["regime"]) == {"no pure equilibrium"}


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(chunk=st.integers(1, 45), workers=st.sampled_from([1, 2]))
def test_the_table_does_not_depend_on_chunks_or_workers(sochi, grid_result, chunk, workers):
    result = sweep(sochi, GRID, fixed=FIXED, chunk_size=chunk, workers=workers)
    pd.testing.assert_frame_equal(result.to_frame(), grid_result.to_frame())


def test_regimes_counted_as_chunks_finish_are_those_of_the_table(sochi, tmp_path):
    out = tmp_path / "s.parquet"
    on_file = sweep(sochi, GRID, fixed=FIXED, chunk_size=3, workers=2, out=out)
    in_memory = sweep(sochi, GRID, fixed=FIXED, chunk_size=7)
    assert on_file.regimes is not None and in_memory.regimes is not None
    from_table = read_sweep(out).shares()  # counted from the file, a batch at a time
    pd.testing.assert_frame_equal(on_file.shares(), from_table)
    pd.testing.assert_frame_equal(in_memory.shares(), from_table)
    assert sum(on_file.regimes.values()) == on_file.info.n_points


def test_a_sweep_file_is_the_same_with_one_worker_or_two(sochi, tmp_path):
    # Chunks finish in any order on two threads; the file holds them in chunk order, the same
    # bits and row groups as one worker writes.
    files = [tmp_path / f"{workers}.parquet" for workers in (1, 2)]
    for workers, file in zip((1, 2), files, strict=True):
        sweep(sochi, GRID, fixed=FIXED, chunk_size=3, workers=workers, out=file)
    one, two = (pq.ParquetFile(file) for file in files)
    assert one.metadata.num_row_groups == two.metadata.num_row_groups == 14
    assert one.read().equals(two.read(), check_metadata=True)


@pytest.mark.parametrize("workers", [1, 2])
def test_each_chunk_is_written_by_the_thread_that_solved_it(sochi, workers):
    # Two workers: their threads, not the caller's, which meanwhile encodes the file.
    points = point_set(sochi, SweepSpec(grid=(GridAxis("sanctions", 0.0, 0.7, 9),)))
    job = Job(sochi, points, "pure", 1e-9, (), chunk_size=2)
    threads: dict[int, int] = {}

    def then(index, table):
        threads[index] = threading.get_ident()
        return table.slice(0, 1)

    chunks = dict(run_chunks(job, range(job.n_chunks), workers=workers, then=then))
    assert sorted(chunks) == sorted(threads) == list(range(5))
    assert all(chunks[k].equals(solve_chunk(job, k).slice(0, 1)) for k in chunks)
    caller = threading.get_ident()
    if workers == 1:
        assert set(threads.values()) == {caller}
    else:
        assert caller not in threads.values()


@pytest.mark.slow
def test_per_game_methods_agree_with_run_and_use_a_process_pool(tmp_path):
    scenario = parse_scenario(STAG_HUNT)
    grid = {"stag": (2, 10, 5), "hare": (0, 3, 3)}
    parallel = sweep(scenario, grid, method="vertex-enumeration", workers=2, chunk_size=4)
    table = parallel.to_frame()
    assert set(table["kind"]) == {"pure", "mixed"}
    for _, rows in table.groupby("point"):
        values = {name: rows[f"param.{name}"].iloc[0] for name in grid}
        alone = solved_alone(scenario, values, "vertex-enumeration")
        pd.testing.assert_frame_equal(
            rows[alone.columns].reset_index(drop=True), alone.reset_index(drop=True)
        )
    mixed = table[table["kind"] == "mixed"].iloc[0]
    assert mixed["label"] == "mixed: A: stag/hare, B: stag/hare"
    serial = sweep(scenario, grid, method="vertex-enumeration", workers=1, chunk_size=4)
    pd.testing.assert_frame_equal(serial.to_frame(), table)


def test_auto_resolves_to_the_method_solve_would_pick():
    result = sweep(parse_scenario(STAG_HUNT), {"stag": (2, 10, 2)}, method="auto", workers=1)
    assert result.info.method == "vertex-enumeration"


def test_monte_carlo_is_reproducible_with_a_seed(sochi):
    first = sweep(sochi, samples=300, seed=11, chunk_size=64)
    again = sweep(sochi, samples=300, seed=11, chunk_size=100)
    other = sweep(sochi, samples=300, seed=12)
    pd.testing.assert_frame_equal(first.to_frame(), again.to_frame())
    assert not first.to_frame()["param.trust"].equals(other.to_frame()["param.trust"])
    points = first.points()
    assert points["point"].tolist() == list(range(300))
    for name, parameter in sochi.parameters.items():
        low, high = parameter.range
        assert points[f"param.{name}"].between(low, high).all()


def test_any_sample_can_be_recomputed_alone(sochi):
    result = sweep(sochi, samples=2500, seed=5, fixed={"trust": 0.2})
    points = result.points().set_index("point")
    spec = SweepSpec(samples=2500, seed=5, fixed=(("trust", 0.2),))
    alone = point_set(sochi, spec).values(2100, 2101)
    for name, value in alone.items():
        assert points.loc[2100, f"param.{name}"] == value[0]
    assert "param.trust" not in points


def test_grid_with_samples_gives_every_grid_point_the_same_draws(sochi):
    result = sweep(sochi, {"sanctions": (0, 0.7, 3)}, samples=4, seed=2)
    table = result.to_frame().drop_duplicates("point")
    assert table["sample"].tolist() == [0, 1, 2, 3] * 3
    by_sample = table.groupby("sample")["param.trust"].nunique()
    assert (by_sample == 1).all()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        pytest.param({"grid": {"sanction": (0, 0.5, 3)}}, "unknown parameter", id="unknown"),
        pytest.param(
            {"grid": {"sanctions": (0, 0.9, 3)}}, "outside the declared range", id="range"
        ),
        pytest.param({"grid": {"sanctions": (0, 0.5, 0)}}, r"n: expected a whole", id="n-zero"),
        pytest.param({"grid": {"sanctions": (0, 0.5, -2)}}, "n: expected a whole", id="n-negative"),
        pytest.param({"samples": -5}, "samples: expected a whole number", id="samples-negative"),
        pytest.param({}, "needs a grid", id="nothing"),
        pytest.param(
            {"grid": {"a": (0, 1, 2), "b": (0, 1, 2), "c": (0, 1, 2), "d": (0, 1, 2)}},
            "at most 3 axes",
            id="four-axes",
        ),
        pytest.param(
            {"grid": {"trust": (0, 1, 3)}, "fixed": {"trust": 0.5}}, "more than once", id="twice"
        ),
        pytest.param(
            {"fixed": {"trust": 2.0}, "samples": 3}, "outside the declared range", id="fixed-range"
        ),
        pytest.param(
            {"grid": {"trust": (0, 1, 10**6)}, "chunk_size": 10**6},
            "over the memory limit",
            id="memory",
        ),
        pytest.param(
            {"grid": {"trust": (0, 1, 3)}, "method": "lemke-howson"},
            "solves 2-player games",
            id="method",
        ),
        pytest.param(
            {"grid": {"trust": (0, 1, 3)}, "options": {"max_iter": 3}},
            "has no option max_iter",
            id="option",
        ),
        pytest.param(
            {"grid": {"trust": (0, 1, 3)}, "engine": "spark"}, "engine: expected one", id="engine"
        ),
    ],
)
def test_bad_specs_are_input_errors(sochi, kwargs, message):
    grid = kwargs.pop("grid", None)
    with pytest.raises(InputError, match=message):
        sweep(sochi, grid, **kwargs)


def test_a_table_too_large_for_memory_needs_a_file(sochi, tmp_path):
    grid = {"sanctions": (0, 0.7, 100), "trust": (0, 1, 100)}
    with pytest.raises(InputError, match=r"10,000 points would need about .* write it to a file"):
        sweep(sochi, grid, max_memory=2 * 2**20)
    # Written chunk by chunk, only one chunk is held at a time: the same limit is enough.
    written = sweep(sochi, grid, max_memory=2 * 2**20, out=tmp_path / "s.parquet")
    assert written.to_frame()["point"].nunique() == 10_000


def test_memory_guard_suggests_the_largest_chunk(sochi):
    limit = 50 * 2**20
    largest = chunk_size_for(sochi, "pure", None, limit)
    assert chunk_size_for(sochi, "pure", largest, limit) == largest
    with pytest.raises(InputError, match=f"at most {largest:,} points"):
        chunk_size_for(sochi, "pure", largest + 1, limit)


def test_only_scenarios_of_the_swept_forms_are_swept():
    with pytest.raises(InputError, match="got a NormalFormGame"):
        sweep(catalogue.stag_hunt(), {"stag": (2, 10, 3)})


@pytest.mark.parametrize(
    ("file", "grid"),
    [
        pytest.param("bargaining_2016.yaml", {"sanctions": (0, 0.7, 3)}, id="bargaining"),
        pytest.param("conflict_2018.yaml", {"us_resolve": (0, 1, 3)}, id="conflict"),
    ],
)
def test_bargaining_and_conflict_scenarios_sweep_point_by_point(file, grid):
    scenario = kurilsim.load_scenario(f"scenarios/{file}")
    table = sweep(scenario, grid).to_frame()
    ((name, (start, stop, n)),) = grid.items()
    assert sorted(set(table["point"])) == list(range(n))
    for point, value in enumerate(np.linspace(start, stop, n)):
        rows = table[table["point"] == point]
        alone = kurilsim.compare(scenario, {name: value})  # the point solved on its own
        assert set(rows["label"]) <= {p.outcome for p in alone.predictions} | {"none"}
        assert rows["regime"].nunique() == 1


# ------------------------------------------------------------------ game trees (form: extensive)
TREE = "scenarios/sequence_1956.yaml"
TREE_GRID = {"carry_out_cost": (0.0, 0.6, 13), "okinawa_stake": (1.0, 4.0, 4)}


@pytest.fixture(scope="module")
def tree_scenario():
    return kurilsim.load_scenario(TREE)


@pytest.fixture(scope="module")
def tree_result(tree_scenario):
    return sweep(tree_scenario, TREE_GRID)


def test_tree_sweep_lists_the_subgame_perfect_equilibria_run_shows(tree_scenario, tree_result):
    table = tree_result.to_frame()
    assert tree_result.info.method == "backward-induction"
    assert set(table["kind"]) == {"subgame-perfect"}
    assert table["point"].nunique() == 13 * 4
    # carry_out_cost = 0.3 makes the US indifferent: two subgame-perfect equilibria there.
    assert (table.groupby("point").size() == 2).sum() == 4
    players = tree_scenario.players
    for point, rows in table.groupby("point"):
        values = {name: rows[f"param.{name}"].iloc[0] for name in TREE_GRID}
        alone = tree_scenario.solve(values).to_frame()
        alone = alone[alone["concept"] == "subgame-perfect"]
        assert len(alone) == len(rows), point
        labels = [
            ", ".join(f"{p}: {r[f'strategy.{p}']}" for p in players) for _, r in alone.iterrows()
        ]
        assert rows["label"].tolist() == labels
        assert rows["path"].tolist() == alone["path"].tolist()
        for p in players:
            assert np.allclose(rows[f"payoff.{p}"], alone[f"payoff.{p}"])
            plan = [
                rows[f"prob.{p}.{s}"].to_numpy()
                for s in tree_result.info.strategies[players.index(p)]
            ]
            assert np.allclose(np.sum(plan, axis=0), 1)
        assert (rows["max_regret"] < 1e-9).all() and rows["complete"].all()


@pytest.mark.parametrize(
    "options",
    [{"max_equilibria": 1}, {"max_equilibria": 1, "listing_seconds": 5.0}, {"max_seconds": 0.0}],
)
def test_a_tree_sweep_point_is_the_run_with_the_same_options(tree_scenario, options):
    """A bound cuts the listing at the tied point (carry_out_cost 0.3) as in run, and only there."""
    grid = {"carry_out_cost": (0.0, 0.6, 5)}
    table = sweep(tree_scenario, grid, options=options).to_frame()
    assert (~table["complete"]).sum() == 1  # the tie, cut to its first equilibrium
    for _, rows in table.groupby("point"):
        values = {"carry_out_cost": rows["param.carry_out_cost"].iloc[0]}
        alone = tree_scenario.solve(values, **options)
        listed = alone.to_frame()
        assert (
            rows["path"].tolist() == listed[listed["concept"] == "subgame-perfect"]["path"].tolist()
        )
        assert rows["complete"].tolist() == [alone.complete] * len(alone)
        reasons = [None if pd.isna(reason) else reason for reason in rows["incomplete_reason"]]
        assert reasons == [alone.incomplete_reason] * len(alone)


def test_a_tree_sweep_refuses_options_run_does_not_take(tree_scenario):
    with pytest.raises(InputError, match="has no option max_iter; options: max_equilibria"):
        sweep(tree_scenario, TREE_GRID, options={"max_iter": 3})


def test_tree_sweep_columns_and_plans(tree_result):
    info = tree_result.info
    assert info.strategies[1] == ("tolerate|*", "threaten|keep_okinawa", "threaten|return_okinawa")
    columns = tree_result.to_frame().columns.tolist()
    assert columns[:4] == ["point", "param.carry_out_cost", "param.okinawa_stake", "equilibrium"]
    assert columns[-5:] == ["label", "path", "regime", "complete", "incomplete_reason"]
    assert "prob.US.threaten|keep_okinawa" in columns


def test_tree_sweep_does_not_depend_on_chunks_and_samples_reproduce(tree_scenario, tree_result):
    pd.testing.assert_frame_equal(
        sweep(tree_scenario, TREE_GRID, chunk_size=5, workers=2).to_frame(),
        tree_result.to_frame(),
    )
    drawn = sweep(tree_scenario, samples=300, seed=3, chunk_size=64)
    again = sweep(tree_scenario, samples=300, seed=3)
    pd.testing.assert_frame_equal(drawn.to_frame(), again.to_frame())
    assert drawn.to_frame()["point"].nunique() == 300


def test_a_long_tied_tree_stores_each_point_regime_once(tmp_path, hunt_file_schema):
    """A regime naming every equilibrium of its point is stored once, not on each of its rows."""
    out = tmp_path / "chain.parquet"
    result = sweep(chain_of_stops(10), {"bonus": (-1.0, 1.0, 3)}, out=out)
    assert result.to_frame().groupby("point").size().tolist() == [1, 1024, 512]
    regime = pq.read_table(out).column("regime").combine_chunks()
    assert regime.type == hunt_file_schema.field("regime").type  # as a normal-form sweep's
    assert len(regime.dictionary) == 3  # one entry per point: the square of 1,024 is not stored
    longest = max(len(word.encode()) for word in regime.dictionary.to_pylist())
    assert regime.nbytes < 3 * longest + 8 * len(regime)
    for _, rows in result.to_frame().groupby("point"):
        assert set(rows["regime"]) == {" or ".join(rows["label"])}


@pytest.fixture
def hunt_file_schema(tmp_path):
    """The schema of a normal-form (pure) sweep file."""
    out = tmp_path / "hunt.parquet"
    sweep(parse_scenario(STAG_HUNT), {"stag": (2, 10, 3)}, out=out)
    return pq.read_schema(out)


@pytest.mark.parametrize("method", ["pure", "vertex-enumeration"])
def test_tree_sweep_refuses_normal_form_methods(tree_scenario, method):
    with pytest.raises(InputError, match="subgame-perfect"):
        sweep(tree_scenario, TREE_GRID, method=method)


def test_tree_sweep_resumes_after_a_kill(tmp_path, tree_scenario, tree_result, monkeypatch):
    from kurilsim.sweeps import engine

    out = tmp_path / "tree.parquet"
    real = engine.solve_chunk
    calls = []

    def dies_after_two(job, index):
        if len(calls) == 2:
            raise KeyboardInterrupt
        calls.append(index)
        return real(job, index)

    monkeypatch.setattr(engine, "solve_chunk", dies_after_two)
    with pytest.raises(KeyboardInterrupt):
        sweep(tree_scenario, TREE_GRID, out=out, chunk_size=7, workers=1)
    monkeypatch.setattr(engine, "solve_chunk", real)
    resumed = sweep(tree_scenario, TREE_GRID, out=out, resume=True, workers=1)
    pd.testing.assert_frame_equal(resumed.to_frame(), tree_result.to_frame())


def test_grid_axis_parsing():
    assert GridAxis.parse("trust=0:1:5") == GridAxis("trust", 0.0, 1.0, 5)
    for bad in ("trust", "trust=0:1", "trust=a:1:5", "trust=0:1:2.5", "=0:1:3"):
        with pytest.raises(InputError, match="grid"):
            GridAxis.parse(bad)
    assert np.array_equal(GridAxis("x", 2, 2, 1).values(), [2.0])
    with pytest.raises(InputError, match="one value cannot span"):
        GridAxis("x", 0, 1, 1)


def test_summary_and_html_name_the_regimes(grid_result):
    summary = grid_result.summary()
    assert "40 points (sanctions 0..0.7 (8) x putin_authority 0..1 (5)); method pure" in summary
    top = grid_result.shares().iloc[0]
    assert f"{top['share']:7.1%}  {top['regime']}" in summary
    assert "<table" in grid_result._repr_html_()


SWITCH = """
kurilsim: 1
title: Coordinate or alternate
parameters:
  t: {default: 0, range: [0, 1], unit: share, description: the pull to alternate, assumption: toy}
players: {A: [x, y], B: [u, v]}
payoff_table:
  - {profile: [x, u], payoffs: [1 - t, 1 - t]}
  - {profile: [x, v], payoffs: [t, t]}
  - {profile: [y, u], payoffs: [t, t]}
  - {profile: [y, v], payoffs: [1 - t, 1 - t]}
labels:
  - {when: {A: x, B: u}, label: cooperate}
  - {when: {A: y, B: u}, label: cooperate}
  - {when: {A: x, B: v}, label: defect}
  - {when: {A: y, B: v}, label: defect}
"""


@pytest.mark.parametrize("method", ["pure", "support-enumeration"])
def test_one_set_of_equilibria_reads_the_same_wherever_its_labels_fall(method):
    # At t = 0 the equilibria are (x, u) and (y, v), at t = 1 (x, v) and (y, u): in the order of
    # the profiles "cooperate" comes first at t = 0 and last at t = 1; the labels block decides.
    result = sweep(parse_scenario(SWITCH), {"t": (0, 1, 2)}, method=method)
    (regime,) = set(result.points()["regime"])  # support enumeration adds the mixed one
    assert regime.startswith("cooperate or defect")


@pytest.mark.parametrize(
    ("progress", "chunk_size", "shown"), [(True, 4, True), (False, 4, False), (True, 9, False)]
)
def test_a_progress_bar_is_shown_when_asked_for_over_two_chunks_or_more(
    capsys, progress, chunk_size, shown
):
    grid = {"stag": (2, 10, 9)}
    sweep(parse_scenario(STAG_HUNT), grid, chunk_size=chunk_size, progress=progress)
    assert ("9.00/9.00 " in capsys.readouterr().err) is shown
