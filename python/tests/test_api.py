"""The afc module's API: loading, per-call parameters and fields, the four
commands, and their DataFrames. Expected figures come from the reference
data in test/data (AccelForge's numbers), hand-derivable counts, or
invariants between calls."""
import csv
import json
import math
import os
import threading
from pathlib import Path

import pandas as pd
import pytest

import afc

SOURCE = Path(os.environ.get("AFC_SOURCE_DIR",
                             Path(__file__).resolve().parents[2]))
DATA = Path(os.environ.get("AFC_TEST_DATA", SOURCE / "test" / "data"))
REL = 1e-4


def close(a, b, rel=REL):
    return math.isclose(a, b, rel_tol=rel, abs_tol=1e-12)


@pytest.fixture(scope="module")
def seed_reference():
    with open(DATA / "dse_eyeriss_glb_sweep.csv") as f:
        return [{k: float(v) for k, v in row.items()}
                for row in csv.DictReader(f)]


@pytest.fixture(scope="module")
def eyeriss():
    return afc.load("arches/eyeriss.af", "workloads/basic/matmuls.af",
                    N_EINSUMS=1, M=4096, KN=4096)


def test_components_match_reference(eyeriss):
    with open(DATA / "hwcomponents_expected.json") as f:
        expected = json.load(f)["eyeriss"]
    table = eyeriss.components()
    assert list(table.columns[:3]) == ["arch", "component", "class"]
    for component, figures in expected.items():
        rows = table[table.component == component]
        assert not rows.empty, component
        assert close(rows.area_m2.iloc[0], figures["area"])
        for action, a in figures["actions"].items():
            row = rows[rows.action == action]
            assert close(row.energy_J.iloc[0], a["energy"]), (component,
                                                               action)


def test_map_matches_reference_point(eyeriss, seed_reference):
    point = seed_reference[10]
    best = eyeriss.map(metric="energy",
                       fields={"GlobalBuffer.size": point["size_bits"]})
    assert close(best.energy_per_compute * 1e12,
                 point["energy_per_compute_pJ"])
    assert close(best.energy, point["total_energy_J"])
    assert close(best.latency, point["latency_s"])
    assert close(best.area, point["total_area_m2"])
    per_component = best.energy_per_component(per_compute=True) * 1e12
    for component in ["MainMemory", "GlobalBuffer", "MAC"]:
        assert close(per_component[component],
                     point[f"E_{component}_pJ_per_compute"])
    assert best.complete
    assert "mapping best" in str(best.mapping)


def test_tidy_tables(eyeriss):
    best = eyeriss.map(metric="energy")
    energies = best.energies
    assert list(energies.columns) == ["einsum", "component", "action",
                                      "energy_J"]
    assert close(energies.energy_J.sum(), best.energy, 1e-9)
    # MultiIndex-able: no joined keys.
    indexed = energies.set_index(["einsum", "component", "action"])
    assert indexed.index.nlevels == 3
    assert set(best.actions.columns) >= {"tensor", "count"}
    # Eyeriss's GlobalBuffer counts 64-bit words, main memory bits.
    words = best.actions.set_index(["component", "action"]).bits_per_action
    assert set(words.loc[("GlobalBuffer", "read")]) == {64}
    assert set(words.loc[("MainMemory", "read")]) == {1}
    assert set(best.area_per_component.component) >= {"GlobalBuffer", "MAC"}


def test_evaluating_the_best_mapping_gives_its_result(eyeriss):
    best = eyeriss.map(metric="energy")
    again = eyeriss.evaluate(best.mapping)
    assert close(again.energy, best.energy, 1e-9)
    assert close(again.latency, best.latency, 1e-9)
    # The same mapping as text, too.
    assert close(eyeriss.evaluate(str(best.mapping)).energy, best.energy,
                 1e-9)


def test_parameters_per_call(eyeriss):
    # A 64 x 64 x 64 matmul has 64^3 multiply-accumulates.
    small = eyeriss.map(M=64, KN=64)
    assert small.computes == 64 ** 3
    # The session's own parameters are back for the next call.
    assert eyeriss.map().computes == 4096 ** 3


def test_fixed_mapping_from_sources():
    spec = afc.load("arches/simple.af", "workloads/basic/matmuls.af",
                    "mappings/unfused_matmuls_to_simple.af",
                    N_EINSUMS=2, M=64, KN=32)
    result = spec.evaluate()
    # Two Einsums of 64 x 32 x 32 points each.
    assert result.computes == 2 * 64 * 32 * 32
    assert set(result.energies.einsum) == {"Matmul0", "Matmul1"}


def test_run_study(seed_reference):
    spec = afc.load(SOURCE / "examples" / "eyeriss_glb_sweep.af")
    table = spec.run()
    assert isinstance(table, pd.DataFrame)
    assert len(table) == len(seed_reference) == 32
    size = [c for c in table.columns if c.startswith("GlobalBuffer.size")][0]
    for (_, row), ref in zip(table.iterrows(), seed_reference):
        assert close(row[size], ref["size_bits"])
        assert close(row["energy_per_compute_pJ"],
                     ref["energy_per_compute_pJ"])


def test_run_compares_architectures():
    # A study sweeping the architecture by name: its rows carry the name,
    # and each has the energy map() finds for that architecture alone.
    spec = afc.load(SOURCE / "examples" / "compare_arches.af")
    table = spec.run("compare_arches")
    assert list(table.arch) == ["eyeriss", "simba", "simba_4pe"]
    for _, row in table.iterrows():
        best = spec.map(arch=row.arch, N_EINSUMS=1, M=512, KN=512)
        assert close(row.energy_J, best.energy, rel=1e-9)
        assert close(row.latency_s, best.latency, rel=1e-9)


def test_searches_release_the_gil(eyeriss):
    # Another Python thread runs while a search is under way.
    ticks = []
    stop = threading.Event()

    def tick():
        while not stop.is_set():
            ticks.append(1)
            stop.wait(0.001)

    t = threading.Thread(target=tick)
    t.start()
    try:
        eyeriss.map(fields={"GlobalBuffer.size": "4 MiB"})
    finally:
        stop.set()
        t.join()
    assert len(ticks) > 1


def test_parameters_as_a_dict():
    spec = afc.load("arches/eyeriss.af", "workloads/basic/matmuls.af",
                    params={"N_EINSUMS": 1, "M": 32}, KN=16)
    assert spec.map(params={"M": 16}).computes == 16 * 16 * 16


def test_progress_bar(eyeriss, capsys):
    eyeriss.map(M=64, KN=64, progress=True)
    shown = capsys.readouterr().out
    assert shown.startswith("\rsearch [") and shown.endswith("100%\n")


def test_loop_nest_view(eyeriss):
    nest = eyeriss.map(M=64, KN=64).mapping.loop_nest.splitlines()
    # A header, the outermost storage first, the compute innermost, deeper
    # than any loop.
    assert nest[0].startswith("Mapping")
    assert nest[1].strip().startswith("MainMemory:")
    assert nest[-1].strip() == "compute Matmul0 on MAC"
    depth = [len(line) - len(line.lstrip()) for line in nest]
    assert depth[-1] == max(depth) > 0
