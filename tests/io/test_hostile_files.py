"""Hostile files and options: each is refused in one line, in bounded time and memory."""

import os
import resource
import subprocess
import sys

import pytest

from kurilsim import InputError
from kurilsim.forms.normal import regret
from kurilsim.io.sources import read_source
from kurilsim.solving import run

#: The address space a hostile input may take before the command must have refused it.
MEMORY_LIMIT = 1 << 30


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def run_bounded(
    *args: str, cwd: os.PathLike[str] | str | None = None, timeout: float = 60
) -> tuple[int, str]:
    """Run ``kurilsim ARGS`` in a process of at most 1 GB for at most ``timeout`` seconds.

    Returns the exit code and stderr. The timeout guards against a hang (a FIFO read without
    end), not against slowness.
    """
    done = subprocess.run(
        [sys.executable, "-m", "kurilsim", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        preexec_fn=_limit_memory,
        cwd=cwd,
        check=False,
    )
    return done.returncode, done.stderr


def assert_refused(code: int, stderr: str, *words: str) -> None:
    """A refusal: exit code 2 and one line on stderr holding ``words``."""
    assert code == 2, stderr
    assert stderr.count("\n") == 1 and stderr.startswith("kurilsim: error: "), stderr
    for word in words:
        assert word in stderr, stderr


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
@pytest.mark.parametrize("suffix", [".yaml", ".nfg", ".efg"])
def test_devices_are_refused_before_reading(tmp_path, device, suffix):
    if not os.path.exists(device):
        pytest.skip(f"no {device} here")
    link = tmp_path / f"device{suffix}"
    link.symlink_to(device)
    assert_refused(*run_bounded("run", str(link)), "not a regular file")


@pytest.mark.parametrize("path", ["game\x00.yaml", "game\x00.nfg"])
def test_a_path_holding_a_nul_character_is_refused(path):
    with pytest.raises(InputError, match="path: a path cannot hold the NUL character"):
        run(path)
    with pytest.raises(InputError, match="path: a path cannot hold the NUL character"):
        read_source(path, "path")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path):
    fifo = tmp_path / "game.nfg"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match="not a regular file"):
        read_source(fifo, "path")
    assert_refused(*run_bounded("run", str(fifo)), "not a regular file")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_validate_and_backtest_refuse_special_files_without_reading_them(tmp_path):
    # Both ask first whether a .yaml file is a shared-parameters file, which must not wait
    # for a FIFO's writer nor read /dev/zero without end.
    os.mkfifo(tmp_path / "fifo.yaml")
    specials = [tmp_path / "fifo.yaml"]
    if os.path.exists("/dev/zero"):
        (tmp_path / "zero.yaml").symlink_to("/dev/zero")
        specials.append(tmp_path / "zero.yaml")
    for special in specials:
        code, stderr = run_bounded("validate", str(special))
        assert code == 2, stderr
        assert stderr == f"kurilsim: {special}: cannot read the file: it is not a regular file\n"
    code, stderr = run_bounded("backtest", str(tmp_path))
    assert code == 2 and stderr.count("\n") == 1, stderr
    assert "not a regular file" in stderr


SCENARIO = "scenarios/sochi_2016.yaml"
#: A folder of the system where no file can be created, whatever the permissions say.
UNWRITABLE = "/proc"


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        pytest.param(
            ["sweep", SCENARIO, "--samples", "2", "--seed", "-1"], "seed", id="sweep-seed"
        ),
        pytest.param(["backtest", "scenarios", "--seed", "-1"], "seed", id="backtest-seed"),
        pytest.param(
            ["sweep", SCENARIO, "--grid", "trust=0:1:1000000000", "--out", "{tmp}/g.parquet"],
            "at most 1,000,000",
            id="grid-axis-of-a-billion-values",
        ),
        pytest.param(
            ["sweep", SCENARIO, "--samples", "2", "--out", "{tmp}/missing/table.parquet"],
            "does not exist",
            id="sweep-out-in-a-missing-folder",
        ),
        pytest.param(
            ["sweep", SCENARIO, "--samples", "2", "--out", "{tmp}"],
            "it is a folder",
            id="sweep-out-is-a-folder",
        ),
        pytest.param(
            ["sweep", SCENARIO, "--samples", "2", "--plot", "{tmp}/file.txt/map.png"],
            "does not exist",
            id="sweep-plot-under-a-file",
        ),
        pytest.param(
            ["tipping", SCENARIO, "--plot", "{tmp}/missing/t.png"], "--plot", id="tipping-plot"
        ),
        # A folder that access() calls writable, for root, yet no file can be made in.
        *(
            pytest.param(
                [*argv, f"{UNWRITABLE}/{name}"],
                "cannot write",
                id=f"{argv[0]}-{argv[-1]}-where-no-file-can-be-made",
                marks=pytest.mark.skipif(not os.path.isdir(UNWRITABLE), reason="no /proc here"),
            )
            for argv, name in [
                (["sweep", SCENARIO, "--samples", "2", "--out"], "table.parquet"),
                (["sweep", SCENARIO, "--samples", "2", "--plot"], "map.png"),
                (["tipping", SCENARIO, "--plot"], "t.png"),
                (["qre", SCENARIO, "--plot"], "q.png"),
            ]
        ),
        pytest.param(["qre", SCENARIO, "--plot", "{tmp}/missing/q.png"], "--plot", id="qre-plot"),
        *(
            pytest.param(["tipping", SCENARIO, "--tol", tol], "tolerance", id=f"tipping-tol-{tol}")
            for tol in ("nan", "inf", "0", "0.5", "1")
        ),
    ],
)
def test_bad_options_are_refused_before_any_work(capsys, tmp_path, argv, words):
    from kurilsim.cli import main

    (tmp_path / "file.txt").write_text("x")
    code = main([arg.replace("{tmp}", str(tmp_path)) for arg in argv])
    err = capsys.readouterr().err
    assert_refused(code, err, words)


