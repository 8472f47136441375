//===- Join.cpp - joining per-Einsum pmappings into fused mappings ---------===//
//
// See Join.h. A Partial is a mapping of the first Einsums. Its Einsums
// still inside loops they may share with later ones (only those can see
// later reservations, or be seen by them) are kept as classes: Einsums
// under the same number of shared loops that hold the same live tensors
// receive exactly the same later reservations, so a class needs only its
// smallest slack per memory and the sum of what its Einsums reserve above
// those loops. That keeps the fronts small without losing exactness.
//
//===----------------------------------------------------------------------===//

#include "afc/mapper/Join.h"

#include "afc/mapper/Fusion.h"
#include "afc/mapper/TemplateCost.h"
#include "afc/support/InternalError.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <map>
#include <set>
#include <tuple>

namespace afc::mapper {

namespace {

/// A fused loop as the join compares it: rank-variable name and tile shape.
using LoopKey = std::pair<uint32_t, int64_t>;

/// What the join needs of one row of one Einsum.
struct RowFacts {
  PmappingFusion fusion;
  std::vector<uint32_t> memory;       ///< per tracked memory: global id
  std::vector<uint32_t> sharedMemory; ///< per fusion.shared: global id
  std::vector<LoopKey> loops;
  /// Workload tensors the row keeps on chip (FusionLayout::keptOnChip).
  std::vector<uint32_t> onChip;
  /// Per global memory: its size in this row's view (components may be
  /// sized per Einsum); infinite where the view has no such memory.
  std::vector<double> capacity;
};

/// A reservation of a shared tensor under `depth` fused loops: a live
/// tensor's backing one, or one an Einsum still inside shared loops made.
struct Reservation {
  uint32_t tensor = 0, memory = 0;
  int depth = 0;
  double bits = 0;
};

/// Einsums of a partial mapping that later Einsums can still affect.
struct MemberClass {
  /// Fused loops they still share with whatever comes next.
  int depth = 0;
  /// (tensor, memory) pairs each of them already counts (sorted): a tensor
  /// counts once per memory.
  std::vector<std::pair<uint32_t, uint32_t>> counted;
  /// Per global memory: the largest peak minus capacity (<= 0).
  std::vector<double> excess;
  /// privateLive[memory][j]: bits of their private reservations under
  /// fewer than j shared loops, j = 0..depth.
  std::vector<std::vector<double>> privateLive;
  /// Shared-tensor reservations under fewer than `depth` loops.
  std::vector<Reservation> records;
};

struct Partial {
  double energy = 0, latency = 0;
  std::vector<uint32_t> pick;
  std::vector<int> shared;
  std::vector<LoopKey> stack; ///< fused loops of the last Einsum
  std::vector<Reservation> live;
  std::vector<MemberClass> classes;
  /// Einsums so far that keep a shared tensor on chip (the tie-break).
  uint32_t tieRank = 0;
  std::vector<int64_t> group;
  std::vector<double> resources;
};

class Joiner {
public:
  Joiner(const MapperProblem &mp, const JoinInput &in) : mp(mp), in(in) {
    const model::Workload &w = mp.problem.workload;
    const std::vector<std::vector<PmappingRow>> &fronts = *in.fronts;
    AFC_INTERNAL_ASSERT(fronts.size() == w.einsums.size())
        << fronts.size() << " fronts for " << w.einsums.size() << " Einsums";
    lastUser.assign(w.tensors.size(), 0);
    accesses.assign(w.einsums.size(),
                    std::vector<uint8_t>(w.tensors.size(), 0));
    for (uint32_t e = 0; e < w.einsums.size(); ++e)
      for (const model::TensorAccess &a : w.einsums[e].accesses) {
        accesses[e][a.tensor] = 1;
        lastUser[a.tensor] = e;
      }
    facts.resize(fronts.size());
    for (size_t e = 0; e < fronts.size(); ++e)
      for (const PmappingRow &row : fronts[e])
        facts[e].push_back(factsOf(row));
    for (size_t e = 0; e < fronts.size(); ++e)
      for (size_t r = 0; r < fronts[e].size(); ++r) {
        const model::FlattenedArch &arch =
            *in.view((*in.fronts)[e][r].view).arch;
        RowFacts &f = facts[e][r];
        f.capacity.assign(memoryNames.size(),
                          std::numeric_limits<double>::infinity());
        for (const model::ArchNode &n : arch.nodes)
          for (size_t m = 0; m < memoryNames.size(); ++m)
            if (n.kind == model::NodeKind::Memory && n.name == memoryNames[m])
              f.capacity[m] = n.size;
      }
    indexRows();
    boundTheRest();
  }

