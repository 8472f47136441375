//===- Totals.cpp - fanout, capacity, latency and energy of a pmapping ----===//
//
// Turns one pmapping's reuse statistics into its checks and totals
// (model.md §6-§10): spatial use against each fanout, occupancy against
// each memory's capacity, per-component latency through total_latency,
// dynamic energy per action and leak at the Einsum's latency.
//
// The computation exists once, over the number type. An evaluation runs it
// on doubles with a ReportSink, which turns a failed check into a located
// error and records every per-component figure in the Result; a trace runs
// it on Syms with a TraceSink, which counts failed checks into an
// expression and reads the design point's values as kernel arguments. Both
// perform the same IEEE operations in the same order, which is what lets a
// generated kernel reproduce the evaluator bit for bit.
//
//===----------------------------------------------------------------------===//

#include "EvaluatorImpl.h"

#include <algorithm>

namespace afc::model {

template <class S> void Evaluator::Impl::tallyCalls(Numbers<S> &num) const {
  const uint32_t nNodes = uint32_t(arch->nodes.size());
  num.readCalls.assign(nNodes, S(0.0));
  num.writeCalls.assign(nNodes, S(0.0));
  num.hasBuffet.assign(nNodes, 0);
  for (const BuffetT<S> &b : num.buffets) {
    num.hasBuffet[b.level] = 1;
    if (b.isCompute)
      continue;
    num.readCalls[b.level] += b.stats.maxPerUnitReadActions -
                              b.stats.minPerUnitSkippedFirstReadActions;
    if (arch->nodes[b.level].kind != NodeKind::Toll)
      num.writeCalls[b.level] += b.stats.maxPerUnitWriteActions -
                                 b.stats.minPerUnitSkippedFirstWriteActions;
  }
  num.hasBuffet[nNodes - 1] = 1; // the compute unit

  // A Network's keywords (latency/memory.py:110-130): its longest route over
  // every tensor's transfers, and its busiest link, where transfers of
  // different tensors along the same dimension share the links.
  if (num.networks.empty())
    return;
  num.maxHops.assign(nNodes, S(0.0));
  num.maxLinkTraffic.assign(nNodes, S(0.0));
  const uint32_t nDims = uint32_t(arch->dims.size());
  for (uint32_t i = 0; i < nNodes; ++i) {
    if (arch->nodes[i].kind != NodeKind::Network)
      continue;
    S traffic[kMaxDims] = {};
    for (const NetRecordT<S> &r : num.networks) {
      if (r.network != i)
        continue;
      num.hasBuffet[i] = 1;
      num.maxHops[i] = larger(num.maxHops[i], r.maxHops);
      for (uint32_t d = 0; d < nDims; ++d)
        traffic[d] += r.maxTraffic[d];
    }
    for (uint32_t d = 0; d < nDims; ++d)
      num.maxLinkTraffic[i] = larger(num.maxLinkTraffic[i], traffic[d]);
  }
}

template <class Sink>
std::optional<ModelError>
Evaluator::Impl::checkResources(Numbers<typename Sink::Number> &num,
                                Sink &sink) {
  using S = typename Sink::Number;
  const PreparedArch &a = *arch;
  const double n = einsum->nInstances;

  // Spatial use (run_model.py:67-110); an unused dimension counts one.
  for (uint32_t d = 0; d < a.dims.size(); ++d)
    if (auto err = sink.spatialUse(d, orOne(num.usedFanout[d])))
      return err;

  // Capacity (run_model.py:129-185): occupancies grouped by loop depth,
  // cumulative from the outermost. The sort is stable so that equal keys
  // are summed in buffet order.
  auto &occupancies = num.occupancies;
  occupancies.clear();
  for (const BuffetT<S> &b : num.buffets) {
    if (b.isCompute || a.nodes[b.level].kind != NodeKind::Memory)
      continue;
    S bits = b.stats.maxOccupancy;
    if (isZero(bits))
      continue;
    int depth = b.stats.persistent ? -1 : b.stats.nLoopsAbove;
    if (b.stats.persistent)
      bits *= S(n);
    occupancies.push_back({b.level, depth, bits});
  }
  std::stable_sort(
      occupancies.begin(), occupancies.end(), [](const auto &x, const auto &y) {
        return x.memory != y.memory ? x.memory < y.memory
                                    : x.nLoopsAbove < y.nLoopsAbove;
      });
  for (size_t i = 0; i < occupancies.size();) {
    const uint32_t mem = occupancies[i].memory;
    S running = 0.0;
    while (i < occupancies.size() && occupancies[i].memory == mem) {
      const int depth = occupancies[i].nLoopsAbove;
      while (i < occupancies.size() && occupancies[i].memory == mem &&
             occupancies[i].nLoopsAbove == depth)
        running += occupancies[i++].bits;
      sink.reservationLevel(mem, depth, running);
    }
    sink.memoryUse(mem, running);
  }
  if (auto err = sink.capacityChecked())
    return err;
  for (const S &spread : num.partialSpreads)
    sink.partialSpread(spread);
  sink.occupancies(num.buffets);
  return std::nullopt;
}

template <class Sink>
std::optional<ModelError>
Evaluator::Impl::einsumLatency(Numbers<typename Sink::Number> &num, Sink &sink,
                               typename Sink::Number &einsumLatency) {
  using S = typename Sink::Number;
  const PreparedArch &a = *arch;
  const uint32_t nNodes = uint32_t(a.nodes.size());

  // Latency (latency/memory.py:65-192): per-instance calls per component;
  // the Einsum's latency is the slowest component, ignoring idle ones
  // (run_model.py:47-48): components are assumed to overlap perfectly.
  tallyCalls(num);
  const uint32_t computeIdx = nNodes - 1;
  const S computeCalls = nonNegative(num.computeStats.maxLatency);
  einsumLatency = 0.0;
  for (uint32_t i = 0; i < nNodes; ++i) {
    if (!num.hasBuffet[i])
      continue;
    const PreparedNode &pn = a.nodes[i];
    const bool network = pn.kind == NodeKind::Network;
    auto callsOf = [&](uint32_t k) {
      S calls = 0.0;
      if (i == computeIdx) {
        if (k == pn.computeAction)
          calls = computeCalls;
      } else if (network) {
        // The reference's per-unit hop count is the longest route.
        if (k == pn.hopAction)
          calls = num.maxHops[i];
      } else if (k == pn.readAction) {
        calls = num.readCalls[i];
      } else if (k == pn.writeAction) {
        calls = num.writeCalls[i];
      }
      return calls * S(pn.actionsScale);
    };
    S latency = 0.0;
    const S zero = 0.0;
    const S &maxHops = network ? num.maxHops[i] : zero;
    const S &maxLinkTraffic = network ? num.maxLinkTraffic[i] : zero;
    if (auto err =
            sink.componentLatency(i, callsOf, maxHops, maxLinkTraffic, latency))
      return err;
    einsumLatency = slowerOf(einsumLatency, latency);
    sink.recordLatency(pn.name, latency);
  }
  return std::nullopt;
}

template <class Sink>
std::optional<ModelError>
Evaluator::Impl::totals(Numbers<typename Sink::Number> &num, Sink &sink) {
  using S = typename Sink::Number;
  const PreparedEinsum &e = *einsum;
  const PreparedArch &a = *arch;
  const uint32_t nNodes = uint32_t(a.nodes.size());
  const uint32_t computeIdx = nNodes - 1;
  if (auto err = checkResources(num, sink))
    return err;
  S latency = 0.0;
  if (auto err = einsumLatency(num, sink, latency))
    return err;

  // Actions and dynamic energy (energy.py:18-82, 154-190).
  S dynamicEnergy = 0.0;
  auto addEnergy = [&](uint32_t node, uint32_t action, std::string_view tensor,
                       std::string_view actionName, const S &count) {
    S energy = count * sink.actionEnergy(node, action);
    dynamicEnergy += energy;
    sink.recordEnergy(a.nodes[node].name, tensor, actionName, energy);
  };
  for (const BuffetT<S> &b : num.buffets) {
    if (b.isCompute)
      continue;
    const PreparedNode &pn = a.nodes[b.level];
    const std::string_view tensor = e.tensors[b.tensor].name;
    S reads, writes;
    buffetActions(b.stats, pn.actionsScale, reads, writes);
    sink.recordAction(pn.name, tensor, "read", reads, pn.readBits[b.tensor]);
    sink.recordAction(pn.name, tensor, "write", writes,
                      pn.writeBits[b.tensor]);
    if (!isZero(reads))
      addEnergy(b.level, pn.readAction, tensor, "read", reads);
    if (!isZero(writes)) {
      if (pn.writeAction == kNone)
        return sink.missingWriteAction(b.level);
      addEnergy(b.level, pn.writeAction, tensor, "write", writes);
    }
  }
  const PreparedNode &compute = a.nodes[computeIdx];
  const S computes = num.computeStats.totalOps * S(compute.actionsScale);
  sink.recordAction(compute.name, kNoTensor, "compute", computes, kNaN);
  if (!isZero(computes))
    addEnergy(computeIdx, compute.computeAction, kNoTensor, "compute",
              computes);

  // Hops through Networks, per tensor, after the buffets and the compute as
  // in the reference's action table.
  for (const NetRecordT<S> &r : num.networks) {
    const PreparedNode &pn = a.nodes[r.network];
    const std::string_view tensor = e.tensors[r.tensor].name;
    const S hops = r.totalHops * S(pn.actionsScale);
    sink.recordAction(pn.name, tensor, "hop", hops,
                      pn.node->networkBitsPerAction);
    if (isZero(hops))
      continue;
    if (pn.hopAction == kNone)
      return sink.missingHopAction(r.network);
    addEnergy(r.network, pn.hopAction, tensor, "hop", hops);
  }

  // Leak of every component at this Einsum's latency. Power gating: the
  // fraction of instances used along power-gateable dimensions at or above
  // the component (the intended behaviour; README.md explains the
  // reference's double division).
  S leakEnergy = 0.0;
  S gated = 1.0;
  const bool own = options.includeOwnFanoutInAreaAndLeak;
  for (uint32_t i = 0; i < nNodes; ++i) {
    const PreparedNode &pn = a.nodes[i];
    for (uint32_t d = pn.firstDim; d < pn.firstDim + pn.nDims; ++d)
      if (a.dims[d].powerGateable)
        gated *= orOne(num.usedFanout[d]) / S(a.dims[d].fanout);
    if (pn.kind == NodeKind::Container)
      continue;
    double instances = pn.parentFanout * (own ? pn.ownFanout : 1);
    S leak = sink.leakPower(i) * S(instances) * latency * gated;
    leakEnergy += leak;
    sink.recordEnergy(pn.name, kNoTensor, kLeakAction, leak);
  }
  const std::vector<OffPathComponent> &others = a.arch->otherComponents;
  for (uint32_t c = 0; c < others.size(); ++c) {
    double instances = others[c].parentFanout * (own ? others[c].ownFanout : 1);
    S leak = sink.offPathLeakPower(c) * S(instances) * latency;
    leakEnergy += leak;
    sink.recordEnergy(others[c].name, kNoTensor, kLeakAction, leak);
  }

  sink.finish(dynamicEnergy, leakEnergy, latency, computes);
  return std::nullopt;
}

//===----------------------------------------------------------------------===//
// The detailed report of an evaluation
//===----------------------------------------------------------------------===//

/// Checks fail with located errors; figures go to the Result (the
/// per-component ones only when EvaluateOptions::detailed), scaled by the
/// Einsum's instance count.
class Evaluator::Impl::ReportSink {
public:
  using Number = double;