def test_qre_rows_beyond_the_branch_print_every_point_once(capsys):
    from kurilsim.cli import main

    assert main(["qre", SCENARIO, "--rows", "1000000000"]) == 0
    rows = capsys.readouterr().out.split("Its limit:")[0].strip().splitlines()
    assert 3 < len(rows) < 10_000


def test_an_outcome_defined_twice_with_other_payoffs_is_refused_at_its_line():
    from kurilsim.forms.extensive.efg import parse_efg

    text = (
        'EFG 2 R "t" { "A" "B" }\np "" 1 1 "" { "x" "y" } 0\n'
        't "" 1 "o" { 1, 2 }\nt "" 1 "o" { 3, 4 }\n'
    )
    with pytest.raises(InputError, match=r"^bad\.efg:4: outcome 1 was given the payoffs 1, 2"):
        parse_efg(text, source="bad.efg")
    # Gambit writes an outcome's payoffs again wherever it is used: the same ones are read.
    same = parse_efg(text.replace("{ 3, 4 }", "{ 1, 2 }"))
    assert same.payoffs.tolist() == [[1.0, 2.0], [1.0, 2.0]]


def test_a_long_flat_sum_is_not_deep_but_real_nesting_is():
    from kurilsim.core.expr import MAX_DEPTH, parse_expression

    assert parse_expression(" + ".join(["x"] * 62)).evaluate({"x": 1.0}) == 62.0
    assert parse_expression("+".join(["1"] * 1999)).evaluate({}) == 1999.0
    assert parse_expression("10 - 2 * 3 - 1 / 2 ** 1").evaluate({}) == 3.5
    nested = "1 + (" * (MAX_DEPTH + 1) + "1" + ")" * (MAX_DEPTH + 1)
    with pytest.raises(InputError, match=f"nested more than {MAX_DEPTH} levels deep"):
        parse_expression(nested)


@pytest.mark.parametrize("n_players", [31, 63, 64, 65, 10_000])
def test_more_players_than_numpy_can_hold_are_refused_naming_the_limit(tmp_path, n_players):
    from kurilsim import run

    players = "".join(f"  P{k}: [a, b]\n" for k in range(n_players))
    payoffs = "".join(f"  P{k}: 1\n" for k in range(n_players))
    scenario = tmp_path / "crowd.yaml"
    scenario.write_text(f"kurilsim: 1\ntitle: crowd\nplayers:\n{players}payoffs:\n{payoffs}")
    names = " ".join(f'"P{k}"' for k in range(n_players))
    game = tmp_path / "crowd.nfg"
    game.write_text(f'NFG 1 R "crowd" {{ {names} }} {{ {"2 " * n_players}}} 0')
    for path in (scenario, game):
        with pytest.raises(InputError, match="at most 30"):
            run(path)


def test_a_tall_game_where_every_profile_is_an_equilibrium_is_refused_at_once(tmp_path):
    game = tmp_path / "tall.nfg"
    game.write_text('NFG 1 R "tied" { "A" "B" } { 10000 2 }\n\n' + "0 " * 40_000)
    code, stderr = run_bounded("run", str(game))
    assert_refused(code, stderr, "tall.nfg", "whole product", "20,000 pure profiles")


def _tied_cube(tmp_path, n: int) -> str:
    """A scenario of three players with n strategies each, every profile an equilibrium."""
    strategies = "[" + ", ".join(f"s{k}" for k in range(n)) + "]"
    players = "".join(f"  {p}: {strategies}\n" for p in "ABC")
    scenario = tmp_path / "tied.yaml"
    scenario.write_text(
        f"kurilsim: 1\ntitle: tied\nplayers:\n{players}payoffs:\n  A: 0\n  B: 0\n  C: 0\n"
    )
    return str(scenario)


def test_many_pure_equilibria_are_verified_in_one_pass_each(tmp_path):
    # 8,000 profiles, every one an equilibrium: listed and verified within 1 GB. The timeout only
    # guards against a hang; the work is counted below, not timed.
    code, stderr = run_bounded(
        "run", _tied_cube(tmp_path, 20), "--method", "pure", "--limit", "3", timeout=900
    )
    assert code == 0, stderr