  std::vector<JoinedMapping> run() {
    // A narrow join first: its complete mappings are real, so any partial
    // mapping that cannot beat one of them is dropped from the exact join.
    std::vector<std::pair<double, double>> found;
    if (in.boundWidth > 0) {
      std::optional<std::vector<Partial>> narrow = join(in.boundWidth, {});
      if (!narrow)
        return {};
      for (const Partial &p : *narrow)
        found.push_back({p.energy, p.latency});
    }
    std::optional<std::vector<Partial>> all = join(0, found);
    if (!all)
      return {};
    std::vector<Partial> &left = *all;
    // Among mappings of equal totals the one with the fewest Einsums
    // keeping a shared tensor on chip is kept: fusion that saves nothing is
    // not worth the constraints it brings.
    std::vector<JoinedMapping> complete;
    for (Partial &p : left) {
      JoinedMapping j;
      j.energy = p.energy;
      j.latency = p.latency;
      j.pick = std::move(p.pick);
      j.sharedLoops = std::move(p.shared);
      j.sharedLoops.erase(j.sharedLoops.begin()); // nothing before the first
      j.tieRank = p.tieRank;
      describeOnChip(j);
      complete.push_back(std::move(j));
    }
    std::stable_sort(complete.begin(), complete.end(),
                     [](const JoinedMapping &x, const JoinedMapping &y) {
                       return std::tie(x.energy, x.latency, x.tieRank) <
                              std::tie(y.energy, y.latency, y.tieRank);
                     });
    ParetoFrontOf<JoinedMapping> done(Metric::EnergyDelayProduct);
    for (JoinedMapping &j : complete)
      done.insert(std::move(j));
    return done.takeByEnergy();
  }

  /// Joins the Einsums left to right. `width` > 0 keeps only the `width`
  /// partial mappings with the best lower bound on the metric after each
  /// Einsum (a heuristic; its results are still valid mappings). A partial
  /// mapping whose every completion is worse in both energy and latency
  /// than one of the complete mappings `known` is dropped: it can neither
  /// be the best nor on the front. nullopt when stopped by the deadline.
  std::optional<std::vector<Partial>>
  join(size_t width, const std::vector<std::pair<double, double>> &known) {
    const std::vector<std::vector<PmappingRow>> &fronts = *in.fronts;
    std::vector<Partial> left(1);
    for (uint32_t y = 0; y < fronts.size(); ++y) {
      ParetoFrontOf<Partial> next(mp.settings.metric);
      // Partial mappings that expose the same compatibility to Einsum y
      // can take the same rows of it: each such set of rows is found once.
      std::map<std::vector<int64_t>, std::vector<uint32_t>> rowsFor;
      for (const Partial &a : left) {
        if ((in.cancel && in.cancel->load(std::memory_order_relaxed)) ||
            (in.deadline && std::chrono::steady_clock::now() > *in.deadline)) {
          if (in.stopped)
            *in.stopped = true;
          return std::nullopt;
        }
        auto [it, isNew] = rowsFor.try_emplace(compatibilityFor(a, y));
        if (isNew)
          for (uint32_t r = 0; r < fronts[y].size(); ++r)
            if (compatible(a, y, facts[y][r]))
              it->second.push_back(r);
        for (uint32_t r : it->second) {
          const PmappingRow &row = fronts[y][r];
          if (strictlyBeaten(known, a.energy + row.energy + restEnergy[y + 1],
                             a.latency + row.latency + restLatency[y + 1]))
            continue;
          Partial p;
          if (extend(a, y, r, p))
            next.insert(std::move(p));
        }
      }
      left = next.take();
      if (width > 0 && left.size() > width) {
        std::vector<double> score;
        for (const Partial &p : left)
          score.push_back(metricValue(mp.settings.metric,
                                      p.energy + restEnergy[y + 1],
                                      p.latency + restLatency[y + 1]));
        std::vector<size_t> order(left.size());
        for (size_t i = 0; i < order.size(); ++i)
          order[i] = i;
        std::stable_sort(order.begin(), order.end(), [&](size_t i, size_t j) {
          return score[i] < score[j];
        });
        order.resize(width);
        std::sort(order.begin(), order.end());
        std::vector<Partial> kept;
        for (size_t i : order)
          kept.push_back(std::move(left[i]));
        left = std::move(kept);
      }
      if (left.empty())
        return left;
    }
    return left;
  }

