"""afc from Python: load .af sources once, then evaluate, map and run studies
in process, with results as pandas DataFrames.

    import afc
    spec = afc.load("arches/eyeriss.af", "workloads/basic/matmuls.af",
                    N_EINSUMS=1, M=4096, KN=4096)
    best = spec.map(metric="energy", fields={"GlobalBuffer.size": "32 KiB"})
    best.energy_per_compute * 1e12      # pJ
    best.energies                       # einsum, component, action, energy_J
    print(best.mapping)                 # the mapping in .af syntax

Parameters (like ``afc -D NAME=VALUE``) are keyword arguments of load() and
of every call; values are numbers or .af expression text ("32 KiB").
``fields`` sets component fields for one call, as a study's sweep does
(``GlobalBuffer.size``, ``MAC.energy``, ``GlobalBuffer.read.energy``); a
plain number is in the field's SI unit (bits for a size).

Errors in the input raise afc.Error, whose ``file``, ``line``, ``column`` and
``message`` say where the first one is and whose text is every diagnostic
as ``afc`` prints it, with the source line and a caret.

Searches run without the GIL and reuse the process's compiled kernels, so a
Python loop over design points costs about what ``afc run`` does.
"""
from pathlib import Path
import sys

import pandas as pd

from ._afc import Error, Session as _Session, CallOptions as _CallOptions
from ._afc import default_stdlib_dir as _default_stdlib_dir

__all__ = ["Error", "Spec", "Result", "MapResult", "Mapping", "load",
           "loads", "stdlib_dir"]


def stdlib_dir():
    """The standard library folder (arches/, workloads/, mappings/)."""
    return Path(_default_stdlib_dir())