  ReportSink(Impl &impl, Result &result)
      : impl(impl), result(result), e(*impl.einsum), a(*impl.arch),
        detailed(impl.options.detailed), n(e.nInstances) {}

  double actionEnergy(uint32_t node, uint32_t action) const {
    return a.nodes[node].node->actions[action].energy;
  }
  double leakPower(uint32_t node) const {
    return a.nodes[node].node->leakPower;
  }
  double offPathLeakPower(uint32_t c) const {
    return a.arch->otherComponents[c].leakPower;
  }

  std::optional<ModelError> spatialUse(uint32_t d, double used) {
    const PreparedDim &dim = a.dims[d];
    if (exceeds(used, dim.fanout))
      return makeError(ErrorKind::FanoutExceeded,
                       "the mapping uses " + formatNumber(used) +
                           " spatial instances of " +
                           std::string(a.nodes[dim.node].name) + "." +
                           std::string(dim.name) + ", but its fanout is only " +
                           formatNumber(dim.fanout) +
                           "; increase the spatial loop's tile shape or "
                           "shrink an outer loop's tile",
                       impl.firstSourceOf(PKind::Spatial, dim.node, d), e.name);
    result.spatialUsage.push_back({e.name, a.nodes[dim.node].name, dim.name,
                                   used, dim.fanout,
                                   used / dim.fanout * dim.usageScale});
    return std::nullopt;
  }