  /// restEnergy[y], restLatency[y]: the least energy and latency Einsums
  /// y.. can add, whatever rows they take.
  void boundTheRest() {
    const std::vector<std::vector<PmappingRow>> &fronts = *in.fronts;
    restEnergy.assign(fronts.size() + 1, 0.0);
    restLatency.assign(fronts.size() + 1, 0.0);
    for (size_t y = fronts.size(); y-- > 0;) {
      double e = std::numeric_limits<double>::infinity(), l = e;
      for (const PmappingRow &row : fronts[y]) {
        e = std::min(e, row.energy);
        l = std::min(l, row.latency);
      }
      restEnergy[y] = restEnergy[y + 1] + e;
      restLatency[y] = restLatency[y + 1] + l;
    }
  }

private:
  uint32_t memoryId(const std::string &name, double size) {
    for (uint32_t i = 0; i < memoryNames.size(); ++i)
      if (memoryNames[i] == name) {
        tracked[i] |= std::isfinite(size);
        return i;
      }
    memoryNames.push_back(name);
    tracked.push_back(std::isfinite(size));
    return uint32_t(memoryNames.size() - 1);
  }

  uint32_t rankId(const std::string &name) {
    for (uint32_t i = 0; i < rankNames.size(); ++i)
      if (rankNames[i] == name)
        return i;
    rankNames.push_back(name);
    return uint32_t(rankNames.size() - 1);
  }

  RowFacts factsOf(const PmappingRow &row) {
    const EinsumView &view = in.view(row.view);
    const Template &tpl = in.templ(row.view, row.templ);
    FusionLayout layout(mp, view);
    RowFacts f;
    bool within = layout.describe(tpl, row.tileShapes, f.fusion);
    AFC_INTERNAL_ASSERT(within)
        << "a row the search kept breaks the fused-loop limits";
    const model::FlattenedArch &arch = *view.arch;
    for (uint32_t n : layout.memories())
      f.memory.push_back(memoryId(arch.nodes[n].name, arch.nodes[n].size));
    for (const SharedTensorNode &s : f.fusion.shared)
      f.sharedMemory.push_back(
          memoryId(arch.nodes[s.archNode].name, arch.nodes[s.archNode].size));
    for (const FusedLoop &l : f.fusion.loops)
      f.loops.push_back({rankId(view.rankVariables[l.rankVariable]),
                         l.tileShape});
    for (const SharedTensorNode &s : f.fusion.shared)
      if (layout.keptOnChip(s))
        f.onChip.push_back(s.tensor);
    return f;
  }

  /// Whether some Einsum can run out of room in the memory.
  bool finite(uint32_t memory) const { return tracked[memory] != 0; }

  using Counted = std::vector<std::pair<uint32_t, uint32_t>>;

  /// Adds a shared tensor's bits to `peak` unless already counted there.
  void count(Counted &counted, std::vector<double> &peak, uint32_t tensor,
             uint32_t memory, double bits) const {
    if (!finite(memory))
      return;
    std::pair<uint32_t, uint32_t> key{tensor, memory};
    if (std::find(counted.begin(), counted.end(), key) != counted.end())
      return;
    counted.push_back(key);
    peak[memory] += bits;
  }

  /// What row `b` reserves above its first `depth` fused loops: live while
  /// Einsums sharing `depth` loops with it run.
  void addRowLive(Counted &counted, std::vector<double> &peak,
                  const RowFacts &b, int depth) const {
    for (size_t k = 0; k < b.memory.size(); ++k)
      peak[b.memory[k]] += b.fusion.privateLive[k][size_t(depth)];
    for (size_t i = 0; i < b.fusion.shared.size(); ++i) {
      const SharedTensorNode &s = b.fusion.shared[i];
      if (s.depth < depth)
        count(counted, peak, s.tensor, b.sharedMemory[i], s.bits);
    }
  }

  /// The same for a class sharing `depth` loops with the next Einsum.
  void addClassLive(Counted &counted, std::vector<double> &peak,
                    const MemberClass &x, int depth) const {
    for (size_t m = 0; m < x.privateLive.size(); ++m)
      peak[m] += x.privateLive[m][size_t(depth)];
    for (const Reservation &r : x.records)
      if (r.depth < depth)
        count(counted, peak, r.tensor, r.memory, r.bits);
  }

