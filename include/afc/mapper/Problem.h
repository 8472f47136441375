//===- Problem.h - what the mapper searches over ------------------*- C++ -*-===//
//
// The input of the optimal mapper: a model::Problem (the concrete workload and
// the flattened architecture per Einsum, with every per-action cost filled
// in), plus what only the mapper uses and the model never sees:
//
//  * per Einsum and per tensor holder, the placement rules (`keep`,
//    `may_keep`, `back`). Rules may name what the holders above keep
//    (`keep: ~MainMemory`, `Above`), so they are callbacks the compiler
//    provides, evaluated by the mapper for each partial placement;
//  * per Einsum and per spatial dimension, the `reuse` constraint (the model
//    only needs `may_reuse`, which lives in model::SpatialDimension),
//    `min_usage` and loop-bound comparisons (`~m == 1`);
//  * per Einsum and per memory, tile-shape comparisons and the allowed
//    orders of its storage nodes (`tensor_order_options`);
//  * the mapper settings (metric, fusion limits, tolerances, `unfused`) and
//    the number of threads.
//
// Names are plain strings (tensor, rank-variable and component names of the
// model::Problem); the mapper resolves them once.
//
//===----------------------------------------------------------------------===//
#ifndef AFC_MAPPER_PROBLEM_H
#define AFC_MAPPER_PROBLEM_H

#include "afc/model/Model.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string_view>
#include <string>
#include <utility>
#include <vector>

namespace afc::mapper {

/// A set of tensor names (sorted, so enumeration order is canonical).
using TensorSet = std::set<std::string>;

/// What a placement rule sees: the Einsum, its tensors by role, and what every
/// tensor holder above the one being decided keeps (outermost first). This is
/// enough to evaluate `All`, `Inputs`, `Outputs`, `Intermediates`, `Above`
/// and `~MainMemory`-style references to upper levels.
struct PlacementContext {
  std::string einsum;
  std::string holder; ///< the tensor holder being decided
  TensorSet all, inputs, outputs;
  /// Tensors of this Einsum that another Einsum produces or consumes.
  TensorSet intermediates;
  /// (holder name, tensors it keeps) for every holder above, outermost first.
  std::vector<std::pair<std::string, TensorSet>> above;

  /// Union of what the holders above keep (the `Above` symbol).
  TensorSet aboveUnion() const;
  /// What the named upper holder keeps (empty when not above).
  TensorSet keptBy(const std::string &holder) const;
};

/// The evaluated `tensors:` rules of one holder for one partial placement.
/// Unset `keep` means "may keep anything" (may_keep defaults to All); set
/// `keep` with unset `mayKeep` means "exactly keep" (may_keep = Nothing),
/// as in spec-language.md §2.7.
struct Placement {
  std::optional<TensorSet> keep;
  std::optional<TensorSet> mayKeep;
  /// `back`: tensors this holder must back (be the outermost holder of).
  TensorSet back;
};

using PlacementFn = std::function<Placement(const PlacementContext &)>;

/// Comparison operators of a loop-bound constraint.
enum class Comparison : uint8_t { Equal, LessEqual, Less, GreaterEqual, Greater };

/// A comparison over rank variables (spec-language.md §2.9). As a
/// `loop_bounds` entry of a spatial dimension: the loops of this dimension
/// over any of `rankVariables` must satisfy `bound OP value` (each loop, or
/// with `product` the product of their bounds). As a `tile_shape` entry of a
/// memory: the same of the tile shapes the memory holds (MemoryRule).
struct LoopBoundComparison {
  std::vector<std::string> rankVariables;
  Comparison op = Comparison::Equal;
  double value = 1;
  bool product = false;