  /// Evaluation rejects these in the analysis; nothing is left here.
  void partialSpread(double) {}

  void reservationLevel(uint32_t mem, int depth, double running) {
    if (detailed)
      result.reservations.push_back(
          {e.name, a.nodes[mem].name, depth, running / a.nodes[mem].size});
  }

  void memoryUse(uint32_t mem, double running) {
    const double size = a.nodes[mem].size;
    result.memoryUsage.push_back(
        {e.name, a.nodes[mem].name, running, size, running / size});
    if (!exceeds(running, size))
      return;
    if (capacityError.overflows.empty()) {
      const MappingNode *src = impl.firstSourceOf(PKind::Storage, mem);
      capacityError.location = src ? src->location : SourceLocation();
      capacityError.node = src ? describe(*src) : "";
    }
    CapacityOverflow o;
    o.einsum = std::string(e.name);
    o.memory = std::string(a.nodes[mem].name);
    o.usedBits = running;
    o.sizeBits = size;
    capacityError.overflows.push_back(o);
  }

  /// Every memory of the pmapping that overflows, in one error.
  std::optional<ModelError> capacityChecked() {
    if (capacityError.overflows.empty())
      return std::nullopt;
    capacityError.kind = ErrorKind::CapacityExceeded;
    capacityError.einsum = std::string(e.name);
    std::string msg;
    for (const CapacityOverflow &o : capacityError.overflows)
      msg += (msg.empty() ? "" : "; ") + std::string("the mapping uses ") +
             formatNumber(o.usedBits) + " bits of " + o.memory +
             " but its size is only " + formatNumber(o.sizeBits) +
             " bits (over by " + formatNumber(o.overBits()) + " bits)";
    capacityError.message =
        msg + " in Einsum '" + std::string(e.name) +
        "'; use smaller tile shapes for loops below its storage nodes";
    return std::move(capacityError);
  }

