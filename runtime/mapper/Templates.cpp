//===- Templates.cpp - pmapping template enumeration -----------------------===//
//
// Implements mapper.md §3.2-§3.8 for architectures made of Memories,
// Containers and one Compute per flattened path. See Template.h.
//
//===----------------------------------------------------------------------===//

#include "afc/mapper/Template.h"

#include "afc/mapper/Fusion.h"

#include "afc/support/InternalError.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <set>
#include <stdexcept>

namespace afc::mapper {

using model::NodeKind;

TensorSet PlacementContext::aboveUnion() const {
  TensorSet s;
  for (const auto &[holder, kept] : above)
    s.insert(kept.begin(), kept.end());
  return s;
}

TensorSet PlacementContext::keptBy(const std::string &name) const {
  for (const auto &[holder, kept] : above)
    if (holder == name)
      return kept;
  return {};
}

//===----------------------------------------------------------------------===//
// EinsumView
//===----------------------------------------------------------------------===//

bool constrainsToOne(const LoopBoundComparison &c) {
  // Bounds are whole numbers of at least one, so a product of at most one
  // holds each of its bounds to one too.
  return c.value == 1 &&
         (c.op == Comparison::Equal || c.op == Comparison::LessEqual);
}

bool searchesAlike(const EinsumView &a, const EinsumView &b) {
  // The search reads the architecture's capacities; its fanouts are in
  // `dims`, its costs in the kernels.
  auto sizes = [](const model::FlattenedArch &arch) {
    std::vector<double> out;
    for (const model::ArchNode &n : arch.nodes)
      out.push_back(n.size);
    return out;
  };
  return sizes(*a.arch) == sizes(*b.arch) &&
         a.tensorIsOutput == b.tensorIsOutput &&
         a.bounds == b.bounds && a.relevant == b.relevant &&
         a.partial == b.partial && a.bitsPerValue == b.bitsPerValue &&
         a.ranks == b.ranks && a.dims == b.dims &&
         a.tileShapes == b.tileShapes;
}

EinsumView makeEinsumView(const MapperProblem &problem, uint32_t einsum,
                          const model::FlattenedArch &arch) {
  // Indices come from a model::Problem afc built and checked: one out of
  // range is afc's fault, not the user's.
  const model::Workload &w = problem.problem.workload;
  AFC_INTERNAL_ASSERT(einsum < w.einsums.size())
      << "Einsum " << einsum << " of " << w.einsums.size();
  const model::Einsum &e = w.einsums[einsum];
  EinsumView v;
  v.einsum = einsum;
  v.arch = &arch;

  // Local rank variables sorted by name: gap loops are emitted in this order
  // (the reference's sorted(rank_variables)).
  std::set<std::string> names;
  for (const model::TensorAccess &a : e.accesses)
    for (const model::RankProjection &r : a.projection)
      for (const model::AffineTerm &t : r.terms) {
        AFC_INTERNAL_ASSERT(t.rankVariable < w.rankVariables.size())
            << "Einsum '" << e.name << "' indexes rank variable "
            << t.rankVariable << " of " << w.rankVariables.size();
        names.insert(w.rankVariables[t.rankVariable].name);
      }
  for (const std::string &n : names) {
    v.rankVariables.push_back(n);
    v.bounds.push_back(w.rankVariables[*w.findRankVariable(n)].bound);
  }
  auto local = [&](model::RankVariableId id) {
    const std::string &n = w.rankVariables[id].name;
    return uint32_t(std::find(v.rankVariables.begin(), v.rankVariables.end(),
                              n) -
                    v.rankVariables.begin());
  };

  size_t nRv = v.rankVariables.size();
  for (const model::TensorAccess &a : e.accesses) {
    AFC_INTERNAL_ASSERT(a.tensor < w.tensors.size())
        << "Einsum '" << e.name << "' accesses tensor " << a.tensor << " of "
        << w.tensors.size();
    const std::string &name = w.tensors[a.tensor].name;
    v.tensorNames.push_back(name);
    v.tensorIsOutput.push_back(a.isOutput);
    std::vector<uint8_t> rel(nRv, 0), part(nRv, 0);
    std::vector<EinsumView::Rank> ranks;
    for (const model::RankProjection &r : a.projection) {
      EinsumView::Rank rank;
      rank.constant = r.constant;
      for (const model::AffineTerm &t : r.terms) {
        uint32_t l = local(t.rankVariable);
        rank.terms.push_back({l, t.coefficient});
        if (r.terms.size() == 1)
          rel[l] = 1;
      }
      ranks.push_back(rank);
    }
    for (const model::RankProjection &r : a.projection)
      for (const model::AffineTerm &t : r.terms) {
        uint32_t l = local(t.rankVariable);
        if (!rel[l])
          part[l] = 1;
      }
    v.relevant.push_back(rel);
    v.partial.push_back(part);
    v.ranks.push_back(ranks);
    std::vector<double> bits;
    for (const model::ArchNode &n : arch.nodes) {
      double b = a.bitsPerValue;
      for (const auto &[t, value] : n.bitsPerValue)
        if (t == name)
          b = value;
      bits.push_back(b);
    }
    v.bitsPerValue.push_back(bits);
  }

  const EinsumRules *rules = problem.rulesFor(e.name);
  for (uint32_t n = 0; n < arch.nodes.size(); ++n)
    for (uint32_t d = 0; d < arch.nodes[n].spatial.size(); ++d) {
      const model::SpatialDimension &dim = arch.nodes[n].spatial[d];
      if (dim.fanout <= 1)
        continue;
      EinsumView::DimRule rule;
      rule.archNode = n;
      rule.dimension = d;
      rule.fanout = dim.fanout;
      rule.usageScale = dim.usageScale;
      if (rules)
        for (const SpatialRule &s : rules->spatial)
          if (s.component == arch.nodes[n].name && s.dimension == dim.name) {
            rule.minUsage = s.minUsage;
            for (const LoopBoundComparison &c : s.loopBounds)
              if (!constrainsToOne(c))
                rule.loopBounds.push_back(c);
          }
      v.dims.push_back(rule);
    }
  if (rules)
    for (uint32_t n = 0; n < arch.nodes.size(); ++n)
      for (const MemoryRule &m : rules->memories)
        if (m.memory == arch.nodes[n].name &&
            arch.nodes[n].kind == NodeKind::Memory)
          for (const LoopBoundComparison &c : m.tileShape)
            v.tileShapes.push_back({n, c});
  return v;
}

//===----------------------------------------------------------------------===//
// Step 1: which tensors each holder keeps (make_storages.py)
//===----------------------------------------------------------------------===//

namespace {

struct HolderNode {
  uint32_t archNode = 0;
  uint32_t level = 0; ///< index among tensor holders
  uint32_t tensor = 0;
  bool backing = false;
  bool mustKeep = false;
  bool persistent = false;
};

struct Enumerator {
  const MapperProblem &problem;
  const EinsumView &view;
  const EinsumRules *rules;
  std::vector<uint32_t> holders; ///< arch node indices of the memories
  std::vector<double> cumulativeFanout;
  std::vector<uint8_t> fusable, persistent;
  TensorSet all, inputs, outputs, intermediates;