def _af_text(value):
    """A Python value as .af expression text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _defines(params):
    """NAME=VALUE texts; a `params` dict is for names that are not Python
    identifiers or collide with an argument (keywords win over it)."""
    params = dict(params)
    merged = dict(params.pop("params", None) or {})
    merged.update(params)
    return [f"{name}={_af_text(value)}" for name, value in merged.items()]


class Mapping:
    """A mapping; str() is its .af text, which evaluate() accepts.
    `loop_nest` (for a mapping the mapper found) is the same mapping as an
    indented loop nest: what a loop encloses is one level deeper."""

    def __init__(self, text, loop_nest=None):
        self.text = text
        self.loop_nest = loop_nest

    def __str__(self):
        return self.text

    def __repr__(self):
        return self.text

    def _repr_markdown_(self):
        return "```\n" + self.text + "\n```"

    def __eq__(self, other):
        return isinstance(other, Mapping) and self.text == other.text


class Result:
    """What the model says of one mapping, in SI units (J, s, m^2)."""

    def __init__(self, figures):
        self._f = figures
        self.arch = figures.arch
        self.workload = figures.workload
        self.energy = figures.energy
        self.latency = figures.latency
        self.computes = figures.computes
        self.area = figures.area

    @property
    def energy_per_compute(self):
        """Energy per iteration-space point, J."""
        return self.energy / self.computes if self.computes else 0.0

    @property
    def energies(self):
        """One row per (Einsum, component, action): energy_J."""
        return pd.DataFrame(self._f.energies,
                            columns=["einsum", "component", "action",
                                     "energy_J"])

    @property
    def latencies(self):
        """One row per (Einsum, component): latency_s."""
        return pd.DataFrame(self._f.latencies,
                            columns=["einsum", "component", "latency_s"])

    @property
    def actions(self):
        """One row per (Einsum, component, tensor, action): count, in words
        of bits_per_action bits (NaN for computes)."""
        return pd.DataFrame(self._f.actions,
                            columns=["einsum", "component", "tensor",
                                     "action", "count", "bits_per_action"])

    @property
    def usage(self):
        """One row per memory: the fraction of its size in use."""
        return pd.DataFrame(self._f.usage, columns=["memory", "usage"])

    @property
    def area_per_component(self):
        """One row per component: area_m2 of all its instances."""
        return pd.DataFrame(self._f.areas, columns=["component", "area_m2"])

    def energy_per_component(self, per_compute=False):
        """Energy per component (J, or J per compute), summed over Einsums
        and actions, in architecture order."""
        energies = self.energies
        order = list(dict.fromkeys(
            list(self.area_per_component["component"]) +
            list(energies["component"])))
        order = [c for c in order if c in set(energies["component"])]
        e = energies.groupby("component", sort=False)["energy_J"].sum()
        e = e.reindex(order)
        return e / self.computes if per_compute and self.computes else e

    def summary(self):
        """The headline figures as one flat dict (a row of a sweep table)."""
        return {
            "energy_J": self.energy,
            "energy_per_compute_pJ": self.energy_per_compute * 1e12,
            "latency_s": self.latency,
            "area_mm2": self.area * 1e6,
        }

    def __repr__(self):
        return (f"<afc result: {self.energy:.6g} J, "
                f"{self.energy_per_compute * 1e12:.6g} pJ/compute, "
                f"{self.latency:.6g} s, {self.area * 1e6:.6g} mm^2>")


class MapResult(Result):
    """The best mapping the mapper found, with its result and statistics."""

    def __init__(self, figures):
        super().__init__(figures)
        self.mapping = Mapping(figures.mapping, figures.loop_nest)
        #: False when the search stopped at its time limit.
        self.complete = figures.complete
        self.stats = {
            "templates": figures.templates,
            "pmappings_evaluated": figures.pmappings_evaluated,
            "pareto_pmappings": figures.pareto_pmappings,
            "on_chip_tensors": list(figures.on_chip_tensors),
            "seconds": figures.seconds,
        }


class _ProgressBar:
    """A one-line text bar; carriage returns redraw it in a notebook too."""

    def __init__(self, label):
        self.label = label
        self.shown = -1

    def __call__(self, done, total):
        percent = int(100 * done / total) if total else 100
        if percent == self.shown:
            return
        self.shown = percent
        filled = percent // 5
        sys.stdout.write(f"\r{self.label} [{'#' * filled}"
                         f"{'.' * (20 - filled)}] {percent}%")
        if done >= total:
            sys.stdout.write("\n")
        sys.stdout.flush()


class Spec:
    """.af sources loaded once; each call elaborates them with its own
    parameters and runs the matching afc command in process."""

    def __init__(self, *files, source=None, name="<string>",
                 include_dirs=(), stdlib=None, jit=True, **params):
        self._session = _Session(include_dirs=[str(d) for d in include_dirs],
                                 stdlib_dir=str(stdlib or ""), jit=jit)
        for f in files:
            self._session.add_file(str(self._resolve(f)))
        if source is not None:
            self._session.add_source(source, name)
        self._session.set_defines(_defines(params))

    def _resolve(self, f):
        """A relative path that does not exist here is looked up in the
        standard library, as imports are."""
        p = Path(f)
        if p.is_absolute() or p.exists():
            return p
        candidate = Path(self._session.stdlib_dir) / p
        return candidate if candidate.exists() else p

    def _call(self, params, fields=None, **options):
        call = _CallOptions()
        call.defines = _defines(params)
        call.fields = [(k, _af_text(v)) for k, v in (fields or {}).items()]
        for key, value in options.items():
            if value is not None:
                setattr(call, key, value)
        return call

    def components(self, *, arch=None, fields=None, **params):
        """Area, leak power and per-action energy and throughput of every
        component: one row per (arch, component, action)."""
        rows = self._session.components(
            self._call(params, fields, arch=arch))
        return pd.DataFrame(
            [(r.arch, r.component, r.component_class, r.instances,
              r.area, r.leak_power, r.action, r.energy, r.throughput,
              r.approximate) for r in rows],
            columns=["arch", "component", "class", "instances", "area_m2",
                     "leak_power_W", "action", "energy_J",
                     "throughput_per_s", "approximate"])

    def evaluate(self, mapping=None, *, arch=None, workload=None,
                 fields=None, **params):
        """Evaluates a mapping: a Mapping (e.g. from map()), .af text, the
        name of a mapping in the sources, or None for the only one."""
        text = name = None
        if isinstance(mapping, Mapping):
            text = mapping.text
        elif isinstance(mapping, str) and "{" in mapping:
            text = mapping
        else:
            name = mapping
        call = self._call(params, fields, arch=arch, workload=workload,
                          mapping=name, mapping_text=text)
        return Result(self._session.evaluate(call))

    def map(self, metric=None, unfused=False, *, arch=None, workload=None,
            mapper=None, fields=None, max_time=None, max_fused_loops=None,
            threads=0, progress=False, **params):
        """Searches the optimal mapping (metric: energy, latency or edp;
        None: the mapper settings' own)."""
        call = self._call(params, fields, arch=arch, workload=workload,
                          mapper=mapper, metric=metric, unfused=unfused,
                          max_time=max_time, max_fused_loops=max_fused_loops,
                          threads=threads)
        if progress:
            call.set_progress(_ProgressBar("search"))
        return MapResult(self._session.map(call))

    def run(self, study=None, *, unfused=False, max_time=None, threads=0,
            **params):
        """Runs a study (the only one if None): one row per design point,
        the columns of `afc run`'s CSV report."""
        call = self._call(params, study=study, unfused=unfused,
                          max_time=max_time, threads=threads)
        columns, rows = self._session.run(call)
        return pd.DataFrame(rows, columns=columns)


def load(*files, **kwargs):
    """Loads .af files (relative paths not found here are looked up in the
    standard library); keyword arguments are parameters."""
    return Spec(*files, **kwargs)


def loads(source, name="<string>", **kwargs):
    """Loads .af text; `name` is how diagnostics call it."""
    return Spec(source=source, name=name, **kwargs)