  static bool overfull(const std::vector<double> &excess) {
    for (double e : excess)
      if (e > 0)
        return true;
    return false;
  }

  /// The outermost node of `tensor` in a row (the one that backs it in the
  /// Einsum's own chain), or -1.
  static int outermostNode(const RowFacts &b, uint32_t tensor) {
    for (size_t i = 0; i < b.fusion.shared.size(); ++i)
      if (b.fusion.shared[i].tensor == tensor)
        return int(i);
    return -1;
  }

  /// The loops Einsum y must share with a partial mapping: those above
  /// its deepest live tensor.
  static int openLoops(const Partial &a) {
    int c = 0;
    for (const Reservation &l : a.live)
      c = std::max(c, l.depth);
    return c;
  }

  /// Everything compatible() reads of a partial mapping: the loops y must
  /// share and where the live tensors y uses are kept.
  std::vector<int64_t> compatibilityFor(const Partial &a, uint32_t y) const {
    int c = openLoops(a);
    std::vector<int64_t> key = {c};
    for (int i = 0; i < c; ++i) {
      key.push_back(a.stack[size_t(i)].first);
      key.push_back(a.stack[size_t(i)].second);
    }
    for (const Reservation &l : a.live)
      if (accesses[y][l.tensor]) {
        key.push_back(l.tensor);
        key.push_back(l.memory);
        key.push_back(l.depth);
      }
    return key;
  }

  /// Whether row b of Einsum y can follow partial mapping a: each live
  /// tensor y uses is where y expects it, and y runs inside the loops above
  /// every live tensor.
  bool compatible(const Partial &a, uint32_t y, const RowFacts &b) const {
    for (const Reservation &l : a.live) {
      if (!accesses[y][l.tensor])
        continue;
      int n = outermostNode(b, l.tensor);
      if (n < 0 || !b.fusion.shared[size_t(n)].backing ||
          b.sharedMemory[size_t(n)] != l.memory ||
          b.fusion.shared[size_t(n)].depth != l.depth)
        return false;
    }
    int c = openLoops(a);
    if (int(b.loops.size()) < c)
      return false;
    for (int i = 0; i < c; ++i)
      if (a.stack[size_t(i)] != b.loops[size_t(i)])
        return false;
    return true;
  }

