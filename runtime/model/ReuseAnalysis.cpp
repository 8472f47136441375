//===- ReuseAnalysis.cpp - the bottom-up statistics of a pmapping
//-----------===//
//
// The reuse analysis (model.md §5; _symbolic.py:535-1065, _common.py:95-240):
// a compute-only pass gives iteration counts, computes and used fanout; then
// one bottom-up recursion per tensor view turns loops, holders and the
// compute leaf into per-buffet statistics (BuffetStats.h): fills from the
// parent, write-backs, skipped first reads, own actions and occupancy.
// Temporal reuse is a holder whose tile does not change across a loop;
// spatial reuse (multicast, reduction) is a spatial loop whose parent is
// shared; bypass is a tensor without a holder at a level.
//
// Written over the number type S: double evaluates, Sym traces.
//
//===----------------------------------------------------------------------===//

#include "EvaluatorImpl.h"

#include "afc/support/InternalError.h"

#include <cmath>

namespace afc::model {

template <class S>
S Evaluator::Impl::tileOf(Numbers<S> &num, const PNode &n) const {
  if constexpr (std::is_same_v<S, Sym>)
    if (n.traced != kNone)
      return num.tiles[n.traced];
  return S(n.tile);
}

template <class S>
uint32_t Evaluator::Impl::loopParts(Numbers<S> &num, uint32_t index,
                                    bool recording, LoopPartT<S> parts[2]) {
  const PNode &n = withRes[index];
  const PreparedEinsum &e = *einsum;
  const S tile = tileOf(num, n);
  // Per-tensor views may reorder loops over rank variables that do not index
  // the tensor; those use the counts recorded in the original order.
  if (!recording &&
      e.tensors[viewTensor].relevancy[n.rv] == Relevancy::Irrelevant) {
    parts[0] = {tile, num.recorded[index]};
    return 1;
  }
  S extent = num.shape[n.rv];
  if (e.simple[n.rv] || std::isnan(n.initialTile)) {
    // Average-tile counting: an imperfect outermost loop still gives exact
    // totals, but later passes see ceil(N / t) iterations.
    S iterations = extent / tile;
    parts[0] = {tile, iterations};
    if (recording)
      num.recorded[index] +=
          n.imperfect ? ceilOf(S(e.bounds[n.rv]) / tile) : iterations;
    return 1;
  }
  S middle = ceilOf((extent - S(n.initialTile)) / tile);
  parts[0] = {S(n.initialTile), S(1.0)};
  parts[1] = {tile, middle};
  if (recording)
    num.recorded[index] += S(1.0) + middle;
  return 2;
}

template <class S>
ComputeStatsT<S> Evaluator::Impl::analyzeComputeOnly(Numbers<S> &num,
                                                     size_t pos, S *fanout) {
  const PNode &n = withRes[view[pos]];
  const uint32_t nDims = uint32_t(arch->dims.size());
  if (n.kind == PKind::Compute) {
    double ops = isCopy ? 0 : 1;
    return {S(ops), S(ops), S(ops)};
  }
  AFC_INTERNAL_ASSERT(n.isLoop())
      << "compute-only views hold loops and the compute";
  LoopPartT<S> parts[2];
  uint32_t nParts = loopParts(num, view[pos], /*recording=*/true, parts);
  ComputeStatsT<S> acc;
  S saved = num.shape[n.rv];
  for (uint32_t p = 0; p < nParts; ++p) {
    S child[kMaxDims] = {};
    num.shape[n.rv] = parts[p].value;
    ComputeStatsT<S> c = analyzeComputeOnly(num, pos + 1, child);
    num.shape[n.rv] = saved;
    S r = parts[p].repeats;
    if (n.kind == PKind::Temporal) {
      acc.totalOps += c.totalOps * r;
      acc.maxPerUnitOps += c.maxPerUnitOps * r;
      acc.maxLatency += c.maxLatency * r;
      for (uint32_t d = 0; d < nDims; ++d)
        fanout[d] = maxNonzero(fanout[d], child[d]);
    } else {
      // Instances run in parallel: the busiest one sets the latency.
      acc.totalOps += c.totalOps * r;
      acc.maxPerUnitOps = maxNonzero(acc.maxPerUnitOps, c.maxPerUnitOps);
      acc.maxLatency = maxNonzero(acc.maxLatency, c.maxLatency);
      for (uint32_t d = 0; d < nDims; ++d)
        if (d != n.dim)
          fanout[d] = maxNonzero(fanout[d], child[d]);
      fanout[n.dim] += orOne(child[n.dim]) * r;
    }
  }
  return acc;
}

template <class S>
void Evaluator::Impl::analyzeHolder(Numbers<S> &num, size_t pos,
                                    const PNode &n) {
  const PreparedEinsum &e = *einsum;
  const PreparedNode &level = arch->nodes[n.arch];
  const uint32_t t = n.tensor;
  std::vector<EntryT<S>> &stack = num.stack;
  AFC_INTERNAL_ASSERT(stack.size() >= 2)
      << "a holder always has the compute below it";
  EntryT<S> &me = stack[stack.size() - 1];
  const BuffetStatsT<S> &child = stack[stack.size() - 2].stats;
  AFC_INTERNAL_ASSERT(me.level == n.arch)
      << "the holder's reservation is right below it";
  BuffetStatsT<S> &s = me.stats;

  const bool toll = n.kind == PKind::Toll;
  const bool isOutput = e.tensors[t].isOutput;
  // For copies the reference compares node identities across a deep copy,
  // so no holder is ever "backing" or "below backing"; reproduced.
  const bool isBacking = !isCopy && n.isBacking;
  const bool belowBacking = !isCopy && !n.isBacking;
  const bool hasParent = hasParentAt[pos];
  // A Toll forwards its child's traffic, so it keeps skipping whatever its
  // child skips.
  const bool skipInitial = (toll || level.skipInitialOutputWrite) && !isCopy;
  const S fills = e.denseTile(t, num.shape.data());
  auto add = [&](S &field, const S &childValue) {
    field += toll ? childValue : fills;
  };

  if (hasParent) {
    if (!isBacking && belowBacking) { // fill from the parent
      add(s.totalReadsToParent, child.totalReadsToParent);
      add(s.maxPerParentReadsToParent, child.maxPerParentReadsToParent);
    }
    if (isOutput || !belowBacking) { // write back to the parent
      add(s.totalWritesToParent, child.totalWritesToParent);
      add(s.maxPerParentWritesToParent, child.maxPerParentWritesToParent);
    }
    if (isOutput && !isBacking && belowBacking && skipInitial) {
      // Initial zeros of an output tile need no fetch.
      add(s.totalSkippedFirstReadsToParent,
          child.totalSkippedFirstReadsToParent);
      add(s.minPerParentSkippedFirstReadsToParent,
          child.minPerParentSkippedFirstReadsToParent);
    }
  }

  const S rs = level.readScale[t];
  const S ws = toll ? 0 : level.writeScale[t];
  const bool countUp = toll ? level.tollUp[t] : true;
  const bool countDown = toll ? level.tollDown[t] : true;

  if (countDown) { // parent -> me
    s.totalWriteActions += s.totalReadsToParent * ws;
    s.maxPerUnitWriteActions += s.totalReadsToParent * ws;
    s.totalSkippedFirstWriteActions += s.totalSkippedFirstReadsToParent * ws;
    s.minPerUnitSkippedFirstWriteActions +=
        s.minPerParentSkippedFirstReadsToParent * ws;
  }
  if (countUp) { // me -> parent
    s.totalReadActions += s.totalWritesToParent * rs;
    s.maxPerUnitReadActions += s.totalWritesToParent * rs;
  }
  if (countDown) { // me -> child
    s.totalReadActions += child.totalReadsToParent * rs;
    s.maxPerUnitReadActions += child.maxPerParentReadsToParent * rs;
    if (skipInitial) {
      s.totalSkippedFirstReadActions +=
          child.totalSkippedFirstReadsToParent * rs;
      s.minPerUnitSkippedFirstReadActions +=
          child.minPerParentSkippedFirstReadsToParent * rs;
    }
  }
  if (countUp) { // child -> me
    s.totalWriteActions += child.totalWritesToParent * ws;
    s.maxPerUnitWriteActions += child.maxPerParentWritesToParent * ws;
  }
  if (n.persistent)
    s.persistent = true;
  if (toll)
    s.maxOccupancy = 0;
}

template <class S>
uint32_t Evaluator::Impl::analyzeTensor(Numbers<S> &num, size_t pos) {
  const PNode &n = withRes[view[pos]];
  const PreparedEinsum &e = *einsum;
  const uint32_t t = viewTensor;
  std::vector<EntryT<S>> &stack = num.stack;
  switch (n.kind) {
  case PKind::Compute: {
    EntryT<S> entry;
    entry.level = n.arch;
    entry.isCompute = true;
    BuffetStatsT<S> &s = entry.stats;
    const bool isOutput = e.tensors[t].isOutput;
    // Every compute reads each input and read-modify-writes each output; a
    // copy only writes its output.
    if (!isCopy || !isOutput) {
      s.totalReadsToParent = 1;
      s.maxPerParentReadsToParent = 1;
    }
    if (isOutput) {
      s.totalWritesToParent = 1;
      s.maxPerParentWritesToParent = 1;
      if (arch->nodes[n.arch].skipInitialOutputWrite && !isCopy) {
        s.totalSkippedFirstReadsToParent = 1;
        s.minPerParentSkippedFirstReadsToParent = 1;
      }
    }
    s.maxOccupancy = 1;
    stack.push_back(entry);
    return 1;
  }
  case PKind::Reservation: {
    uint32_t k = analyzeTensor(num, pos + 1);
    EntryT<S> entry;
    entry.level = n.arch;
    entry.stats.maxOccupancy = e.denseTile(t, num.shape.data()) *
                               S(arch->nodes[n.arch].bitsPerValue[t]);
    entry.stats.persistent = n.persistent;
    stack.push_back(entry);
    return k + 1;
  }
  case PKind::Storage:
  case PKind::Toll: {
    uint32_t k = analyzeTensor(num, pos + 1);
    analyzeHolder(num, pos, n);
    return k;
  }
  case PKind::Temporal:
  case PKind::Spatial: {
    LoopPartT<S> parts[2];
    uint32_t nParts = loopParts(num, view[pos], /*recording=*/false, parts);
    const Relevancy rel = e.tensors[t].relevancy[n.rv];
    const bool reuse = n.kind == PKind::Spatial &&
                       rel == Relevancy::Irrelevant &&
                       arch->dims[n.dim].mayReuse[t];
    const size_t base = stack.size();
    const S saved = num.shape[n.rv];
    uint32_t k = 0;
    for (uint32_t p = 0; p < nParts; ++p) {
      num.shape[n.rv] = parts[p].value;
      k = analyzeTensor(num, pos + 1);
      num.shape[n.rv] = saved;
      const size_t top = stack.size();
      for (size_t i = top - k; i < top; ++i) {
        BuffetStatsT<S> &s = stack[i].stats;
        ++s.nLoopsAbove;
        if (n.kind == PKind::Temporal)
          repeatTemporal(s, parts[p].repeats, rel == Relevancy::Relevant);
        else
          // Only the highest holder below the loop talks to the parent
          // through this dimension.
          repeatSpatial(s, parts[p].repeats, reuse && i + 1 == top);
      }
      if (p > 0) {
        for (uint32_t j = 0; j < k; ++j)
          accumulate(stack[base + j].stats, stack[base + k + j].stats);
        stack.resize(base + k);
      }
    }
    return k;
  }
  }
  return 0;
}

template <class S>
std::optional<ModelError> Evaluator::Impl::analyse(Numbers<S> &num) {
  // Compute-only pass: iteration counts, computes and used fanout.
  num.recorded.assign(withRes.size(), S(0.0));
  num.shape.assign(einsum->bounds.begin(), einsum->bounds.end());
  viewTensor = kNone;
  if (auto err = buildView(kNone))
    return err;
  std::fill(std::begin(num.usedFanout), std::end(num.usedFanout), S(0.0));
  num.computeStats = analyzeComputeOnly(num, 0, num.usedFanout);

  // One pass per tensor.
  std::vector<BuffetT<S>> &buffets = num.buffets;
  buffets.clear();
  num.networks.clear();
  num.partialSpreads.clear();
  for (uint32_t t = 0; t < einsum->tensors.size(); ++t) {
    if (!analysed[t])
      continue;
    viewTensor = t;
    if (auto err = buildView(t))
      return err;
    num.stack.clear();
    num.shape.assign(einsum->bounds.begin(), einsum->bounds.end());
    analyzeTensor(num, 0);
    for (const EntryT<S> &entry : num.stack)
      buffets.push_back({t, entry.level, entry.isCompute, entry.stats});
    if (findNetworkTransfers()) {
      num.netStack.clear();
      num.shape.assign(einsum->bounds.begin(), einsum->bounds.end());
      S fanout[kMaxDims] = {};
      uint32_t count = 0;
      if (auto err = analyzeNetworks(num, 0, fanout, count))
        return err;
      num.networks.insert(num.networks.end(), num.netStack.begin(),
                          num.netStack.end());
    }
  }

  if (isCopy) {
    // Merge every level's buffets into the copy source's (model.md §5.7).
    size_t out = 0;
    for (size_t i = 0; i < buffets.size(); ++i) {
      size_t j = 0;
      while (j < out && buffets[j].level != buffets[i].level)
        ++j;
      if (j < out) {
        mergeCopy(buffets[j].stats, buffets[i].stats);
      } else {
        buffets[out] = buffets[i];
        buffets[out].tensor = einsum->copySource;
        ++out;
      }
    }
    buffets.resize(out);
  }
  return std::nullopt;
}

// Evaluating uses doubles, tracing Syms (SymbolicNumber.h).
template uint32_t Evaluator::Impl::loopParts<double>(Numbers<double> &,
                                                     uint32_t, bool,
                                                     LoopPartT<double>[2]);
template uint32_t Evaluator::Impl::loopParts<Sym>(Numbers<Sym> &, uint32_t,
                                                  bool, LoopPartT<Sym>[2]);
template std::optional<ModelError>
Evaluator::Impl::analyse<double>(Numbers<double> &num);
template std::optional<ModelError>
Evaluator::Impl::analyse<Sym>(Numbers<Sym> &num);

} // namespace afc::model