  /// `tensor_order_options` per arch node: per option, each local tensor's
  /// position in it (-1: the option does not place it).
  std::vector<std::vector<std::vector<int>>> orderOptions;
  bool anyOrderOptions = false;

  std::vector<Template> result;
  std::set<std::string> seenKeys;

  Enumerator(const MapperProblem &p, const EinsumView &v, const EinsumRules *r)
      : problem(p), view(v), rules(r) {
    const model::FlattenedArch &arch = *v.arch;
    double fan = 1;
    for (uint32_t n = 0; n < arch.nodes.size(); ++n) {
      for (const model::SpatialDimension &d : arch.nodes[n].spatial)
        fan *= d.fanout;
      cumulativeFanout.push_back(fan);
      if (arch.nodes[n].kind == NodeKind::Memory)
        holders.push_back(n);
    }
    const model::Workload &w = p.problem.workload;
    const model::Einsum &e = w.einsums[v.einsum];
    for (size_t t = 0; t < e.accesses.size(); ++t) {
      const model::TensorAccess &a = e.accesses[t];
      const std::string &name = v.tensorNames[t];
      all.insert(name);
      (a.isOutput ? outputs : inputs).insert(name);
      bool shared = usedByAnotherEinsum(w, v.einsum, a.tensor);
      fusable.push_back(shared);
      persistent.push_back(a.persistent);
      if (shared)
        intermediates.insert(name);
    }
    readOrderOptions();
  }