  /// Partial mapping a followed by row r of Einsum y, which must be
  /// compatible with it; false when that overfills a memory or can never
  /// be completed.
  bool extend(const Partial &a, uint32_t y, uint32_t r, Partial &out) const {
    const RowFacts &b = facts[y][r];
    const PmappingRow &row = (*in.fronts)[y][r];
    const int c = openLoops(a);

    const size_t nMem = memoryNames.size();
    // y's own peak: its reservations, what earlier Einsums sharing loops
    // with it reserve above them, and live tensors kept on chip.
    std::vector<double> peak(nMem, 0.0);
    Counted counted;
    for (size_t k = 0; k < b.memory.size(); ++k)
      peak[b.memory[k]] += b.fusion.own[k];
    for (size_t i = 0; i < b.fusion.shared.size(); ++i)
      counted.push_back({b.fusion.shared[i].tensor, b.sharedMemory[i]});

    std::vector<MemberClass> classes;
    for (const MemberClass &x : a.classes) {
      int m = std::min(x.depth, c);
      addClassLive(counted, peak, x, m);
      MemberClass nx = x;
      std::vector<double> add(nMem, 0.0);
      addRowLive(nx.counted, add, b, m);
      for (size_t i = 0; i < nMem; ++i)
        nx.excess[i] += add[i];
      if (overfull(nx.excess))
        return false;
      if (m == 0)
        continue; // nothing later can reach them
      nx.depth = m;
      for (std::vector<double> &live : nx.privateLive)
        live.resize(size_t(m) + 1);
      std::erase_if(nx.records, [m](const Reservation &r) { return r.depth >= m; });
      classes.push_back(std::move(nx));
    }
    for (const Reservation &l : a.live)
      count(counted, peak, l.tensor, l.memory, l.bits);
    MemberClass me;
    me.depth = int(b.loops.size());
    me.excess.assign(nMem, 0.0);
    for (size_t i = 0; i < nMem; ++i)
      me.excess[i] = peak[i] - b.capacity[i];
    if (overfull(me.excess))
      return false;
    if (me.depth > 0) {
      me.counted = std::move(counted);
      me.privateLive.assign(nMem, std::vector<double>(size_t(me.depth) + 1, 0));
      for (size_t k = 0; k < b.memory.size(); ++k)
        for (int j = 0; j <= me.depth; ++j)
          me.privateLive[b.memory[k]][size_t(j)] +=
              b.fusion.privateLive[k][size_t(j)];
      for (size_t i = 0; i < b.fusion.shared.size(); ++i) {
        const SharedTensorNode &s = b.fusion.shared[i];
        if (s.depth < me.depth && finite(b.sharedMemory[i]))
          me.records.push_back({s.tensor, b.sharedMemory[i], s.depth, s.bits});
      }
      classes.push_back(std::move(me));
    }

    out.energy = a.energy + row.energy;
    out.latency = a.latency + row.latency;
    out.tieRank = a.tieRank + !b.onChip.empty();
    out.pick = a.pick;
    out.pick.push_back(r);
    out.shared = a.shared;
    out.shared.push_back(c);
    out.stack = b.loops;
    out.live.clear();
    for (const Reservation &l : a.live)
      if (lastUser[l.tensor] > y)
        out.live.push_back(l);
    for (size_t i = 0; i < b.fusion.shared.size(); ++i) {
      const SharedTensorNode &s = b.fusion.shared[i];
      if (!s.backing || lastUser[s.tensor] <= y)
        continue;
      bool known = false;
      for (const Reservation &l : out.live)
        known |= l.tensor == s.tensor;
      if (!known)
        out.live.push_back({s.tensor, b.sharedMemory[i], s.depth, s.bits});
    }
    // The next Einsum shares at most `open` loops (the deepest live
    // tensor's), so no class sees more of later Einsums than that.
    int open = 0;
    for (const Reservation &l : out.live)
      open = std::max(open, l.depth);
    std::erase_if(classes, [](const MemberClass &x) { return x.depth == 0; });
    for (MemberClass &x : classes) {
      x.depth = std::min(x.depth, open);
      for (std::vector<double> &live : x.privateLive)
        live.resize(size_t(x.depth) + 1);
      std::erase_if(x.records,
                    [&](const Reservation &r) { return r.depth >= x.depth; });
    }
    std::erase_if(classes, [](const MemberClass &x) { return x.depth == 0; });
    out.classes = mergeClasses(std::move(classes), y);
    if (!canComplete(out, y))
      return false;
    paretoColumns(out);
    return true;
  }

  /// Classes that later Einsums treat alike become one: same depth, same
  /// counted tensors among those still used later, same records.
  std::vector<MemberClass> mergeClasses(std::vector<MemberClass> classes,
                                        uint32_t y) const {
    for (MemberClass &x : classes) {
      std::erase_if(x.counted, [&](const std::pair<uint32_t, uint32_t> &t) {
        return lastUser[t.first] <= y;
      });
      std::sort(x.counted.begin(), x.counted.end());
      std::sort(x.records.begin(), x.records.end(),
                [](const Reservation &p, const Reservation &q) {
                  return std::tie(p.tensor, p.memory, p.depth) <
                         std::tie(q.tensor, q.memory, q.depth);
                });
    }
    auto alike = [](const MemberClass &p, const MemberClass &q) {
      if (p.depth != q.depth || p.counted != q.counted ||
          p.records.size() != q.records.size())
        return false;
      for (size_t i = 0; i < p.records.size(); ++i)
        if (p.records[i].tensor != q.records[i].tensor ||
            p.records[i].memory != q.records[i].memory ||
            p.records[i].depth != q.records[i].depth)
          return false;
      return true;
    };
    std::vector<MemberClass> out;
    for (MemberClass &x : classes) {
      auto it = std::find_if(out.begin(), out.end(),
                             [&](const MemberClass &o) { return alike(o, x); });
      if (it == out.end()) {
        out.push_back(std::move(x));
        continue;
      }
      for (size_t m = 0; m < x.excess.size(); ++m)
        it->excess[m] = std::max(it->excess[m], x.excess[m]);
      for (size_t m = 0; m < x.privateLive.size(); ++m)
        for (size_t j = 0; j < x.privateLive[m].size(); ++j)
          it->privateLive[m][j] += x.privateLive[m][j];
      for (size_t i = 0; i < x.records.size(); ++i)
        it->records[i].bits = std::max(it->records[i].bits, x.records[i].bits);
    }
    std::sort(out.begin(), out.end(),
              [](const MemberClass &p, const MemberClass &q) {
                return std::tie(p.depth, p.counted) <
                       std::tie(q.depth, q.counted);
              });
    return out;
  }