  /// Keeps each buffet's reservation for the whole mapping's resource usage
  /// (ResourceUsage.cpp) and reports it.
  void occupancies(const std::vector<BuffetT<double>> &buffets) {
    for (const BuffetT<double> &b : buffets) {
      if (b.isCompute || a.nodes[b.level].kind != NodeKind::Memory)
        continue;
      double bits = b.stats.maxOccupancy * (b.stats.persistent ? n : 1);
      int depth = b.stats.persistent ? -1 : b.stats.nLoopsAbove;
      if (bits != 0)
        impl.reservationRecords.push_back({a.nodes[b.level].name,
                                           e.tensors[b.tensor].tensor, bits,
                                           a.nodes[b.level].size, depth});
      if (detailed)
        result.occupancies.push_back({e.name, a.nodes[b.level].name,
                                      e.tensors[b.tensor].name, bits, depth,
                                      b.stats.persistent});
    }
  }

  template <class CallsOf>
  std::optional<ModelError>
  componentLatency(uint32_t i, CallsOf &callsOf, double maxHops,
                   double maxLinkTraffic, double &latency) {
    const PreparedNode &pn = a.nodes[i];
    std::vector<ActionActivity> &activity = impl.activity;
    activity.clear();
    for (uint32_t k = 0; k < pn.node->actions.size(); ++k) {
      const Action &act = pn.node->actions[k];
      activity.push_back({act.name, callsOf(k), act.throughput, act.energy,
                          act.bitsPerAction, act.latency});
    }
    ComponentActivity ca;
    ca.component = pn.node;
    ca.actions = activity;
    ca.maxHops = maxHops;
    ca.maxLinkTraffic = maxLinkTraffic;
    if (pn.node->totalLatency) {
      latency = pn.node->totalLatency(ca);
    } else if (pn.kind == NodeKind::Network) {
      if (pn.hopAction == kNone)
        return missingHopAction(i);
      const Action &hop = pn.node->actions[pn.hopAction];
      latency = defaultNetworkLatency(maxHops, maxLinkTraffic,
                                      actionLatency(hop), hop.throughput);
    } else {
      latency = defaultTotalLatency(ca);
    }
    return std::nullopt;
  }

