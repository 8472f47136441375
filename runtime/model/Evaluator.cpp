//===- Evaluator.cpp - evaluating and tracing one mapping
//------------------===//
//
// The model's entry points (model.md §1-§12): evaluate a LoopTree mapping
// into a Result, or trace one pmapping into closed-form expressions of its
// tile shapes for the generated kernels (afc/model/Symbolic.h).
//
// An evaluation splits the mapping into one pmapping per Einsum
// (PmappingSplit.cpp), analyses each (ReuseAnalysis.cpp), turns the
// statistics into checks and totals (Totals.cpp), then sums the Einsums and
// measures the whole mapping's resource usage (ResourceUsage.cpp).
//
//===----------------------------------------------------------------------===//

#include "EvaluatorImpl.h"

#include <algorithm>
#include <sstream>

namespace afc::model {

namespace detail {

ModelError makeError(ErrorKind kind, std::string message,
                     const MappingNode *node, std::string_view einsum) {
  ModelError e;
  e.kind = kind;
  if (node) {
    e.location = node->location;
    e.node = describe(*node);
    e.message = e.node + ": " + message;
  } else {
    e.message = std::move(message);
  }
  e.einsum = std::string(einsum);
  return e;
}

std::string formatNumber(double v) {
  std::ostringstream os;
  os.precision(12);
  os << v;
  return os.str();
}

} // namespace detail

namespace {

/// Rounds to the nearest float32. The volatile keeps GCC 12's SLP vectoriser
/// from folding a vectorised double->float->double round trip into nothing
/// (it does, at -O2, for adjacent fields).
double roundFloat(double v) {
  volatile float f = float(v);
  return double(f);
}

} // namespace

std::optional<ModelError> Evaluator::Impl::evaluatePmapping(uint32_t pathIdx,
                                                            Result &result) {
  if (auto err = preparePmapping(pathIdx))
    return err;
  if (auto err = analyse(num))
    return err;
  PmappingInfo info;
  info.einsum = uint32_t(einsum - prepared.einsums.data());
  info.path = pathIdx;
  info.arch = arch;
  info.reservationsBegin = reservationRecords.size();
  if (auto err = report(result))
    return err;
  info.reservationsEnd = reservationRecords.size();
  pmappings.push_back(info);
  return std::nullopt;
}

Expected<TracedCost>
Evaluator::Impl::trace(const Mapping &mapping,
                       std::span<const MappingNode *const> loops,
                       ExprBuilder &builder) {
  if (prepared.error)
    return *prepared.error;
  nPaths = 0;
  pathStack.clear();
  if (auto err = splitChain(mapping.nodes))
    return *err;
  if (nPaths != 1)
    return makeError(ErrorKind::NotTraceable,
                     "only a single pmapping can be traced", nullptr);
  einsumSeen.assign(prepared.einsums.size(), 0);
  tracedLoops = loops;
  std::optional<ModelError> err = preparePmapping(0);
  tracedLoops = {};
  if (err)
    return *err;
  Numbers<Sym> symbols;
  for (unsigned k = 0; k < loops.size(); ++k)
    symbols.tiles.push_back(Sym::node(&builder, builder.tileShape(k)));
  if (auto err = analyse(symbols))
    return *err;
  TracedCost cost;
  if (auto err = traceTotals(symbols, builder, cost))
    return *err;
  return cost;
}

std::optional<ModelError> Evaluator::Impl::run(const Mapping &mapping,
                                               Result &result) {
  result.clear();
  if (prepared.error)
    return prepared.error;

  nPaths = 0;
  pathStack.clear();
  if (auto err = splitChain(mapping.nodes))
    return err;

  pmappings.clear();
  reservationRecords.clear();
  einsumSeen.assign(prepared.einsums.size(), 0);
  for (uint32_t p = 0; p < nPaths; ++p)
    if (auto err = evaluatePmapping(p, result))
      return err;

  if (options.requireEveryEinsum)
    for (uint32_t i = 0; i < prepared.einsums.size(); ++i)
      if (!einsumSeen[i]) {
        ModelError e;
        e.kind = ErrorKind::UnmappedEinsum;
        e.einsum = std::string(prepared.einsums[i].name);
        e.message =
            "Einsum '" + e.einsum + "' has no Compute node in the mapping";
        return e;
      }

  // Results follow the workload's Einsum order, like the reference. Usually
  // the mapping lists the Einsums in that order already.
  bool inOrder = true;
  for (size_t i = 1; i < pmappings.size(); ++i)
    inOrder &= pmappings[i - 1].einsum < pmappings[i].einsum;
  if (!inOrder) {
    auto order = [&](std::string_view name) {
      return prepared.einsumByName.at(name);
    };
    auto byEinsum = [&](const auto &x, const auto &y) {
      return order(x.einsum) < order(y.einsum);
    };
    std::stable_sort(result.einsums.begin(), result.einsums.end(), byEinsum);
    std::stable_sort(result.actions.begin(), result.actions.end(), byEinsum);
    std::stable_sort(result.energies.begin(), result.energies.end(), byEinsum);
    std::stable_sort(result.latencies.begin(), result.latencies.end(),
                     byEinsum);
    std::stable_sort(result.occupancies.begin(), result.occupancies.end(),
                     byEinsum);
    std::stable_sort(result.reservations.begin(), result.reservations.end(),
                     byEinsum);
    std::stable_sort(result.memoryUsage.begin(), result.memoryUsage.end(),
                     byEinsum);
    std::stable_sort(result.spatialUsage.begin(), result.spatialUsage.end(),
                     byEinsum);
  }

  double energy = 0, latency = 0, computes = 0, points = 0;
  for (const EinsumSummary &s : result.einsums) {
    energy += s.energy;
    latency += s.latency;
    computes += s.computes;
    points += s.iterationSpacePoints;
  }
  if (options.roundToFloat32) {
    energy = roundFloat(energy);
    latency = roundFloat(latency);
  }
  result.energy = energy;
  result.latency = latency;
  result.computes = computes;
  result.iterationSpacePoints = points;
  wholeMappingUsage(result);

  if (options.computeArea && !pmappings.empty()) {
    const PmappingInfo *first = &pmappings[0];
    for (const PmappingInfo &p : pmappings)
      if (p.einsum < first->einsum)
        first = &p;
    result.area = options.includeOwnFanoutInAreaAndLeak
                      ? first->arch->areaCorrected
                      : first->arch->areaReference;
  }

  if (options.roundToFloat32) {
    for (EinsumSummary &s : result.einsums) {
      s.energy = roundFloat(s.energy);
      s.dynamicEnergy = roundFloat(s.dynamicEnergy);
      s.leakEnergy = roundFloat(s.leakEnergy);
      s.latency = roundFloat(s.latency);
    }
    for (ActionCount &x : result.actions)
      x.count = roundFloat(x.count);
    for (EnergyEntry &x : result.energies)
      x.energy = roundFloat(x.energy);
    for (ComponentLatency &x : result.latencies)
      x.latency = roundFloat(x.latency);
  }
  return std::nullopt;
}

//===----------------------------------------------------------------------===//
// Public interface
//===----------------------------------------------------------------------===//

Evaluator::Evaluator(const Problem &problem, EvaluateOptions options)
    : impl(std::make_unique<Impl>(problem, options)) {}
Evaluator::~Evaluator() = default;
Evaluator::Evaluator(Evaluator &&) noexcept = default;
Evaluator &Evaluator::operator=(Evaluator &&) noexcept = default;

std::optional<ModelError> Evaluator::evaluateInto(const Mapping &mapping,
                                                  Result &result) {
  return impl->run(mapping, result);
}

Expected<Result> Evaluator::evaluate(const Mapping &mapping) {
  Result result;
  if (auto err = impl->run(mapping, result))
    return std::move(*err);
  return result;
}

Expected<TracedCost> Evaluator::trace(const Mapping &mapping,
                                      std::span<const MappingNode *const> loops,
                                      ExprBuilder &builder) {
  return impl->trace(mapping, loops, builder);
}

ExprBuilder::~ExprBuilder() = default;

double pointValue(const FlattenedArch &arch, const PointValue &v) {
  switch (v.kind) {
  case PointValue::MemorySize:
    return arch.nodes[v.node].size;
  case PointValue::ActionEnergy:
    return arch.nodes[v.node].actions[v.action].energy;
  case PointValue::ActionThroughput:
    return arch.nodes[v.node].actions[v.action].throughput;
  case PointValue::ActionBitsPerAction:
    return arch.nodes[v.node].actions[v.action].bitsPerAction;
  case PointValue::ActionLatency:
    return actionLatency(arch.nodes[v.node].actions[v.action]);
  case PointValue::LeakPower:
    return arch.nodes[v.node].leakPower;
  case PointValue::OffPathLeakPower:
    return arch.otherComponents[v.node].leakPower;
  }
  return 0;
}

const EvaluateOptions &Evaluator::options() const { return impl->options; }
void Evaluator::setOptions(const EvaluateOptions &options) {
  impl->options = options;
}

Expected<Result> evaluate(const Problem &problem, const Mapping &mapping,
                          const EvaluateOptions &options) {
  Evaluator evaluator(problem, options);
  return evaluator.evaluate(mapping);
}

} // namespace afc::model