  /// What later Einsums can still see of a partial mapping is its group:
  /// the fused loops the next Einsum must share, where each live tensor is,
  /// the Einsums still inside shared loops and which live tensors they hold.
  /// How much each reserves only adds to later peaks, so those bits are
  /// minimised with the objectives instead (fewer groups, same optimum).
  void paretoColumns(Partial &p) const {
    std::vector<int64_t> &g = p.group;
    std::vector<double> &res = p.resources;
    g.clear();
    res.clear();
    int open = 0;
    for (const Reservation &l : p.live)
      open = std::max(open, l.depth);
    g.push_back(open);
    for (int i = 0; i < open; ++i) {
      g.push_back(p.stack[size_t(i)].first);
      g.push_back(p.stack[size_t(i)].second);
    }
    g.push_back(int64_t(p.live.size()));
    // A live tensor's tile, like that of every reservation above the open
    // loops, is set by the loops above it, which the group holds: its bits
    // cannot differ within a group.
    for (const Reservation &l : p.live) {
      g.push_back(l.tensor);
      g.push_back(l.memory);
      g.push_back(l.depth);
    }
    for (const MemberClass &x : p.classes) {
      g.push_back(-1);
      g.push_back(x.depth);
      for (const auto &[t, m] : x.counted) {
        g.push_back(t);
        g.push_back(m);
      }
      for (const Reservation &r : x.records) {
        g.push_back(r.tensor);
        g.push_back(r.memory);
        g.push_back(r.depth);
      }
      for (size_t m = 0; m < x.excess.size(); ++m)
        if (addable[m]) {
          res.push_back(x.excess[m]);
          for (int j = 1; j <= x.depth; ++j)
            res.push_back(x.privateLive[m][size_t(j)]);
        }
    }
  }

  /// Lookahead (mapper.md §7.3): a partial mapping whose live tensors no
  /// row of their next user can take, or whose open loops no row of the
  /// next Einsum shares, can never be completed.
  bool canComplete(const Partial &p, uint32_t y) const {
    if (y + 1 >= facts.size())
      return true;
    int open = 0;
    for (const Reservation &l : p.live) {
      open = std::max(open, l.depth);
      uint32_t next = y + 1;
      while (next < accesses.size() && !accesses[next][l.tensor])
        ++next;
      if (next >= accesses.size())
        continue;
      std::vector<int64_t> key = {l.tensor, l.memory, l.depth};
      for (int i = 0; i < l.depth; ++i) {
        key.push_back(p.stack[size_t(i)].first);
        key.push_back(p.stack[size_t(i)].second);
      }
      if (!placements[next].count(key))
        return false;
    }
    std::vector<int64_t> prefix;
    for (int i = 0; i < open; ++i) {
      prefix.push_back(p.stack[size_t(i)].first);
      prefix.push_back(p.stack[size_t(i)].second);
    }
    return loopPrefixes[y + 1].count(prefix) != 0;
  }

  /// Per Einsum: every (tensor, memory, depth, loops above) its rows back a
  /// shared tensor at, and every prefix of their fused loops.
  void indexRows() {
    placements.assign(facts.size(), {});
    loopPrefixes.assign(facts.size(), {});
    addable.assign(memoryNames.size(), 0);
    for (const std::vector<RowFacts> &rows : facts)
      for (const RowFacts &f : rows) {
        size_t open = f.loops.size();
        for (size_t k = 0; k < f.memory.size(); ++k)
          addable[f.memory[k]] |= f.fusion.privateLive[k][open] > 0;
        for (size_t i = 0; i < f.fusion.shared.size(); ++i)
          addable[f.sharedMemory[i]] |=
              finite(f.sharedMemory[i]) &&
              (f.fusion.shared[i].depth < int(open) ||
               f.fusion.shared[i].backing);
      }
    for (size_t e = 0; e < facts.size(); ++e)
      for (const RowFacts &f : facts[e]) {
        std::vector<int64_t> prefix;
        loopPrefixes[e].insert(prefix);
        for (const LoopKey &l : f.loops) {
          prefix.push_back(l.first);
          prefix.push_back(l.second);
          loopPrefixes[e].insert(prefix);
        }
        for (size_t i = 0; i < f.fusion.shared.size(); ++i) {
          const SharedTensorNode &s = f.fusion.shared[i];
          if (!s.backing)
            continue;
          std::vector<int64_t> key = {s.tensor, f.sharedMemory[i], s.depth};
          for (int d = 0; d < s.depth; ++d) {
            key.push_back(f.loops[size_t(d)].first);
            key.push_back(f.loops[size_t(d)].second);
          }
          placements[e].insert(std::move(key));
        }
      }
  }

