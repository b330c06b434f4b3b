"""Freed memory kept between chunks: the same tables as chunks solved in a process left as is."""

import subprocess
import sys

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import kurilsim
from kurilsim.core.allocator import keep_freed_memory
from kurilsim.sweeps.engine import Job, run_chunks
from kurilsim.sweeps.spec import GridAxis, SweepSpec, point_set

BUNDLED = "scenarios/sochi_2016.yaml"
# 4,000 points: chunks of 1,500, 1,500 and 1,000 reuse one another's memory, of other sizes.
AXES = (GridAxis("sanctions", 0.0, 0.7, 80), GridAxis("trust", 0.0, 1.0, 50))
#: Solves the same points as one chunk in a new process, without keep_freed_memory (run_chunks
#: is not called): the reference of fresh allocations.
FRESH = """
import sys
import pyarrow.parquet as pq
import kurilsim
from kurilsim.sweeps.engine import Job, solve_chunk
from kurilsim.sweeps.spec import GridAxis, SweepSpec, point_set
from kurilsim.core.allocator import keep_freed_memory
scenario = kurilsim.load_scenario(sys.argv[1])
axes = (GridAxis("sanctions", 0.0, 0.7, 80), GridAxis("trust", 0.0, 1.0, 50))
job = Job(scenario, point_set(scenario, SweepSpec(grid=axes)), "pure", 1e-9, (), 4000)
pq.write_table(solve_chunk(job, 0), sys.argv[2])
assert keep_freed_memory.cache_info().currsize == 0  # nothing kept memory in this process
"""


pytestmark = pytest.mark.usefixtures("at_root")  # paths here are relative to the repository root


@pytest.fixture(scope="module")
def fresh(tmp_path_factory):
    file = tmp_path_factory.mktemp("fresh") / "fresh.parquet"
    subprocess.run([sys.executable, "-c", FRESH, BUNDLED, str(file)], check=True)
    return pq.read_table(file)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc only")
def test_freed_memory_is_kept_once_per_process_on_glibc():
    import platform

    expected = platform.libc_ver()[0] == "glibc"
    assert keep_freed_memory() is expected
    assert keep_freed_memory() is expected  # cached: mallopt is called once
    assert keep_freed_memory.cache_info().hits >= 1


@pytest.mark.parametrize("workers", [1, 2])
def test_chunks_of_other_sizes_reusing_memory_give_the_fresh_table(fresh, workers):
    scenario = kurilsim.load_scenario(BUNDLED)
    job = Job(scenario, point_set(scenario, SweepSpec(grid=AXES)), "pure", 1e-9, (), 1500)
    # Solved twice over, so that every chunk runs on memory an earlier chunk freed.
    for _ in range(2):
        tables = dict(run_chunks(job, [2, 0, 1, 2, 1, 0], workers=workers))
        joined = pa.concat_tables([tables[k] for k in range(3)]).combine_chunks()
        # The same bits; dictionary columns compared as the strings they hold.
        assert joined.num_rows == fresh.num_rows
        for name in fresh.column_names:
            mine, theirs = joined[name], fresh[name]
            if pa.types.is_dictionary(mine.type):
                mine, theirs = mine.cast(pa.string()), theirs.cast(pa.string())
                assert mine.equals(theirs), name
            else:
                assert np.array_equal(
                    mine.to_numpy().view(np.uint8), theirs.to_numpy().view(np.uint8)
                ), name
    assert keep_freed_memory.cache_info().currsize == 1