  void recordLatency(std::string_view component, double latency) {
    if (detailed)
      result.latencies.push_back({e.name, component, latency * n});
  }
  void recordAction(std::string_view component, std::string_view tensor,
                    std::string_view action, double count, double bits) {
    if (detailed)
      result.actions.push_back(
          {e.name, component, tensor, action, count * n, bits});
  }
  void recordEnergy(std::string_view component, std::string_view tensor,
                    std::string_view action, double energy) {
    if (detailed)
      result.energies.push_back(
          {e.name, component, tensor, action, energy * n});
  }

  ModelError missingWriteAction(uint32_t node) const {
    return makeError(ErrorKind::MissingAction,
                     "component '" + std::string(a.nodes[node].name) +
                         "' has no 'write' action",
                     impl.firstSourceOf(PKind::Toll, node), e.name);
  }
  ModelError missingHopAction(uint32_t node) const {
    return makeError(ErrorKind::MissingAction,
                     "network '" + std::string(a.nodes[node].name) +
                         "' carries tensors but has no 'hop' action; give "
                         "it one ('action hop { energy = ...; }')",
                     nullptr, e.name);
  }

  void finish(double dynamicEnergy, double leakEnergy, double latency,
              double computes) {
    EinsumSummary summary;
    summary.einsum = e.name;
    summary.compute = a.nodes.back().name;
    summary.dynamicEnergy = dynamicEnergy * n;
    summary.leakEnergy = leakEnergy * n;
    summary.energy = (dynamicEnergy + leakEnergy) * n;
    summary.latency = latency * n;
    summary.computes = computes * n;
    summary.iterationSpacePoints = e.iterationSpacePoints;
    summary.nInstances = n;
    result.einsums.push_back(summary);
  }

private:
  Impl &impl;
  Result &result;
  const PreparedEinsum &e;
  const PreparedArch &a;
  const bool detailed;
  const double n;
  ModelError capacityError;
};

std::optional<ModelError> Evaluator::Impl::report(Result &result) {
  ReportSink sink(*this, result);
  return totals(num, sink);
}

//===----------------------------------------------------------------------===//
// The traced expressions of a kernel (Symbolic.h)
//===----------------------------------------------------------------------===//

/// Failed checks are counted into `violations`; design-point values are
/// kernel arguments; details are not traced.
class Evaluator::Impl::TraceSink {
public:
  using Number = Sym;

  TraceSink(const Impl &impl, ExprBuilder &b)
      : b(b), e(*impl.einsum), a(*impl.arch) {}

  Sym actionEnergy(uint32_t node, uint32_t action) {
    return point(PointValue::ActionEnergy, node, action);
  }
  Sym leakPower(uint32_t node) { return point(PointValue::LeakPower, node); }
  Sym offPathLeakPower(uint32_t c) {
    return point(PointValue::OffPathLeakPower, c);
  }

  std::optional<ModelError> spatialUse(uint32_t d, const Sym &used) {
    violations += exceeds(used, Sym(a.dims[d].fanout));
    return std::nullopt;
  }
  void reservationLevel(uint32_t, int, const Sym &) {}
  void partialSpread(const Sym &iterations) {
    violations += exceeds(iterations, Sym(1.0));
  }
  void memoryUse(uint32_t mem, const Sym &running) {
    violations += exceeds(running, point(PointValue::MemorySize, mem));
  }
  std::optional<ModelError> capacityChecked() { return std::nullopt; }
  void occupancies(const std::vector<BuffetT<Sym>> &) {}