  /// Options that place no tensor of this Einsum say nothing about its
  /// orders, so they are dropped rather than allowing every order.
  void readOrderOptions() {
    orderOptions.assign(view.arch->nodes.size(), {});
    if (!rules)
      return;
    for (const MemoryRule &m : rules->memories)
      for (uint32_t n = 0; n < view.arch->nodes.size(); ++n) {
        if (view.arch->nodes[n].name != m.memory)
          continue;
        for (const std::vector<TensorSet> &option : m.tensorOrderOptions) {
          std::vector<int> pos(view.tensorNames.size(), -1);
          bool placesAny = false;
          for (size_t k = 0; k < option.size(); ++k)
            for (const std::string &t : option[k])
              if (uint32_t ti = tensorIndex(t); ti != ~0u && pos[ti] < 0) {
                pos[ti] = int(k);
                placesAny = true;
              }
          if (placesAny)
            orderOptions[n].push_back(std::move(pos));
        }
        anyOrderOptions |= !orderOptions[n].empty();
      }
  }

  uint32_t tensorIndex(const std::string &name) const {
    for (uint32_t t = 0; t < view.tensorNames.size(); ++t)
      if (view.tensorNames[t] == name)
        return t;
    return ~0u;
  }

  const PlacementFn *placementOf(const std::string &holder) const {
    if (!rules)
      return nullptr;
    for (const auto &[name, fn] : rules->placement)
      if (name == holder)
        return &fn;
    return nullptr;
  }

  void run() {
    std::vector<HolderNode> nodes;
    std::vector<std::pair<std::string, TensorSet>> above;
    placeLevel(0, nodes, above);
  }

  /// Recursive product over levels of the kept subsets.
  void placeLevel(uint32_t level, std::vector<HolderNode> &nodes,
                  std::vector<std::pair<std::string, TensorSet>> &above) {
    if (level == holders.size()) {
      std::vector<uint8_t> stored(view.tensorNames.size(), 0);
      for (const HolderNode &n : nodes)
        stored[n.tensor] = 1;
      for (uint8_t s : stored)
        if (!s)
          return; // every tensor must be stored somewhere
      orderNodes(nodes);
      return;
    }
    const model::ArchNode &arch = view.arch->nodes[holders[level]];
    PlacementContext ctx;
    ctx.einsum = problem.problem.workload.einsums[view.einsum].name;
    ctx.holder = arch.name;
    ctx.all = all;
    ctx.inputs = inputs;
    ctx.outputs = outputs;
    ctx.intermediates = intermediates;
    ctx.above = above;
    Placement pl;
    if (const PlacementFn *fn = placementOf(arch.name))
      pl = (*fn)(ctx);
    auto restrict = [&](const TensorSet &s) {
      TensorSet r;
      for (const std::string &t : s)
        if (all.count(t))
          r.insert(t);
      return r;
    };
    TensorSet must, may;
    if (pl.keep) {
      must = restrict(*pl.keep);
      may = pl.mayKeep ? restrict(*pl.mayKeep) : TensorSet{};
    } else {
      may = pl.mayKeep ? restrict(*pl.mayKeep) : all;
    }
    for (const std::string &t : restrict(pl.back))
      must.insert(t);
    TensorSet seen = ctx.aboveUnion();
    // Unfused: the outermost memory keeps every tensor, so no tensor shared
    // between Einsums can stay on chip (mapper.md §7.5).
    if (level == 0 && problem.settings.unfused)
      must = all;
    for (const std::string &t : restrict(pl.back))
      if (seen.count(t))
        return; // a `back` tensor already backed above
    std::vector<std::string> optional;
    for (const std::string &t : may)
      if (!must.count(t))
        optional.push_back(t);
    // Subsets by size, then lexicographically (itertools' power set order).
    size_t n = optional.size();
    for (size_t k = 0; k <= n; ++k) {
      std::vector<uint8_t> pick(n, 0);
      std::fill(pick.begin(), pick.begin() + k, 1);
      do {
        TensorSet kept = must;
        for (size_t i = 0; i < n; ++i)
          if (pick[i])
            kept.insert(optional[i]);
        size_t before = nodes.size();
        for (const std::string &t : kept) {
          HolderNode h;
          h.archNode = holders[level];
          h.level = level;
          h.tensor = tensorIndex(t);
          h.backing = !seen.count(t);
          h.mustKeep = h.backing || must.count(t);
          h.persistent = h.backing && persistent[h.tensor];
          nodes.push_back(h);
        }
        above.push_back({arch.name, kept});
        placeLevel(level + 1, nodes, above);
        above.pop_back();
        nodes.resize(before);
      } while (std::prev_permutation(pick.begin(), pick.end()));
    }
  }

