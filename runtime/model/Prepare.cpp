//===- Prepare.cpp - resolving a Problem once -----------------------------===//
//
// Turns a Problem into its PreparedProblem: local indices for each Einsum's
// rank variables and tensors, relevancy tables, and per-tensor component data
// for every flattened architecture an Einsum may run on. Inconsistencies of
// the problem itself (dangling indices, duplicate names, a path that does not
// end in a compute unit) are recorded as an InvalidProblem error that every
// evaluation then returns.
//
//===----------------------------------------------------------------------===//

#include "Prepared.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

namespace afc::model::detail {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

/// The largest number of spatial dimensions on one flattened path; the
/// analysis keeps per-dimension fanouts in fixed-size arrays.
constexpr uint32_t kMaxSpatialDims = 32;

ModelError problemError(std::string message) {
  ModelError e;
  e.kind = ErrorKind::InvalidProblem;
  e.message = std::move(message);
  return e;
}

template <typename T>
const T *lookup(const std::vector<std::pair<std::string, T>> &map,
                std::string_view key) {
  for (const auto &[k, v] : map)
    if (k == key)
      return &v;
  return nullptr;
}

bool prepareEinsum(const Workload &wl, uint32_t index, PreparedEinsum &pe,
                   std::optional<ModelError> &error) {
  const Einsum &e = wl.einsums[index];
  pe.index = index;
  pe.name = e.name;
  pe.isCopy = e.isCopy;
  pe.nInstances = double(wl.nInstances) * double(e.nInstances);

  // Local rank variables in order of first use.
  for (const TensorAccess &a : e.accesses) {
    if (a.tensor >= wl.tensors.size()) {
      error = problemError("Einsum '" + e.name +
                           "' accesses a tensor index out of range");
      return false;
    }
    for (const RankProjection &r : a.projection)
      for (const AffineTerm &t : r.terms) {
        if (t.rankVariable >= wl.rankVariables.size()) {
          error = problemError("Einsum '" + e.name +
                               "' uses a rank variable index out of range");
          return false;
        }
        if (pe.localRankVariable(t.rankVariable) == kNone)
          pe.rankVariables.push_back(t.rankVariable);
      }
  }
  for (RankVariableId rv : pe.rankVariables) {
    pe.bounds.push_back(double(wl.rankVariables[rv].bound));
    pe.rankVariableNames.push_back(wl.rankVariables[rv].name);
  }
  pe.simple.assign(pe.rankVariables.size(), 1);

  // Tensors, analysed in name order like the reference (sorted(tensors)).
  std::vector<const TensorAccess *> accesses;
  for (const TensorAccess &a : e.accesses)
    accesses.push_back(&a);
  std::stable_sort(accesses.begin(), accesses.end(),
                   [&](const TensorAccess *x, const TensorAccess *y) {
                     return wl.tensors[x->tensor].name <
                            wl.tensors[y->tensor].name;
                   });
  for (const TensorAccess *a : accesses) {
    if (pe.localTensor(a->tensor) != kNone) {
      error = problemError("Einsum '" + e.name + "' accesses tensor '" +
                           wl.tensors[a->tensor].name + "' twice");
      return false;
    }
    PreparedTensor pt;
    pt.tensor = a->tensor;
    pt.name = wl.tensors[a->tensor].name;
    pt.isOutput = a->isOutput;
    pt.bitsPerValue = a->bitsPerValue;
    pt.relevancy.assign(pe.rankVariables.size(), Relevancy::Irrelevant);
    std::vector<uint8_t> decided(pe.rankVariables.size(), 0);
    for (const RankProjection &r : a->projection) {
      PreparedRank pr;
      pr.constant = double(r.constant);
      for (const AffineTerm &t : r.terms) {
        if (t.coefficient == 0)
          continue;
        uint32_t local = pe.localRankVariable(t.rankVariable);
        // The same rank variable twice in one rank is one term (m + m = 2m).
        auto same = std::find_if(pr.terms.begin(), pr.terms.end(),
                                 [&](const PreparedRank::Term &x) {
                                   return x.rankVariable == local;
                                 });
        if (same != pr.terms.end())
          same->coefficient += double(t.coefficient);
        else
          pr.terms.push_back({local, double(t.coefficient)});
      }
      // A rank is "one term" when its projection is a single product such as
      // `m` or `2*m`; a constant counts as a term (`m + 1` is a sum).
      size_t nArgs = pr.terms.size() + (pr.constant != 0 ? 1 : 0);
      bool bareIdentifier = pr.terms.size() == 1 && pr.constant == 0 &&
                            pr.terms[0].coefficient == 1;
      for (const PreparedRank::Term &t : pr.terms) {
        if (!bareIdentifier)
          pe.simple[t.rankVariable] = 0;
        if (decided[t.rankVariable])
          continue;
        decided[t.rankVariable] = 1;
        pt.relevancy[t.rankVariable] =
            nArgs == 1 ? Relevancy::Relevant : Relevancy::PartiallyRelevant;
      }
      pt.ranks.push_back(std::move(pr));
    }
    pe.tensors.push_back(std::move(pt));
  }

  if (e.iterationSpacePoints) {
    pe.iterationSpacePoints = *e.iterationSpacePoints;
  } else {
    pe.iterationSpacePoints = 1;
    for (double b : pe.bounds)
      pe.iterationSpacePoints *= b;
  }

  if (pe.isCopy) {
    uint32_t nInputs = 0;
    for (uint32_t t = 0; t < pe.tensors.size(); ++t)
      if (!pe.tensors[t].isOutput) {
        ++nInputs;
        pe.copySource = t;
      }
    if (nInputs != 1) {
      error = problemError("copy Einsum '" + e.name + "' has " +
                           std::to_string(nInputs) +
                           " input tensors; a copy has exactly one");
      return false;
    }
  }
  return true;
}

double valuesPerAction(const ArchNode &node, const Action &action,
                       std::string_view tensor, double bitsPerValue) {
  if (const double *v = lookup(action.valuesPerAction, tensor))
    return *v;
  if (const double *v = lookup(node.valuesPerAction, tensor))
    return *v;
  return action.bitsPerAction / bitsPerValue;
}

/// Bits one action moves; computed apart from valuesPerAction so that the
/// common case (no values_per_action) is bits_per_action exactly, not the
/// round trip through bits per value.
double bitsPerActionOf(const ArchNode &node, const Action &action,
                       std::string_view tensor, double bitsPerValue) {
  if (lookup(action.valuesPerAction, tensor) ||
      lookup(node.valuesPerAction, tensor))
    return valuesPerAction(node, action, tensor, bitsPerValue) * bitsPerValue;
  return action.bitsPerAction;
}

uint32_t actionIndex(const ArchNode &node, std::string_view name) {
  for (uint32_t i = 0; i < node.actions.size(); ++i)
    if (node.actions[i].name == name)
      return i;
  return kNone;
}

bool prepareArch(const FlattenedArch &arch, const PreparedEinsum &pe,
                 PreparedArch &pa, std::optional<ModelError> &error) {
  pa.arch = &arch;
  if (arch.nodes.empty() || arch.nodes.back().kind != NodeKind::Compute) {
    error = problemError("a flattened architecture must end in a Compute node");
    return false;
  }
  double fanoutAbove = 1;
  for (uint32_t i = 0; i < arch.nodes.size(); ++i) {
    const ArchNode &n = arch.nodes[i];
    for (uint32_t j = 0; j < i; ++j)
      if (arch.nodes[j].name == n.name) {
        error = problemError("architecture node name '" + n.name +
                             "' is used twice");
        return false;
      }
    if (n.kind == NodeKind::Compute && i + 1 != arch.nodes.size()) {
      error = problemError("compute unit '" + n.name +
                           "' is not the last node of its flattened path");
      return false;
    }
    PreparedNode pn;
    pn.node = &n;
    pn.kind = n.kind;
    pn.name = n.name;
    pn.size = n.size;
    pn.skipInitialOutputWrite = n.skipInitialOutputWrite;
    pn.actionsScale = n.actionsScale;
    pn.readAction = actionIndex(n, "read");
    pn.writeAction = actionIndex(n, "write");
    pn.computeAction = actionIndex(n, "compute");
    pn.hopAction = actionIndex(n, "hop");
    if (n.kind == NodeKind::Network)
      pa.hasNetwork = true;
    pn.parentFanout = fanoutAbove;
    pn.firstDim = uint32_t(pa.dims.size());
    pn.nDims = uint32_t(n.spatial.size());
    for (const SpatialDimension &s : n.spatial) {
      PreparedDim d;
      d.node = i;
      d.name = s.name;
      d.nameId = uint32_t(pa.dims.size());
      for (const PreparedDim &other : pa.dims)
        if (other.name == s.name) {
          d.nameId = other.nameId;
          break;
        }
      d.fanout = s.fanout;
      d.usageScale = s.usageScale;
      d.powerGateable = s.powerGateable;
      for (const PreparedTensor &t : pe.tensors) {
        bool reuse = s.mayReuseAll ||
                     std::find(s.mayReuse.begin(), s.mayReuse.end(), t.name) !=
                         s.mayReuse.end();
        d.mayReuse.push_back(reuse);
      }
      pn.ownFanout *= s.fanout;
      pa.dims.push_back(std::move(d));
    }
    fanoutAbove *= pn.ownFanout;

    for (const PreparedTensor &t : pe.tensors) {
      const double *bpvOverride = lookup(n.bitsPerValue, t.name);
      double bpv = bpvOverride ? *bpvOverride : t.bitsPerValue;
      pn.bitsPerValue.push_back(bpv);
      pn.readScale.push_back(
          pn.readAction == kNone
              ? kNaN
              : 1 / valuesPerAction(n, n.actions[pn.readAction], t.name, bpv));
      pn.writeScale.push_back(
          pn.writeAction == kNone
              ? kNaN
              : 1 / valuesPerAction(n, n.actions[pn.writeAction], t.name, bpv));
      pn.readBits.push_back(
          pn.readAction == kNone
              ? kNaN
              : bitsPerActionOf(n, n.actions[pn.readAction], t.name, bpv));
      pn.writeBits.push_back(
          pn.writeAction == kNone
              ? kNaN
              : bitsPerActionOf(n, n.actions[pn.writeAction], t.name, bpv));
      const TollDirection *dir = lookup(n.tollDirections, t.name);
      TollDirection direction = dir ? *dir : n.tollDirection;
      pn.tollUp.push_back(direction != TollDirection::Down);
      pn.tollDown.push_back(direction != TollDirection::Up);
      pn.allowed.push_back(!n.restrictTensors ||
                           std::find(n.allowedTensors.begin(),
                                     n.allowedTensors.end(),
                                     t.name) != n.allowedTensors.end());
    }
    pa.nodes.push_back(std::move(pn));
  }
  if (pa.dims.size() > kMaxSpatialDims) {
    error =
        problemError("a flattened architecture has more than " +
                     std::to_string(kMaxSpatialDims) + " spatial dimensions");
    return false;
  }
  pa.areaReference = computeArea(arch, /*includeOwnFanout=*/false);
  pa.areaCorrected = computeArea(arch, /*includeOwnFanout=*/true);
  return true;
}

} // namespace

