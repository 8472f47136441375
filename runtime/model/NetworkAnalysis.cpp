//===- NetworkAnalysis.cpp - hops of transfers through Networks -----------===//
//
// A buffet whose parent holder sits above a Network receives its tensor
// through that Network (the first one between them). Its transfers are
// counted bottom-up on the tensor's view, like the reuse analysis: a record
// opens at the buffet's reservation (or at the compute, for the compute's
// operands), temporal loops repeat it, and each spatial loop of a component
// below the Network adds the hops of spreading one tile over that loop's
// instances, as the Network's topology routes them. Spatial loops above the
// Network only replicate the Network itself.
//
// The reference's NetworkAnalyzer (_network.py, _symbolic.py) is followed
// number for number, including two of its quirks: a temporal loop with
// several tile shapes keeps only its last shape's record, and a spatial loop
// below the Network keeps only its own dimension's link traffic.
//
// Written over the number type S: double evaluates, Sym traces.
//
//===----------------------------------------------------------------------===//

#include "EvaluatorImpl.h"

namespace afc::model {

namespace {

/// What spreading one tile across one spatial loop costs.
template <class S> struct LoopTransfer {
  S totalHops;  ///< hop actions over all destinations
  S maxHops;    ///< hops this loop adds to the longest route
  S maxTraffic; ///< actions over the busiest link of this dimension
};

/// `n` destinations `stride` instances apart (the fanout of the same
/// dimension below), each receiving `volume` actions. A shared value
/// (irrelevant loop) is relayed along the axis; distinct values each travel
/// from the source, so their hops are 0 + 1 + ... + (n - 1) strides.
template <class S>
LoopTransfer<S> meshTransfer(bool shared, const S &n, const S &stride,
                             const S &volume) {
  const S others = n - S(1.0);
  if (shared)
    return {others * stride * volume, n * stride, volume};
  const S pairs = S(0.5) * (others + S(1.0)) * others;
  return {pairs * stride * volume, n * stride, others * volume};
}

/// Every destination but the source is one switch traversal away; a shared
/// value is replicated by the switch, distinct values all leave the
/// source's link.
template <class S>
LoopTransfer<S> allToAllTransfer(bool shared, const S &n, const S &volume) {
  const S others = n - S(1.0);
  return {others * S(1.0) * volume, S(1.0), shared ? volume : others * volume};
}

} // namespace

bool Evaluator::Impl::findNetworkTransfers() {
  networkAt.assign(view.size(), kNone);
  if (!arch->hasNetwork || viewTensor == kNone)
    return false;
  // The tensor's holders in the view, top-down: each one's source is the one
  // before it; the compute's is the last.
  uint32_t holders[kMaxDims * 2];
  uint32_t nHolders = 0;
  for (uint32_t idx : view)
    if (withRes[idx].isHolder() && nHolders < std::size(holders))
      holders[nHolders++] = withRes[idx].arch;
  auto networkBetween = [&](uint32_t upper, uint32_t lower) {
    for (uint32_t k = upper + 1; k < lower; ++k)
      if (arch->nodes[k].kind == NodeKind::Network)
        return k;
    return kNone;
  };
  bool any = false;
  for (size_t pos = 0; pos < view.size(); ++pos) {
    const PNode &n = withRes[view[pos]];
    uint32_t source = kNone;
    if (n.kind == PKind::Compute) {
      if (nHolders > 0)
        source = holders[nHolders - 1];
    } else if (n.kind == PKind::Reservation) {
      for (uint32_t h = 1; h < nHolders; ++h)
        if (holders[h] == n.arch)
          source = holders[h - 1];
    }
    if (source == kNone)
      continue;
    networkAt[pos] = networkBetween(source, n.arch);
    any = any || networkAt[pos] != kNone;
  }
  return any;
}

template <class S>
std::optional<ModelError>
Evaluator::Impl::analyzeNetworks(Numbers<S> &num, size_t pos, S *fanout,
                                 uint32_t &count) {
  const PNode &n = withRes[view[pos]];
  const PreparedEinsum &e = *einsum;
  const uint32_t t = viewTensor;
  std::vector<NetRecordT<S>> &stack = num.netStack;
  auto open = [&] {
    if (networkAt[pos] == kNone)
      return;
    NetRecordT<S> r;
    r.tensor = t;
    r.network = networkAt[pos];
    stack.push_back(r);
    ++count;
  };
  switch (n.kind) {
  case PKind::Compute:
    count = 0;
    open();
    return std::nullopt;
  case PKind::Reservation:
    if (auto err = analyzeNetworks(num, pos + 1, fanout, count))
      return err;
    open();
    return std::nullopt;
  case PKind::Storage:
  case PKind::Toll:
    return analyzeNetworks(num, pos + 1, fanout, count);
  case PKind::Temporal:
  case PKind::Spatial:
    break;
  }

  LoopPartT<S> parts[2];
  const uint32_t nParts = loopParts(num, view[pos], /*recording=*/false, parts);
  const uint32_t nDims = uint32_t(arch->dims.size());
  const bool spatial = n.kind == PKind::Spatial;
  const size_t base = stack.size();
  const S saved = num.shape[n.rv];
  // A spatial loop's records, and per record the hops its route has
  // gained over this loop's tile shapes so far.
  std::vector<NetRecordT<S>> acc;
  std::vector<S> routeHops;
  count = 0;
  for (uint32_t p = 0; p < nParts; ++p) {
    S child[kMaxDims] = {};
    uint32_t k = 0;
    num.shape[n.rv] = parts[p].value;
    if (auto err = analyzeNetworks(num, pos + 1, child, k)) {
      num.shape[n.rv] = saved;
      return err;
    }
    const S r = parts[p].repeats;
    const size_t top = stack.size();
    if (!spatial) {
      for (uint32_t d = 0; d < nDims; ++d)
        fanout[d] = maxNonzero(fanout[d], child[d]);
      for (size_t i = top - k; i < top; ++i)
        stack[i].totalHops *= r;
      if (p > 0) {
        // Only the last tile shape's records survive (reference quirk).
        std::move(stack.begin() + ptrdiff_t(top - k), stack.end(),
                  stack.begin() + ptrdiff_t(base));
        stack.resize(base + k);
      }
      count = k;
      num.shape[n.rv] = saved;
      continue;
    }

    for (uint32_t d = 0; d < nDims; ++d)
      if (d != n.dim)
        fanout[d] = maxNonzero(fanout[d], child[d]);
    fanout[n.dim] += orOne(child[n.dim]) * r;
    if (p == 0) {
      acc.resize(k);
      routeHops.assign(k, S(0.0));
      for (uint32_t j = 0; j < k; ++j) {
        acc[j].tensor = stack[top - k + j].tensor;
        acc[j].network = stack[top - k + j].network;
      }
    }
    const PreparedDim &dim = arch->dims[n.dim];
    for (uint32_t j = 0; j < k; ++j) {
      const NetRecordT<S> &c = stack[top - k + j];
      NetRecordT<S> &a = acc[j];
      if (dim.node < c.network) {
        // Every instance has its own copy of the Network.
        a.totalHops += c.totalHops * r;
        a.maxHops = maxNonzero(a.maxHops, c.maxHops);
        for (uint32_t d = 0; d < nDims; ++d)
          a.maxTraffic[d] = maxNonzero(a.maxTraffic[d], c.maxTraffic[d]);
        continue;
      }
      const Relevancy rel = e.tensors[t].relevancy[n.rv];
      // A partly relevant loop's hops are not modelled (the reference raises
      // NotImplementedError); one iteration sends one tile, whichever way.
      // A traced count is checked with the totals' other limits.
      bool spreads = false;
      if (rel == Relevancy::PartiallyRelevant) {
        if constexpr (std::is_same_v<S, Sym>) {
          if (r.known)
            spreads = r.value > 1;
          else
            num.partialSpreads.push_back(r);
        } else {
          spreads = r > 1;
        }
      }
      if (spreads) {
        num.shape[n.rv] = saved;
        return makeError(
            ErrorKind::UnsupportedTransfer,
            "this spatial loop spreads tensor '" +
                std::string(e.tensors[t].name) + "' across network '" +
                std::string(arch->nodes[c.network].name) +
                "', but rank variable '" +
                std::string(e.rankVariableNames[n.rv]) +
                "' only partly indexes it (a sliding window): hops of such "
                "transfers are not modelled, as in the reference; give this "
                "loop one iteration, or spread another rank variable",
            n.source, e.name);
      }
      const PreparedNode &net = arch->nodes[c.network];
      const S volume =
          e.denseTile(t, num.shape.data()) *
          S(net.bitsPerValue[t] / net.node->networkBitsPerAction);
      const bool shared = rel == Relevancy::Irrelevant;
      LoopTransfer<S> cost =
          net.node->topology == NetworkTopology::AllToAll
              ? allToAllTransfer(shared, r, volume)
              : meshTransfer(shared, r, orOne(child[n.dim]), volume);
      routeHops[j] += cost.maxHops;
      a.totalHops += cost.totalHops + c.totalHops * r;
      a.maxHops = maxNonzero(a.maxHops, routeHops[j] + c.maxHops);
      S &traffic = a.maxTraffic[dim.nameId];
      traffic = maxNonzero(traffic, cost.maxTraffic + c.maxTraffic[dim.nameId]);
    }
    stack.resize(top - k);
    num.shape[n.rv] = saved;
  }
  if (spatial) {
    stack.insert(stack.end(), acc.begin(), acc.end());
    count = uint32_t(acc.size());
  }
  return std::nullopt;
}

template std::optional<ModelError>
Evaluator::Impl::analyzeNetworks<double>(Numbers<double> &, size_t, double *,
                                         uint32_t &);
template std::optional<ModelError>
Evaluator::Impl::analyzeNetworks<Sym>(Numbers<Sym> &, size_t, Sym *,
                                      uint32_t &);

} // namespace afc::model
