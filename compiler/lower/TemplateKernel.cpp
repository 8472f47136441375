//===- TemplateKernel.cpp - a pmapping template's cost as a kernel --------===//
#include "afc/lower/TemplateKernel.h"

#include "afc/codegen/CostBounds.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstring>
#include <map>
#include <mutex>
#include <thread>
#include <tuple>

using namespace afc;
using namespace afc::lower;
using codegen::CostGraph;
using codegen::NodeId;
using codegen::Op;

namespace {

/// Builds a CostGraph, sharing equal nodes (the trace repeats subexpressions
/// such as tile extents; sharing keeps graphs and compile times small).
class CostGraphBuilder final : public model::ExprBuilder {
public:
  CostGraphBuilder(CostGraph &g, std::vector<model::PointValue> &point)
      : g(g), point(point) {}

  Id constant(double v) override {
    uint64_t bits;
    std::memcpy(&bits, &v, sizeof bits);
    auto [it, fresh] = constants.try_emplace(bits, 0);
    if (fresh)
      it->second = g.constant(v);
    return it->second;
  }
  Id tileShape(unsigned loop) override {
    return shared(Op::TileArg, loop, 0, 0, 0, [&] { return g.tile(loop); });
  }
  Id pointValue(const model::PointValue &v) override {
    auto [it, fresh] = pointIndex.try_emplace(v, unsigned(point.size()));
    if (fresh) {
      point.push_back(v);
      g.setNumPointArgs(unsigned(point.size()));
    }
    unsigned i = it->second;
    return shared(Op::PointArg, i, 0, 0, 0, [&] { return g.point(i); });
  }
  Id add(Id a, Id b) override {
    return shared(Op::Add, a, b, 0, 0, [&] { return g.add(a, b); });
  }
  Id sub(Id a, Id b) override {
    return shared(Op::Sub, a, b, 0, 0, [&] { return g.sub(a, b); });
  }
  Id mul(Id a, Id b) override {
    return shared(Op::Mul, a, b, 0, 0, [&] { return g.mul(a, b); });
  }
  Id div(Id a, Id b) override {
    return shared(Op::Div, a, b, 0, 0, [&] { return g.div(a, b); });
  }
  Id min(Id a, Id b) override {
    return shared(Op::Min, a, b, 0, 0, [&] { return g.min(a, b); });
  }
  Id max(Id a, Id b) override {
    return shared(Op::Max, a, b, 0, 0, [&] { return g.max(a, b); });
  }
  Id ceil(Id a) override {
    return shared(Op::Ceil, a, 0, 0, 0, [&] { return g.ceil(a); });
  }
  Id floor(Id a) override {
    return shared(Op::Floor, a, 0, 0, 0, [&] { return g.floor(a); });
  }
  Id selectLess(Id a, Id b, Id t, Id f) override {
    return shared(Op::SelectLess, a, b, t, f,
                  [&] { return g.selectLess(a, b, t, f); });
  }

private:
  using Key = std::tuple<Op, uint32_t, uint32_t, uint32_t, uint32_t>;
  template <class Make>
  Id shared(Op op, uint32_t a, uint32_t b, uint32_t c, uint32_t d, Make make) {
    auto [it, fresh] = nodes.try_emplace(Key{op, a, b, c, d}, 0);
    if (fresh)
      it->second = make();
    return it->second;
  }

  CostGraph &g;
  std::vector<model::PointValue> &point;
  std::map<uint64_t, Id> constants;
  std::map<model::PointValue, unsigned> pointIndex;
  std::map<Key, Id> nodes;
};

/// The compiled versions of a search's template graphs. A graph is
/// interpreted until it has costed kHotCandidates candidates (counted over
/// the searches of a sweep, by the compiler), then a background thread
/// compiles it, with any others that became hot meanwhile: compiling costs
/// as much as interpreting thousands of candidates, and most templates of
/// a well-bounded search cost far fewer. Destroying the tier stops the
/// thread after its current batch: a search that ends first does not wait
/// for kernels it no longer needs (those compiled stay cached for later
/// searches).
class CompiledTier {
public:
  static constexpr int64_t kHotCandidates = 1024;