  //===------------------------------------------------------------------===//
  // Step 2: storage-node order (make_storage_order.py)
  //===------------------------------------------------------------------===//

  bool validOrder(const std::vector<HolderNode> &order) const {
    for (size_t i = 0; i < order.size(); ++i)
      for (size_t j = i + 1; j < order.size(); ++j) {
        const HolderNode &m0 = order[i], &m1 = order[j];
        bool eitherPersistent = m0.persistent || m1.persistent;
        bool force =
            problem.settings.forceMemoryHierarchyOrder && !eitherPersistent;
        force |= m0.backing && fusable[m0.tensor];
        if (force && m1.level < m0.level)
          return false;
        bool out0 = m0.persistent || m0.level == 0;
        bool out1 = m1.persistent || m1.level == 0;
        if (out1 && !out0)
          return false;
        if (m0.level == 0 && m1.level == 0) {
          // Reverse-alphabetical in the outermost memory: no loop can sit
          // between its nodes, so their order is irrelevant.
          if (view.tensorNames[m0.tensor] < view.tensorNames[m1.tensor])
            return false;
          continue;
        }
        if (m0.tensor != m1.tensor)
          continue;
        if (m1.level < m0.level)
          return false;
        // A tensor in two back-to-back holders with the same cumulative
        // fanout: the outer copy could have been bypassed.
        if (j == i + 1 && m0.level < m1.level && !m0.mustKeep &&
            cumulativeFanout[m0.archNode] == cumulativeFanout[m1.archNode])
          return false;
      }
    return !anyOrderOptions || orderOptionsHold(order);
  }

  /// Each memory with `tensor_order_options` has an option that no pair of
  /// its storage nodes contradicts (an upper node's tensor placed after a
  /// lower node's). The outermost memory is exempt: no loop can sit between
  /// its nodes, so their order means nothing.
  bool orderOptionsHold(const std::vector<HolderNode> &order) const {
    for (uint32_t n = 0; n < orderOptions.size(); ++n) {
      const std::vector<std::vector<int>> &options = orderOptions[n];
      if (options.empty())
        continue;
      std::vector<uint8_t> alive(options.size(), 1);
      size_t left = options.size();
      for (size_t i = 0; i < order.size() && left; ++i) {
        if (order[i].archNode != n || order[i].level == 0)
          continue;
        for (size_t j = i + 1; j < order.size() && left; ++j) {
          if (order[j].archNode != n)
            continue;
          for (size_t o = 0; o < options.size(); ++o) {
            int p0 = options[o][order[i].tensor];
            int p1 = options[o][order[j].tensor];
            if (alive[o] && p0 >= 0 && p1 >= 0 && p0 > p1) {
              alive[o] = 0;
              --left;
            }
          }
        }
      }
      if (!left)
        return false;
    }
    return true;
  }