  void describeOnChip(JoinedMapping &j) const {
    std::set<uint32_t> tensors;
    for (uint32_t e = 0; e < j.pick.size(); ++e) {
      const std::vector<uint32_t> &onChip = facts[e][j.pick[e]].onChip;
      tensors.insert(onChip.begin(), onChip.end());
      j.fusedEinsums += !onChip.empty();
    }
    j.onChipTensors.assign(tensors.begin(), tensors.end());
  }

  const MapperProblem &mp;
  const JoinInput &in;
  std::vector<std::string> memoryNames;
  std::vector<uint8_t> tracked;
  std::vector<std::string> rankNames;
  std::vector<std::vector<RowFacts>> facts;
  std::vector<uint32_t> lastUser;
  std::vector<std::vector<uint8_t>> accesses;
  std::vector<std::set<std::vector<int64_t>>> placements, loopPrefixes;
  std::vector<double> restEnergy, restLatency;
  /// Per global memory: whether a later Einsum can add to an earlier one's
  /// peak there (something is reserved in it above fused loops).
  std::vector<uint8_t> addable;
};

//===----------------------------------------------------------------------===//
// The joint mapping
//===----------------------------------------------------------------------===//

/// One Einsum's chain with its fused loops of one iteration removed (they
/// are no loops, and sharing them would tie Einsums for nothing); its first
/// `fused` loops are the shared candidates.
struct Chain {
  std::vector<model::MappingNode> nodes;
  std::vector<uint32_t> level; ///< per node: arch level (storage nodes)
  std::vector<uint8_t> placed; ///< per node: already emitted
  size_t cursor = 0;
  std::set<std::string> tensors; ///< the Einsum's tensors
};

class TreeBuilder {
public:
  TreeBuilder(std::vector<Chain> chains, std::vector<int> shared)
      : chains(std::move(chains)), shared(std::move(shared)) {}

  std::vector<model::MappingNode> build(size_t a, size_t b) {
    return subtree(a, b, 0);
  }

private:
  /// Chains [a, b) share their first `d` loops, already emitted; each
  /// cursor is just past its d-th loop.
  std::vector<model::MappingNode> subtree(size_t a, size_t b, int d) {
    std::vector<model::MappingNode> out;
    if (b - a == 1) {
      Chain &c = chains[a];
      for (size_t i = c.cursor; i < c.nodes.size(); ++i)
        if (!c.placed[i])
          out.push_back(c.nodes[i]);
      return out;
    }
    std::vector<std::pair<size_t, size_t>> runs;
    size_t start = a;
    for (size_t i = a; i + 1 < b; ++i)
      if (shared[i] < d + 1) {
        runs.push_back({start, i + 1});
        start = i + 1;
      }
    runs.push_back({start, b});
    if (runs.size() == 1) {
      // Everything above the next shared loop, then the loop itself.
      std::vector<Gap> gap;
      for (size_t i = a; i < b; ++i) {
        takeGap(i, [](const model::MappingNode &) { return true; }, gap);
        Chain &c = chains[i];
        while (c.cursor < c.nodes.size() && !c.nodes[c.cursor].isLoop())
          ++c.cursor;
        AFC_INTERNAL_ASSERT(c.cursor < c.nodes.size())
            << "Einsums joined under " << d + 1
            << " shared loops, but a chain has fewer";
      }
      emit(gap, out);
      out.push_back(chains[a].nodes[chains[a].cursor]);
      for (size_t i = a; i < b; ++i)
        ++chains[i].cursor;
      std::vector<model::MappingNode> rest = subtree(a, b, d + 1);
      out.insert(out.end(), rest.begin(), rest.end());
      return out;
    }
    // Storage nodes of tensors that Einsums of different runs use are
    // shared, above the runs; the rest stays in each run's branch.
    std::vector<size_t> runOf(b, 0);
    for (size_t k = 0; k < runs.size(); ++k)
      for (size_t i = runs[k].first; i < runs[k].second; ++i)
        runOf[i] = k;
    auto acrossRuns = [&](const model::MappingNode &n) {
      std::set<size_t> users;
      for (size_t i = a; i < b; ++i)
        for (const std::string &t : n.tensors)
          if (chains[i].tensors.count(t))
            users.insert(runOf[i]);
      return users.size() > 1;
    };
    std::vector<Gap> gap;
    for (size_t i = a; i < b; ++i)
      takeGap(i, acrossRuns, gap);
    emit(gap, out);
    std::vector<model::MappingNode> branches;
    for (const auto &[r0, r1] : runs)
      branches.push_back(model::MappingNode::nested(subtree(r0, r1, d)));
    out.push_back(model::MappingNode::sequential(std::move(branches)));
    return out;
  }