  friend bool operator==(const LoopBoundComparison &,
                         const LoopBoundComparison &) = default;
};

/// The mapper-only rules of one spatial dimension (spec-language.md §2.8).
struct SpatialRule {
  std::string component; ///< node declaring the dimension
  std::string dimension;
  /// `reuse`: spatial loops over the rank variables of these tensors must
  /// have bound 1, so the mapper never creates them.
  TensorSet reuse;
  /// `min_usage` (0 = none): applied per template as a "try best" rule.
  double minUsage = 0;
  std::vector<LoopBoundComparison> loopBounds;
};

/// The mapper-only rules of one memory that constrain templates and tile
/// shapes rather than placement (spec-language.md §2.7).
struct MemoryRule {
  std::string memory;
  /// `tile_shape`: per rank variable (or, with `product`, over their
  /// product) the tile the memory holds: the tile shape of the nearest loop
  /// over it above the memory's first storage node, or the rank's bound
  /// when there is none. Templates where the memory keeps nothing are not
  /// constrained.
  std::vector<LoopBoundComparison> tileShape;
  /// `tensor_order_options`: allowed orders of the memory's storage nodes,
  /// each top to bottom as tensor sets (the tensors of one set in any
  /// order), only sets naming a tensor of the Einsum kept. At least one
  /// must hold; none given: any order.
  std::vector<std::vector<TensorSet>> tensorOrderOptions;
};

/// Rules for one Einsum. `placement` maps a tensor holder's name to its
/// rules; holders without an entry keep nothing forcibly and may keep All.
struct EinsumRules {
  std::string einsum;
  std::vector<std::pair<std::string, PlacementFn>> placement;
  std::vector<SpatialRule> spatial;
  std::vector<MemoryRule> memories;
};

/// What the search minimises (mapper.md §9).
enum class Metric : uint8_t {
  Energy,             ///< total energy (dynamic + leak)
  Latency,            ///< total latency
  EnergyDelayProduct, ///< (sum of energies) x (sum of latencies)
};

/// Lower bounds on the cost of a template's partial tile shapes at one
/// design point (mapper.md §4.5; the compiler's codegen/CostBounds.h
/// derives them from the kernel's expressions). The search assigns loops
/// from the innermost (index n - 1) outwards; at `level`, loops [0, level]
/// are free.
class PartialCostBounds {
public:
  virtual ~PartialCostBounds() = default;
  /// Doubles of the state the search keeps per level: what the assigned
  /// loops contribute. It starts as all ones (nothing assigned).
  virtual size_t stateSize() const = 0;
  /// The state once loop `loop` takes tile `tile`, from the one before.
  virtual void assign(unsigned loop, double tile, const double *parent,
                      double *child) const = 0;
  /// The completions a bound covers: each loop's tile in [low, high]
  /// (equal for assigned loops), and per fanout dimension (null: none)
  /// at least the product of the splits of its spatial loops whose next
  /// loop out is free (codegen's CostBounds::lowerBound).
  struct FreeTiles {
    const double *low, *high;
    const double *fanoutLeft = nullptr;
  };
  /// Lower bounds on the energy and on the latency of every completion in
  /// `free`; -inf where nothing is known.
  /// Bounds asked for with the same `shared` (newPoint; 0 = none) on one
  /// thread are of one state and one set of tiles, and may share work.
  virtual double energyBound(unsigned level, const double *state,
                             const FreeTiles &free, uint64_t shared) const = 0;
  virtual double latencyBound(unsigned level, const double *state,
                              const FreeTiles &free, uint64_t shared) const = 0;
  /// energyBound counts terms with a factor never negative but costly to
  /// bound (the leakage's latency factor, a max(0, x)) as at least 0; this
  /// bound evaluates them too, so it is at least energyBound and costs
  /// more. Whether it can differ at `level`: tighterEnergyBoundAt.
  virtual double tightEnergyBound(unsigned level, const double *state,
                                  const FreeTiles &free,
                                  uint64_t shared) const {
    return energyBound(level, state, free, shared);
  }
  virtual bool tighterEnergyBoundAt(unsigned level) const { return false; }
  /// A `shared` for the bounds above that no call on this thread used.
  virtual uint64_t newPoint() const { return 0; }
};

/// A pmapping template's cost as one generated function of its tile shapes
/// (lower/TemplateKernel.h builds it from model::Evaluator::trace).
struct TemplateKernel {
  /// For candidates i in [0, n): the tile shapes tiles[i * loops ...] give
  /// out[i * 3 ...] = energy, latency and the number of failed fanout and
  /// capacity checks (0 = valid), equal to the model's.
  std::function<void(const double *point, const double *tiles, double *out,
                     int64_t n)>
      score;
  /// The design-point values `point` holds, in order.
  std::vector<model::PointValue> point;
  /// Non-empty when the model rejects the template's structure whatever the
  /// tile shapes (e.g. a spatial loop that cannot be relocated): the reason.
  /// The search then skips the template; `score` is empty.
  std::string invalid;
  /// Equal for kernels that compute the same function of the tile shapes
  /// and the design point (the same traced expressions over the same point
  /// values); empty when unknown. The mapper searches a template whose
  /// search would repeat another's once (the identical Einsums of a layer).
  std::string structure;
  /// Bounds on partial tile shapes' costs at the design point `point` (as
  /// `score` takes it); an empty function, or null, when there are none.
  /// Per loop, `outerLoop` is the next loop out over the same rank variable
  /// (-1: none) and `rankBound` its rank's size: tiles divide along these
  /// chains (perfect factors). `dimension` is a spatial loop's fanout
  /// dimension (FreeTiles::fanoutLeft's index; -1: temporal).
  std::function<std::shared_ptr<const PartialCostBounds>(
      std::span<const double> point, std::span<const int> outerLoop,
      std::span<const double> rankBound, std::span<const int> dimension)>
      bounds;
};

/// A template as a mapping (any tile shapes of the right structure) and
/// the loops whose tile shapes a kernel takes, in order.
struct TemplateStructure {
  const model::Mapping *mapping = nullptr;
  std::vector<const model::MappingNode *> loops;
};

/// Builds the kernels of a search's templates, all at once (compiling them
/// together is much faster); a null entry means none (the mapper then runs
/// the model per candidate of that template).
using TemplateKernelFactory =
    std::function<std::vector<std::shared_ptr<const TemplateKernel>>(
        model::Evaluator &, std::span<const TemplateStructure>)>;

struct MapperSettings {
  Metric metric = Metric::Energy;
  /// Bounds on fused loops (kept for the fusion join; the unfused search
  /// never creates fused loops).
  int maxFusedLoops = std::numeric_limits<int>::max();
  int maxFusedLoopsPerRankVariable = 1;
  /// Lower memories may not be placed above higher ones (reference default).
  bool forceMemoryHierarchyOrder = true;
  /// Imperfect factorisation (mapper.md §4.4): the outermost loop of a rank
  /// variable that indexes tensors directly may take any multiple of its
  /// inner tile up to the rank's bound (one per number of tiles, the
  /// smallest), not only divisors; separately for spatial and temporal
  /// loops (`explore_imperfect_spatial_loops` / `..._temporal_loops`).
  bool exploreImperfectSpatialLoops = false;
  bool exploreImperfectTemporalLoops = false;
  /// > 1: a loop's candidate tile shapes skip values below coarseness times
  /// the previous one (the rank's bound is always a candidate).
  double tilingCoarseness = 1;
  /// Spatial loops with more than one iteration per spatial dimension.
  int maxLoopsPerSpatialDimension = std::numeric_limits<int>::max();
  /// Relative tolerance of the Pareto filters (0 = exact, the default).
  double objectiveTolerance = 0;
  /// Force the outermost memory to keep every tensor (nothing is fused).
  bool unfused = false;
  /// Worker threads; 0 = TBB's default.
  int threads = 0;
  /// Cost only tile shapes whose spatial usage survives min_usage (found by
  /// a model-free pass first). Exact; off = brute force, for testing.
  bool minUsageShortcut = true;
  /// Search a template whose search would repeat another's (an Einsum of
  /// the same shape) once, and give both its rows. Exact; off = search
  /// every template, for testing.
  bool reuseRepeatedSearches = true;
  /// Skip partial tile shapes whose every completion a row already found
  /// beats (lower bounds from the kernel's expressions, mapper.md §4.5).
  /// Exact; off = walk every partial, for testing.
  bool boundPruning = true;
  /// Keep each Einsum's whole (energy, latency) front (MapperResult::
  /// einsumFronts) even where only the optimum is needed (a workload of one
  /// Einsum). The answer is the same; off = a faster search, the default.
  bool keepFronts = false;
  /// Leaves each piece's probe costs before the search (MapRun::probe: its
  /// rows prune every piece from its first node); 0 = no probe, each piece
  /// prunes against what it finds itself.
  uint64_t probeLeaves = 16;
  /// A walk starts bounding once it has reached this many leaves: the
  /// analysis behind the bounds (per template and design point) costs more
  /// than a small search. Tests set 0 to bound every walk.
  uint64_t boundAfterLeaves = 8192;
  /// The fusion join first joins keeping only this many partial mappings
  /// per Einsum; the complete mappings it finds bound the exact join, which
  /// drops partial mappings that cannot beat them (Join.h). Exact; 0 = no
  /// such pass, for testing.
  size_t joinBoundWidth = 32;
  /// A fused search whose templates hold at least this many tile shapes
  /// first maps the workload unfused; a partial tile shape whose every
  /// completion has more energy and more latency than one of those whole
  /// mappings cannot be part of a better one, and is skipped (mapper.md
  /// §4.5). Exact; infinity = never, 0 = always (tests). The default is
  /// where it paid on the regression suite: tpu_v4i GPT-3 175B prefill
  /// (7e13 tile shapes) maps in less than half the time, while simba GPT-3
  /// 6.7B prefill (4e11) and tpu_v4i GPT-3 175B decode (9e10) saved less
  /// than the unfused search cost.
  double unfusedBoundTileShapes = 1e12;
  /// Wall-clock budget of one map() call, in seconds (the reference's
  /// `time_limit`, applied to the whole search). When it runs out the
  /// search stops and returns the best mapping found so far, with
  /// MapperStatistics::complete false: not proven optimal, and dependent on
  /// timing.
  double timeLimit = std::numeric_limits<double>::infinity();
  /// When it becomes true (e.g. from a signal handler) the search stops
  /// where the time limit would stop it and map() returns at once with
  /// MapperStatistics::cancelled: the result is not an answer. Null: never.
  const std::atomic<bool> *cancel = nullptr;
  /// Evaluate the chosen mapping again with detailed output (per-component
  /// and per-tensor breakdowns) for MapperResult::result.
  bool detailedResult = true;
  /// Called from worker threads as pieces of the search finish: `done` of
  /// `total` units of estimated work (the closed-form tile-shape counts of
  /// the pieces, mapper.md §4.7); may be empty. Must be thread-safe and
  /// cheap.
  std::function<void(size_t done, size_t total)> onProgress;
  /// Generated per-template cost kernels; empty = the model per candidate.
  TemplateKernelFactory templateKernels;
};

/// Everything the mapper needs.
struct MapperProblem {
  model::Problem problem;
  std::vector<EinsumRules> rules;
  MapperSettings settings;
  /// Evaluation options for the model (area/leak quirks).
  model::EvaluateOptions evaluateOptions;

  /// The rules of Einsum `einsum`, or null (defaults everywhere).
  const EinsumRules *rulesFor(std::string_view einsum) const {
    for (const EinsumRules &r : rules)
      if (r.einsum == einsum)
        return &r;
    return nullptr;
  }
  /// The options candidates are costed with: evaluateOptions with totals
  /// only, one Einsum at a time, no area, no float32 rounding.
  model::EvaluateOptions costingOptions() const {
    model::EvaluateOptions o = evaluateOptions;
    o.detailed = false;
    o.requireEveryEinsum = false;
    o.computeArea = false;
    o.roundToFloat32 = false;
    return o;
  }
};

} // namespace afc::mapper

#endif // AFC_MAPPER_PROBLEM_H