  void orderNodes(const std::vector<HolderNode> &nodes) {
    std::vector<HolderNode> sorted = nodes;
    std::sort(sorted.begin(), sorted.end(),
              [&](const HolderNode &a, const HolderNode &b) {
                if (a.archNode != b.archNode)
                  return a.archNode < b.archNode;
                return view.tensorNames[a.tensor] < view.tensorNames[b.tensor];
              });
    std::vector<HolderNode> order;
    std::vector<uint8_t> used(sorted.size(), 0);
    std::function<void()> rec = [&]() {
      if (order.size() == sorted.size()) {
        makeLoops(order);
        return;
      }
      for (size_t i = 0; i < sorted.size(); ++i) {
        if (used[i])
          continue;
        order.push_back(sorted[i]);
        if (validOrder(order)) {
          used[i] = 1;
          rec();
          used[i] = 0;
        }
        order.pop_back();
      }
    };
    rec();
  }

  //===------------------------------------------------------------------===//
  // Steps 3-7: loops, spatial loops, fix-ups, dedup (make_loops.py)
  //===------------------------------------------------------------------===//

  void makeLoops(const std::vector<HolderNode> &order) {
    size_t nRv = view.rankVariables.size();
    size_t nT = view.tensorNames.size();
    // Groups: all outermost/persistent nodes, then each node alone.
    std::vector<std::vector<HolderNode>> groups(1);
    for (const HolderNode &n : order) {
      if (n.level == 0 || n.persistent)
        groups[0].push_back(n);
      else
        groups.push_back({n});
    }
    Template tpl;
    std::vector<uint8_t> stored(nT, 0);
    for (size_t g = 0; g < groups.size(); ++g) {
      for (const HolderNode &n : groups[g]) {
        TemplateNode s;
        s.kind = TemplateNodeKind::Storage;
        s.archNode = n.archNode;
        s.tensor = n.tensor;
        s.backing = n.backing;
        s.persistent = n.persistent;
        tpl.nodes.push_back(s);
        stored[n.tensor] = 1;
      }
      const std::vector<HolderNode> *next =
          g + 1 < groups.size() ? &groups[g + 1] : nullptr;
      if (next && next->front().persistent)
        continue; // no loops above persistent nodes
      // Loops here are fused loops while some fusable tensor is not backed
      // yet (its backing node is below).
      bool mayBeFused = false;
      for (size_t t = 0; t < nT; ++t)
        mayBeFused |= fusable[t] && !stored[t];
      if (mayBeFused && problem.settings.maxFusedLoops == 0)
        continue;
      std::vector<uint8_t> keep(nRv, 1);
      // No recomputation: loops above a tensor's first storage must index it.
      for (size_t t = 0; t < nT; ++t)
        if (!stored[t])
          for (size_t r = 0; r < nRv; ++r)
            keep[r] &= view.relevant[t][r];
      // A loop over a rank variable relevant to a non-backing node above is
      // the same as lowering that node.
      for (const HolderNode &n : groups[g])
        if (!n.backing)
          for (size_t r = 0; r < nRv; ++r)
            if (view.relevant[n.tensor][r])
              keep[r] = 0;
      // An irrelevant loop above the next node only refetches its tile:
      // raising the node through it is never worse, unless the loop may be
      // fused (it then also tiles what other Einsums exchange).
      if (next && !mayBeFused)
        for (const HolderNode &n : *next)
          for (size_t r = 0; r < nRv; ++r) {
            if (view.relevant[n.tensor][r] || view.partial[n.tensor][r])
              continue;
            bool partialAbove = false;
            for (size_t t = 0; t < nT; ++t)
              partialAbove |= stored[t] && view.partial[t][r];
            if (!partialAbove)
              keep[r] = 0;
          }
      for (size_t r = 0; r < nRv; ++r)
        if (keep[r]) {
          TemplateNode l;
          l.kind = TemplateNodeKind::Temporal;
          l.rankVariable = uint32_t(r);
          tpl.nodes.push_back(l);
        }
    }
    insertSpatialLoops(tpl);
    dropFusedSpatialLoops(tpl);
    addMissingLoops(tpl);
    std::string key = dedupKey(tpl);
    if (seenKeys.insert(key).second)
      result.push_back(std::move(tpl));
  }