  struct Gap {
    uint32_t level;
    model::MappingNode node;
  };

  /// Moves chain i's storage nodes before its next loop that `take`
  /// accepts into `gap` (once per (component, tensor)).
  template <class Take>
  void takeGap(size_t i, Take &&take, std::vector<Gap> &gap) {
    Chain &c = chains[i];
    for (size_t k = c.cursor;
         k < c.nodes.size() &&
         c.nodes[k].kind == model::MappingNodeKind::Storage;
         ++k) {
      if (c.placed[k] || !take(c.nodes[k]))
        continue;
      c.placed[k] = 1;
      bool seen = false;
      for (const Gap &g : gap)
        seen |= g.node.component == c.nodes[k].component &&
                g.node.tensors == c.nodes[k].tensors;
      if (!seen)
        gap.push_back({c.level[k], c.nodes[k]});
    }
  }

  /// Gap nodes outermost memory first (stable), one storage node per run of
  /// the same component.
  static void emit(std::vector<Gap> &gap, std::vector<model::MappingNode> &out) {
    std::stable_sort(gap.begin(), gap.end(), [](const Gap &x, const Gap &y) {
      return x.level < y.level;
    });
    for (Gap &g : gap) {
      if (!out.empty() && out.back().kind == model::MappingNodeKind::Storage &&
          out.back().component == g.node.component &&
          out.back().persistent == g.node.persistent) {
        for (std::string &t : g.node.tensors)
          out.back().tensors.push_back(std::move(t));
        continue;
      }
      out.push_back(std::move(g.node));
    }
  }

  std::vector<Chain> chains;
  std::vector<int> shared;
};

} // namespace

std::vector<JoinedMapping> joinEinsums(const MapperProblem &problem,
                                       const JoinInput &input) {
  return Joiner(problem, input).run();
}

model::Mapping jointMapping(const MapperProblem &problem,
                            const JoinInput &input,
                            const JoinedMapping &joined) {
  std::vector<Chain> chains;
  const model::Workload &w = problem.problem.workload;
  for (uint32_t e = 0; e < joined.pick.size(); ++e) {
    const PmappingRow &row = (*input.fronts)[e][joined.pick[e]];
    const EinsumView &view = input.view(row.view);
    const Template &tpl = input.templ(row.view, row.templ);
    FusionLayout layout(problem, view);
    size_t fused = layout.fusedLoopCount(tpl);
    model::Mapping m = TemplateCost(problem, view, tpl).mapping(row.tileShapes);
    Chain c;
    std::vector<int64_t> tile = view.bounds;
    size_t loop = 0;
    for (size_t i = 0; i < m.nodes.size(); ++i) {
      const model::MappingNode &n = m.nodes[i];
      uint32_t level = 0;
      if (i < tpl.nodes.size()) {
        const TemplateNode &t = tpl.nodes[i];
        level = t.archNode;
        if (t.kind != TemplateNodeKind::Storage) {
          int64_t s = row.tileShapes[loop];
          bool once = s == tile[t.rankVariable];
          tile[t.rankVariable] = s;
          if (loop++ < fused && once)
            continue;
        }
      }
      c.nodes.push_back(n);
      c.level.push_back(level);
    }
    c.placed.assign(c.nodes.size(), 0);
    for (const model::TensorAccess &a : w.einsums[e].accesses)
      c.tensors.insert(w.tensors[a.tensor].name);
    chains.push_back(std::move(c));
  }
  model::Mapping out;
  if (chains.size() == 1) {
    out.nodes = std::move(chains[0].nodes);
    return out;
  }
  TreeBuilder builder(std::move(chains), joined.sharedLoops);
  out.nodes = builder.build(0, joined.pick.size());
  return out;
}

} // namespace afc::mapper