  /// total_latency inlined from its symbolic form, or the default (each
  /// action's calls over its throughput; an idle action costs no time).
  template <class CallsOf>
  std::optional<ModelError>
  componentLatency(uint32_t i, CallsOf &callsOf, const Sym &maxHops,
                   const Sym &maxLinkTraffic, Sym &latency) {
    const PreparedNode &pn = a.nodes[i];
    actions.clear();
    if (!pn.node->totalLatency && pn.kind == NodeKind::Network) {
      if (pn.hopAction == kNone)
        return missingHopAction(i);
      // defaultNetworkLatency, operation for operation.
      Sym route = maxHops * latencyOf(i, pn.hopAction);
      Sym link = maxLinkTraffic /
                 point(PointValue::ActionThroughput, i, pn.hopAction);
      latency = selectLess(route, link, link, route);
      return std::nullopt;
    }
    for (uint32_t k = 0; k < pn.node->actions.size(); ++k) {
      Sym calls = callsOf(k);
      Sym throughput = point(PointValue::ActionThroughput, i, k);
      if (pn.node->totalLatency) {
        actions.push_back(
            {calls.in(&b), throughput.in(&b),
             point(PointValue::ActionEnergy, i, k).in(&b),
             point(PointValue::ActionBitsPerAction, i, k).in(&b),
             latencyOf(i, k).in(&b)});
      } else if (!calls.is(0)) {
        latency += selectLess(Sym(0.0), calls, calls / throughput, Sym(0.0));
      }
    }
    if (!pn.node->totalLatency)
      return std::nullopt;
    if (!pn.node->totalLatencyTrace)
      return notTraceable("the total_latency of '" + std::string(pn.name) +
                          "' has no symbolic form");
    std::optional<ExprBuilder::Id> id = pn.node->totalLatencyTrace(
        b, actions, {maxHops.in(&b), maxLinkTraffic.in(&b)});
    if (!id)
      return notTraceable("the total_latency of '" + std::string(pn.name) +
                          "' could not be traced");
    latency = Sym::node(&b, *id);
    return std::nullopt;
  }

  void recordLatency(std::string_view, const Sym &) {}
  void recordAction(std::string_view, std::string_view, std::string_view,
                    const Sym &, double) {}
  void recordEnergy(std::string_view, std::string_view, std::string_view,
                    const Sym &) {}

  ModelError missingWriteAction(uint32_t node) const {
    return notTraceable("component '" + std::string(a.nodes[node].name) +
                        "' has no 'write' action");
  }
  ModelError missingHopAction(uint32_t node) const {
    return notTraceable("network '" + std::string(a.nodes[node].name) +
                        "' has no 'hop' action");
  }

  /// Evaluator::run sums the Einsums' totals from zero; one Einsum here.
  void finish(const Sym &dynamicEnergy, const Sym &leakEnergy,
              const Sym &latency, const Sym &) {
    const Sym n(e.nInstances);
    cost.energy = ((dynamicEnergy + leakEnergy) * n).in(&b);
    cost.latency = (latency * n).in(&b);
    cost.violations = violations.in(&b);
  }

  TracedCost cost;

private:
  Sym point(PointValue::Kind kind, uint32_t node, uint32_t action = 0) {
    return Sym::node(&b, b.pointValue({kind, node, action}));
  }
  /// An action's seconds per call: a design-point value when declared,
  /// else 1 / throughput (infinite at zero throughput in IEEE arithmetic,
  /// as actionLatency gives it).
  Sym latencyOf(uint32_t node, uint32_t action) {
    const Action &act = a.nodes[node].node->actions[action];
    if (act.latency == act.latency)
      return point(PointValue::ActionLatency, node, action);
    return Sym(1.0) / point(PointValue::ActionThroughput, node, action);
  }
  ModelError notTraceable(std::string why) const {
    return makeError(ErrorKind::NotTraceable, std::move(why), nullptr, e.name);
  }

  ExprBuilder &b;
  const PreparedEinsum &e;
  const PreparedArch &a;
  Sym violations = 0.0;
  std::vector<ActionSymbols> actions;
};

std::optional<ModelError> Evaluator::Impl::traceTotals(Numbers<Sym> &num,
                                                       ExprBuilder &b,
                                                       TracedCost &out) {
  TraceSink sink(*this, b);
  if (auto err = totals(num, sink))
    return err;
  out = sink.cost;
  return std::nullopt;
}

} // namespace afc::model