  /// Rank variables a `reuse` constraint or a `== 1` / `<= 1` loop bound
  /// forces to bound 1 on this dimension.
  std::vector<uint8_t> forcedToOne(uint32_t node, uint32_t dim) const {
    std::vector<uint8_t> one(view.rankVariables.size(), 0);
    if (!rules)
      return one;
    const model::ArchNode &a = view.arch->nodes[node];
    for (const SpatialRule &s : rules->spatial) {
      if (s.component != a.name || s.dimension != a.spatial[dim].name)
        continue;
      for (const std::string &t : s.reuse) {
        uint32_t ti = tensorIndex(t);
        if (ti == ~0u)
          continue;
        for (size_t r = 0; r < one.size(); ++r)
          if (view.relevant[ti][r] || view.partial[ti][r])
            one[r] = 1;
      }
      for (const LoopBoundComparison &c : s.loopBounds) {
        if (!constrainsToOne(c))
          continue;
        for (const std::string &rv : c.rankVariables)
          for (size_t r = 0; r < one.size(); ++r)
            if (view.rankVariables[r] == rv)
              one[r] = 1;
      }
    }
    return one;
  }

  void insertSpatialLoops(Template &tpl) const {
    const model::FlattenedArch &arch = *view.arch;
    for (uint32_t f = 0; f < arch.nodes.size(); ++f)
      for (uint32_t d = 0; d < arch.nodes[f].spatial.size(); ++d) {
        if (arch.nodes[f].spatial[d].fanout <= 1)
          continue;
        // Below the lowest storage node of a component above the fanout,
        // after the loops that immediately follow it.
        size_t pos = 0;
        for (size_t i = 0; i < tpl.nodes.size(); ++i)
          if (tpl.nodes[i].kind == TemplateNodeKind::Storage &&
              tpl.nodes[i].archNode < f)
            pos = i + 1;
        while (pos < tpl.nodes.size() &&
               tpl.nodes[pos].kind != TemplateNodeKind::Storage)
          ++pos;
        std::vector<uint8_t> one = forcedToOne(f, d);
        std::vector<TemplateNode> loops;
        for (uint32_t r = 0; r < view.rankVariables.size(); ++r) {
          if (one[r])
            continue;
          TemplateNode l;
          l.kind = TemplateNodeKind::Spatial;
          l.archNode = f;
          l.dimension = d;
          l.rankVariable = r;
          loops.push_back(l);
        }
        tpl.nodes.insert(tpl.nodes.begin() + long(pos), loops.begin(),
                         loops.end());
      }
  }

  /// A spatial loop above a fusable tensor backed below the outermost
  /// memory would be fused, which the join does not search (mapper.md §5):
  /// it is removed, as if constrained to one iteration.
  void dropFusedSpatialLoops(Template &tpl) const {
    uint32_t outermost = holders.empty() ? 0 : holders.front();
    size_t deepest = 0;
    for (size_t i = 0; i < tpl.nodes.size(); ++i) {
      const TemplateNode &n = tpl.nodes[i];
      if (n.kind == TemplateNodeKind::Storage && n.backing &&
          fusable[n.tensor] && n.archNode != outermost)
        deepest = i;
    }
    for (size_t i = deepest; i-- > 0;)
      if (tpl.nodes[i].kind == TemplateNodeKind::Spatial)
        tpl.nodes.erase(tpl.nodes.begin() + long(i));
  }

  /// Every rank variable needs a temporal loop; a missing one goes directly
  /// below the last backing node.
  void addMissingLoops(Template &tpl) const {
    for (uint32_t r = 0; r < view.rankVariables.size(); ++r) {
      bool has = false;
      for (const TemplateNode &n : tpl.nodes)
        has |= n.kind == TemplateNodeKind::Temporal && n.rankVariable == r;
      if (has)
        continue;
      size_t pos = 0;
      for (size_t i = 0; i < tpl.nodes.size(); ++i)
        if (tpl.nodes[i].kind == TemplateNodeKind::Storage &&
            tpl.nodes[i].backing)
          pos = i + 1;
      TemplateNode l;
      l.kind = TemplateNodeKind::Temporal;
      l.rankVariable = r;
      tpl.nodes.insert(tpl.nodes.begin() + long(pos), l);
    }
  }