void prepareProblem(const Problem &problem, PreparedProblem &out) {
  out = PreparedProblem();
  out.problem = &problem;
  const Workload &wl = problem.workload;

  for (uint32_t i = 0; i < wl.tensors.size(); ++i)
    if (!out.tensorByName.emplace(wl.tensors[i].name, i).second) {
      out.error = problemError("tensor name '" + wl.tensors[i].name +
                               "' is used twice");
      return;
    }
  for (uint32_t i = 0; i < wl.rankVariables.size(); ++i)
    if (!out.rankVariableByName.emplace(wl.rankVariables[i].name, i).second) {
      out.error = problemError("rank variable name '" +
                               wl.rankVariables[i].name + "' is used twice");
      return;
    }

  out.einsums.resize(wl.einsums.size());
  out.archs.resize(wl.einsums.size());
  out.tensorShared.assign(wl.tensors.size(), 0);
  std::vector<uint32_t> uses(wl.tensors.size(), 0);
  for (uint32_t i = 0; i < wl.einsums.size(); ++i) {
    if (!out.einsumByName.emplace(wl.einsums[i].name, i).second) {
      out.error = problemError("Einsum name '" + wl.einsums[i].name +
                               "' is used twice");
      return;
    }
    if (!prepareEinsum(wl, i, out.einsums[i], out.error))
      return;
    for (const PreparedTensor &t : out.einsums[i].tensors)
      if (++uses[t.tensor] > 1)
        out.tensorShared[t.tensor] = 1;
  }

  for (const FlattenedArch &a : problem.architectures)
    if (!a.einsum.empty() && !out.einsumByName.count(a.einsum)) {
      out.error = problemError("an architecture is given for Einsum '" +
                               a.einsum + "', which the workload lacks");
      return;
    }

  // Per Einsum and compute unit, the Einsum's own architecture wins over a
  // generic one.
  for (uint32_t i = 0; i < wl.einsums.size(); ++i) {
    std::vector<const FlattenedArch *> chosen;
    auto consider = [&](bool specific) {
      for (const FlattenedArch &a : problem.architectures) {
        if (specific ? a.einsum != wl.einsums[i].name : !a.einsum.empty())
          continue;
        if (a.nodes.empty())
          continue;
        bool seen = std::any_of(chosen.begin(), chosen.end(), [&](auto *c) {
          return c->nodes.back().name == a.nodes.back().name;
        });
        if (!seen)
          chosen.push_back(&a);
      }
    };
    consider(true);
    consider(false);
    for (const FlattenedArch *a : chosen) {
      PreparedArch pa;
      if (!prepareArch(*a, out.einsums[i], pa, out.error))
        return;
      out.archs[i].push_back(std::move(pa));
    }
  }
}

} // namespace afc::model::detail