  /// `keys`: the graphs' structural keys.
  CompiledTier(codegen::KernelCompiler *compiler,
               std::vector<std::shared_ptr<CostGraph>> graphs,
               std::vector<std::string> keys)
      : graphs(std::move(graphs)), compiled(this->graphs.size()),
        used(this->graphs.size()), keys(std::move(keys)), compiler(compiler) {
    earlier.assign(this->graphs.size(), 0);
    for (size_t i = 0; i < this->graphs.size(); ++i) {
      compiled[i].store(nullptr, std::memory_order_relaxed);
      used[i].store(0, std::memory_order_relaxed);
      if (!this->graphs[i])
        continue;
      earlier[i] = compiler->countUses(this->keys[i], 0);
      if (codegen::KernelFn fn = compiler->cached(this->keys[i]))
        compiled[i].store(fn, std::memory_order_relaxed);
      else if (earlier[i] >= kHotCandidates)
        hot.push_back(i);
    }
    worker = std::thread([this] { compileHot(); });
  }
  ~CompiledTier() {
    {
      std::lock_guard<std::mutex> lock(mutex);
      stop = true;
    }
    wake.notify_one();
    worker.join();
    for (size_t i = 0; i < graphs.size(); ++i)
      if (int64_t n = used[i].load(std::memory_order_relaxed))
        compiler->countUses(keys[i], n);
  }

  /// Counts n candidates graph i costed interpreted; queues it for
  /// compiling once it is hot.
  void countInterpreted(size_t i, int64_t n) {
    int64_t before = used[i].fetch_add(n, std::memory_order_relaxed) +
                     earlier[i];
    if (before < kHotCandidates && before + n >= kHotCandidates) {
      {
        std::lock_guard<std::mutex> lock(mutex);
        hot.push_back(i);
      }
      wake.notify_one();
    }
  }

  const std::vector<std::shared_ptr<CostGraph>> graphs;
  std::vector<std::atomic<codegen::KernelFn>> compiled;

private:
  /// Kernels per module at most: most of a compilation's cost is per
  /// kernel, so small batches lose little and let the thread stop early.
  static constexpr size_t kBatch = 8;

  void compileHot() {
    for (;;) {
      std::vector<size_t> batch;
      {
        std::unique_lock<std::mutex> lock(mutex);
        wake.wait(lock, [&] { return stop || !hot.empty(); });
        if (stop)
          return;
        size_t take = std::min(hot.size(), kBatch);
        batch.assign(hot.begin(), hot.begin() + take);
        hot.erase(hot.begin(), hot.begin() + take);
      }
      std::vector<const CostGraph *> graphsOf;
      for (size_t i : batch)
        graphsOf.push_back(graphs[i].get());
      std::string error;
      std::vector<codegen::KernelFn> fns =
          compiler->compile(graphsOf, "template_cost", error);
      if (fns.size() != batch.size())
        return; // keep interpreting
      for (size_t k = 0; k < batch.size(); ++k)
        compiled[batch[k]].store(fns[k], std::memory_order_release);
    }
  }

  /// Per graph: candidates it costed interpreted here, and in earlier
  /// searches (as the compiler counted them).
  std::vector<std::atomic<int64_t>> used;
  std::vector<int64_t> earlier;
  const std::vector<std::string> keys;
  codegen::KernelCompiler *compiler;
  std::mutex mutex;
  std::condition_variable wake;
  std::vector<size_t> hot;
  bool stop = false;
  std::thread worker;
};

/// The mapper's view of a template's cost bounds. The analysis runs once
/// per design point; every piece of the template's search shares it.
class CostBoundsCache {
public:
  explicit CostBoundsCache(std::shared_ptr<const CostGraph> graph)
      : graph(std::move(graph)) {}

  std::shared_ptr<const mapper::PartialCostBounds>
  at(std::span<const double> point, std::span<const int> outerLoop,
     std::span<const double> rankBound, std::span<const int> dimension) {
    std::lock_guard<std::mutex> lock(mutex);
    std::vector<double> key(point.begin(), point.end());
    std::vector<codegen::CostBounds::TileChain> chains;
    for (size_t j = 0; j < outerLoop.size() && j < rankBound.size(); ++j) {
      int d = j < dimension.size() ? dimension[j] : -1;
      chains.push_back({outerLoop[j], rankBound[j], d});
      key.push_back(outerLoop[j]);
      key.push_back(rankBound[j]);
      key.push_back(d);
    }
    auto it = cache.find(key);
    if (it != cache.end())
      return it->second;
    std::shared_ptr<const mapper::PartialCostBounds> made;
    if (auto bounds = codegen::CostBounds::analyse(graph, point, chains))
      made = std::make_shared<Bounds>(std::move(bounds));
    cache.emplace(std::move(key), made);
    return made;
  }

private:
  class Bounds final : public mapper::PartialCostBounds {
  public:
    explicit Bounds(std::unique_ptr<codegen::CostBounds> b)
        : b(std::move(b)) {}
    size_t stateSize() const override { return b->stateSize(); }
    void assign(unsigned loop, double tile, const double *parent,
                double *child) const override {
      b->assign(loop, tile, parent, child);
    }
    double energyBound(unsigned level, const double *state,
                       const FreeTiles &free,
                       uint64_t shared) const override {
      return b->lowerBound(codegen::CostBounds::Output::Energy, level, state,
                           free.low, free.high, shared, free.fanoutLeft);
    }
    double latencyBound(unsigned level, const double *state,
                        const FreeTiles &free,
                        uint64_t shared) const override {
      return b->lowerBound(codegen::CostBounds::Output::Latency, level, state,
                           free.low, free.high, shared, free.fanoutLeft);
    }
    double tightEnergyBound(unsigned level, const double *state,
                            const FreeTiles &free,
                            uint64_t shared) const override {
      return b->lowerBound(codegen::CostBounds::Output::TightEnergy, level,
                           state, free.low, free.high, shared,
                           free.fanoutLeft);
    }
    bool tighterEnergyBoundAt(unsigned level) const override {
      return b->tighterEnergyBoundAt(level);
    }
    uint64_t newPoint() const override {
      return codegen::CostBounds::newPoint();
    }