  /// Runs of consecutive storage nodes compare as sets.
  std::string dedupKey(const Template &tpl) const {
    std::string key;
    std::vector<std::string> run;
    auto flush = [&]() {
      std::sort(run.begin(), run.end());
      key += "{";
      for (const std::string &s : run)
        key += s + ",";
      key += "}";
      run.clear();
    };
    for (const TemplateNode &n : tpl.nodes) {
      if (n.kind == TemplateNodeKind::Storage) {
        run.push_back(std::to_string(n.archNode) + ":" +
                      std::to_string(n.tensor));
        continue;
      }
      if (!run.empty())
        flush();
      // Built by appends: GCC 12 warns spuriously on "s" + std::string.
      if (n.kind == TemplateNodeKind::Spatial) {
        key += 's';
        key += std::to_string(n.archNode);
        key += '.';
        key += std::to_string(n.dimension);
      } else {
        key += 't';
      }
      key += std::to_string(n.rankVariable);
      key += ' ';
    }
    if (!run.empty())
      flush();
    return key;
  }
};

} // namespace

std::vector<Template> enumerateTemplates(const MapperProblem &problem,
                                         const EinsumView &view,
                                         const EinsumRules *rules) {
  Enumerator e(problem, view, rules);
  e.run();
  return std::move(e.result);
}

std::string describe(const EinsumView &view, const Template &tpl) {
  std::string s;
  for (const TemplateNode &n : tpl.nodes) {
    if (!s.empty())
      s += " ";
    switch (n.kind) {
    case TemplateNodeKind::Storage:
      s += view.arch->nodes[n.archNode].name + ":" + view.tensorNames[n.tensor];
      break;
    case TemplateNodeKind::Temporal:
      s += "for " + view.rankVariables[n.rankVariable];
      break;
    case TemplateNodeKind::Spatial:
      s += "sfor(" + view.arch->nodes[n.archNode].spatial[n.dimension].name +
           ") " + view.rankVariables[n.rankVariable];
      break;
    }
  }
  return s;
}

namespace {

/// Ordered factorisations of n into `slots` factors (the last is forced).
double orderedFactorisations(int64_t n, int slots) {
  if (slots <= 1)
    return 1;
  double total = 1;
  int64_t m = n;
  for (int64_t p = 2; p * p <= m; ++p) {
    int e = 0;
    while (m % p == 0) {
      m /= p;
      ++e;
    }
    if (e) {
      // C(e + slots - 1, slots - 1)
      double c = 1;
      for (int i = 1; i <= slots - 1; ++i)
        c = c * (e + i) / i;
      total *= c;
    }
  }
  if (m > 1)
    total *= slots;
  return total;
}

} // namespace

double countTileShapes(const EinsumView &view, const Template &tpl) {
  return countCompletions(view, tpl, {});
}

double countCompletions(const EinsumView &view, const Template &tpl,
                        std::span<const int64_t> prefix) {
  std::vector<uint32_t> rankOf; // rank variable of each loop, outer to inner
  for (const TemplateNode &n : tpl.nodes)
    if (n.kind != TemplateNodeKind::Storage)
      rankOf.push_back(n.rankVariable);
  const size_t firstFixed = rankOf.size() - std::min(prefix.size(), rankOf.size());
  double total = 1;
  for (uint32_t r = 0; r < view.rankVariables.size(); ++r) {
    int freeLoops = 0;
    int64_t fixedTile = 0; // tile of r's outermost fixed loop
    for (size_t i = 0; i < rankOf.size(); ++i) {
      if (rankOf[i] != r)
        continue;
      if (i < firstFixed)
        ++freeLoops;
      else if (!fixedTile)
        fixedTile = prefix[i - firstFixed];
    }
    // Without a fixed loop the innermost has tile 1 and the loops split the
    // bound into as many factors; above a fixed tile the free loops and the
    // fixed one split what the tile leaves of the bound. An imperfect fixed
    // tile leaves an estimate of 1.
    if (!fixedTile)
      total *= orderedFactorisations(view.bounds[r], freeLoops);
    else if (view.bounds[r] % fixedTile == 0)
      total *= orderedFactorisations(view.bounds[r] / fixedTile, freeLoops + 1);
  }
  return total;
}

} // namespace afc::mapper