def test_the_payoffs_are_mapped_a_fixed_number_of_times_however_many_equilibria(
    tmp_path, monkeypatch
):
    """Every equilibrium is verified against one map of the payoffs, not a map of its own.

    Each map is a pass over the whole payoff tensor; counted over solving and printing, they
    stay a handful for a game with 1,000 pure equilibria.
    """
    maps = []
    affine_parts = regret._affine_parts

    def counted(payoffs):
        maps.append(payoffs.shape)
        return affine_parts(payoffs)

    monkeypatch.setattr(regret, "_affine_parts", counted)
    solution = run(_tied_cube(tmp_path, 10), method="pure")
    assert "... and 997 more" in solution.to_text(limit=3)
    assert len(solution) == 1000 and len(maps) <= 5


def _tied_square(tmp_path, n: int) -> tuple[str, str]:
    """A scenario and an .nfg (outcome format, under the size bound) of an n x n tied game."""
    names = [", ".join(f"{p}{k}" for k in range(n)) for p in "ab"]
    scenario = tmp_path / "tied.yaml"
    scenario.write_text(
        f"kurilsim: 1\ntitle: tied\nplayers:\n  A: [{names[0]}]\n  B: [{names[1]}]\n"
        "payoffs: {A: 0, B: 0}\n"
    )
    labels = " ".join(f'"{k}"' for k in range(n))
    game = tmp_path / "tied.nfg"
    game.write_text(
        f'NFG 1 R "tied" {{ "A" "B" }} {{ {{ {labels} }} {{ {labels} }} }}\n'
        '{ { "" 0, 0 } }\n' + "1 " * (n * n)
    )
    return str(scenario), str(game)


@pytest.mark.parametrize("command", ["run", "qre"])
def test_a_large_tied_game_is_refused_at_once_by_every_command(tmp_path, command):
    # 990 x 990 keeps the .nfg under the 2 MB bound on game files; the scenario has no bound there.
    for path in _tied_square(tmp_path, 990):
        code, stderr = run_bounded(command, path)
        assert_refused(code, stderr, path, "every", "equilibri")


def test_sweeping_a_game_whose_every_profile_is_an_equilibrium_is_refused(tmp_path):
    # Each of the 1,000,000 profiles an equilibrium at every point: 8 GB of rows were allocated.
    names = [", ".join(f"{p}{k}" for k in range(1000)) for p in "ab"]
    outcomes = "".join(
        f"  o{j}:\n    description: d\n    rules:\n      - {{when: {{}}, value: t * {j}}}\n"
        for j in range(99)
    )
    scenario = tmp_path / "multiply.yaml"
    scenario.write_text(
        "kurilsim: 1\ntitle: multiply\nparameters:\n"
        "  t: {default: 1, range: [0, 2], unit: u, description: d, assumption: toy}\n"
        f"players:\n  A: [{names[0]}]\n  B: [{names[1]}]\noutcomes:\n{outcomes}"
        f"payoffs:\n  A: {' + '.join(f'o{j} * t' for j in range(99))}\n"
        f"  B: {' - '.join(f'o{j}' for j in range(99))}\n"
    )
    out = tmp_path / "s.parquet"
    for argv in (["sweep", "--grid", "t=0:2:50", "--out", str(out)], ["tipping"]):
        code, stderr = run_bounded(argv[0], str(scenario), *argv[1:])
        assert_refused(code, stderr, "1,000,000 of the 1,000,000 strategy profiles")


def _shared_ladder(depth: int) -> str:
    """An .efg of two ladders of ``depth`` moves after a fair coin; B cannot tell them apart.

    Its reduced normal form is far beyond enumeration, so ``auto`` turns to the sequence form,
    whose size grows with the tree: ``4 * depth`` sequences and ``2 * depth`` information sets.
    """
    lines = ['EFG 2 R "ladders" { "A" "B" }', 'c "" 1 "" { "L" 0.5 "R" 0.5 } 0']
    for side in range(2):
        for k in range(depth):
            player = 1 + k % 2
            infoset = k + 1 if player == 2 else k + 1 + side * depth
            outcome = 2 + side * depth + k
            lines.append(f'p "" {player} {infoset} "" {{ "s" "g" }} 0')
            lines.append(f't "" {outcome} "" {{ {k % 7}, {(3 * k + side) % 11} }}')
        lines.append('t "" 1 "end" { 1, 1 }')
    return "\n".join(lines) + "\n"


def test_a_tree_whose_sequence_form_is_out_of_reach_is_refused_before_building_it(tmp_path):
    # 4,000 levels: a Lemke tableau of 24,006 x 48,013 cells (9 GB) was allocated.
    game = tmp_path / "ladders.efg"
    game.write_text(_shared_ladder(4000))
    code, stderr = run_bounded("run", str(game))
    assert_refused(code, stderr, "ladders.efg", "sequence form", "at most 20,000,000")