  private:
    std::unique_ptr<codegen::CostBounds> b;
  };

  std::shared_ptr<const CostGraph> graph;
  std::mutex mutex;
  std::map<std::vector<double>,
           std::shared_ptr<const mapper::PartialCostBounds>>
      cache;
};

} // namespace

model::Expected<TemplateGraph>
lower::traceTemplate(model::Evaluator &evaluator, const model::Mapping &mapping,
                     std::span<const model::MappingNode *const> loops) {
  TemplateGraph out;
  out.graph = CostGraph(0, unsigned(loops.size()));
  CostGraphBuilder builder(out.graph, out.point);
  model::Expected<model::TracedCost> cost =
      evaluator.trace(mapping, loops, builder);
  if (!cost)
    return cost.error();
  out.graph.output(cost->energy);
  out.graph.output(cost->latency);
  out.graph.output(cost->violations);
  return out;
}

mapper::TemplateKernelFactory
lower::templateKernelFactory(KernelOptions kernels) {
  using Kernels = std::vector<std::shared_ptr<const mapper::TemplateKernel>>;
  return [kernels](model::Evaluator &evaluator,
                   std::span<const mapper::TemplateStructure> templates) {
    std::vector<std::shared_ptr<CostGraph>> graphs(templates.size());
    std::vector<std::string> keys(templates.size());
    std::vector<std::shared_ptr<mapper::TemplateKernel>> made(templates.size());
    for (size_t i = 0; i < templates.size(); ++i) {
      model::Expected<TemplateGraph> traced =
          traceTemplate(evaluator, *templates[i].mapping, templates[i].loops);
      if (!traced && traced.error().kind != model::ErrorKind::NotTraceable) {
        // The trace checks the structure every tile shape shares: the model
        // would reject each of them for this reason.
        auto invalid = std::make_shared<mapper::TemplateKernel>();
        invalid->invalid = traced.error().message;
        made[i] = std::move(invalid);
        continue;
      }
      if (!traced)
        continue; // this template is costed by the model
      made[i] = std::make_shared<mapper::TemplateKernel>();
      made[i]->point = std::move(traced->point);
      graphs[i] = std::make_shared<CostGraph>(std::move(traced->graph));
      keys[i] = graphs[i]->structuralKey();
      made[i]->structure = keys[i];
      for (const model::PointValue &v : made[i]->point)
        made[i]->structure += " " + std::to_string(int(v.kind)) + ":" +
                              std::to_string(v.node) + ":" +
                              std::to_string(v.action);
    }
    // Kernels start interpreted; with a compiler, a background thread
    // compiles them (CompiledTier) and each switches to its compiled code
    // once ready. Both give the same bits, so results do not depend on when
    // the switch happens, and the search never waits for the compiler.
    bool any = std::any_of(graphs.begin(), graphs.end(),
                           [](const auto &g) { return g != nullptr; });
    auto tiers = kernels.compiler && any
                     ? std::make_shared<CompiledTier>(kernels.compiler, graphs,
                                                      std::move(keys))
                     : nullptr;
    for (size_t i = 0; i < templates.size(); ++i)
      if (graphs[i])
        made[i]->score = [graph = graphs[i], tiers,
                          i](const double *point, const double *tiles,
                             double *out, int64_t n) {
          if (tiers)
            if (codegen::KernelFn fn =
                    tiers->compiled[i].load(std::memory_order_acquire)) {
              fn(point, tiles, out, n);
              return;
            }
          graph->interpretBatch(point, tiles, out, n);
          if (tiers)
            tiers->countInterpreted(i, n);
        };
    for (size_t i = 0; i < templates.size(); ++i)
      if (graphs[i])
        made[i]->bounds =
            [cache = std::make_shared<CostBoundsCache>(graphs[i])](
                std::span<const double> point, std::span<const int> outer,
                std::span<const double> bound, std::span<const int> dim) {
              return cache->at(point, outer, bound, dim);
            };
    return Kernels(made.begin(), made.end());
  };
}
