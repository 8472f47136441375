//===- EvaluatorImpl.h - the state of one model::Evaluator -------*- C++
//-*-===//
//
// Internal to afcModel. An Evaluator keeps all its scratch memory in
// Evaluator::Impl so that a warm evaluation allocates almost nothing. Its
// steps live in files named after them (see README.md):
//
//   PmappingSplit.cpp   the mapping tree -> one pmapping per Einsum
//   Normalise.cpp       names resolved, one tensor per holder, tile shapes
//   Reservations.cpp    where each buffet's occupancy is measured
//   TensorViews.cpp     per-tensor orders of the pmapping's nodes
//   ReuseAnalysis.cpp   the bottom-up statistics (over double or Sym)
//   Totals.cpp          fanout, capacity, latency, energy, leak (one path
//                       for the detailed report and for tracing)
//   ResourceUsage.cpp   the whole mapping's peak memory use
//   Evaluator.cpp       the public entry points
//
//===----------------------------------------------------------------------===//
#ifndef AFC_RUNTIME_MODEL_EVALUATORIMPL_H
#define AFC_RUNTIME_MODEL_EVALUATORIMPL_H

#include "BuffetStats.h"
#include "Prepared.h"

#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace afc::model::detail {

inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
/// Spatial dimensions of one flattened architecture, at most.
inline constexpr uint32_t kMaxDims = 32;

enum class PKind : uint8_t {
  Temporal,
  Spatial,
  Storage,
  Toll,
  Reservation,
  Compute
};

/// A node of a normalised pmapping: names resolved, one tensor per holder.
struct PNode {
  PKind kind = PKind::Temporal;
  bool persistent = false;
  bool isBacking = false;  ///< first holder of its tensor in the pmapping
  bool lower = true;       ///< its reservation may sit below it
  bool imperfect = false;  ///< outermost loop of a simple rank variable
  uint32_t tensor = kNone; ///< local tensor (holders, reservations)
  uint32_t rv = kNone;     ///< local rank variable (loops)
  uint32_t arch = kNone;   ///< flattened-arch node (holders, spatial, compute)
  uint32_t dim = kNone;    ///< prepared spatial dimension (spatial loops)
  double tile = 0;
  double initialTile = kNaN;
  uint32_t traced = kNone; ///< loop whose tile shape is a symbol (trace)
  const MappingNode *source = nullptr;

  bool isLoop() const {
    return kind == PKind::Temporal || kind == PKind::Spatial;
  }
  bool isHolder() const {
    return kind == PKind::Storage || kind == PKind::Toll;
  }
};

/// One entry of the bottom-up buffet list of a per-tensor view.
template <class S> struct EntryT {
  uint32_t level = 0; ///< flattened-arch node
  bool isCompute = false;
  BuffetStatsT<S> stats;
};

/// A buffet of the analysed Einsum: one tensor in one component.
template <class S> struct BuffetT {
  uint32_t tensor = 0; ///< local
  uint32_t level = 0;
  bool isCompute = false;
  BuffetStatsT<S> stats;
};

/// What one tensor's transfers through one Network cost (the reference's
/// NetworkStats): one record per (tensor, receiving buffet) whose parent
/// holder sits above a Network.
template <class S> struct NetRecordT {
  uint32_t tensor = 0;  ///< local
  uint32_t network = 0; ///< flattened-arch node
  S totalHops = 0;      ///< hop actions, all instances and iterations
  S maxHops = 0;        ///< hops on the longest route
  /// Actions over the busiest link, per spatial dimension name
  /// (PreparedDim::nameId).
  S maxTraffic[kMaxDims] = {};
};

template <class S> struct LoopPartT {
  S value;   ///< tile shape of the body
  S repeats; ///< iterations with that tile shape
};

/// The numeric state of one pmapping's analysis.
template <class S> struct Numbers {
  std::vector<S> shape;    ///< current tile extent per rank variable
  std::vector<S> recorded; ///< iterations per loop (per withRes index)
  std::vector<EntryT<S>> stack;
  std::vector<BuffetT<S>> buffets;
  /// Network records: the bottom-up stack of one view, then every view's.
  std::vector<NetRecordT<S>> netStack, networks;
  /// Traced iteration counts of partly relevant spatial loops below a
  /// Network: valid only at 1 (NetworkAnalysis.cpp).
  std::vector<S> partialSpreads;
  ComputeStatsT<S> computeStats;
  S usedFanout[kMaxDims] = {};
  /// Traced loops' tile shapes (Sym only), by PNode::traced.
  std::vector<S> tiles;
  // Scratch of the totals (Totals.cpp): per component, the read and write
  // calls of its busiest instance and whether the pmapping uses it; the
  // occupancies to check against capacities.
  std::vector<S> readCalls, writeCalls;
  std::vector<uint8_t> hasBuffet;
  /// Per component: a Network's latency keywords, max_hops and
  /// max_link_traffic.
  std::vector<S> maxHops, maxLinkTraffic;
  struct Occupancy {
    uint32_t memory;
    int nLoopsAbove; ///< -1 for persistent buffets
    S bits;
  };
  std::vector<Occupancy> occupancies;
};

/// A reservation kept for the whole-mapping resource usage.
struct ReservationRecord {
  std::string_view memory;
  TensorId tensor = 0;
  double bits = 0;
  double size = kInfinity;
  int nLoopsAbove = 0;
};

/// What one evaluated pmapping contributes to the whole-mapping results.
struct PmappingInfo {
  uint32_t einsum = 0;
  uint32_t path = 0;
  size_t reservationsBegin = 0, reservationsEnd = 0;
  const PreparedArch *arch = nullptr;
};

/// An error located at `node` (when given), in Einsum `einsum`.
ModelError makeError(ErrorKind kind, std::string message,
                     const MappingNode *node, std::string_view einsum = {});

/// A number as error messages print it (12 significant digits).
std::string formatNumber(double v);

} // namespace afc::model::detail

namespace afc::model {

using namespace detail;

struct Evaluator::Impl {
  Impl(const Problem &problem, EvaluateOptions options)
      : problem(problem), options(options) {
    prepareProblem(problem, prepared);
  }

  const Problem &problem;
  EvaluateOptions options;
  PreparedProblem prepared;

  // Splitting the tree into root-to-leaf paths.
  std::vector<const MappingNode *> pathStack;
  std::vector<std::vector<const MappingNode *>> paths;
  uint32_t nPaths = 0;

  // The pmapping being analysed.
  const PreparedEinsum *einsum = nullptr;
  const PreparedArch *arch = nullptr;
  bool isCopy = false;
  uint32_t viewTensor = kNone;
  std::vector<PNode> nodes;         ///< normalised, without reservations
  std::vector<PNode> withRes;       ///< with reservations: what views index
  std::vector<uint32_t> view;       ///< indices into withRes
  std::vector<uint8_t> hasParentAt; ///< per view position
  /// Per view position: the Network a reservation's or the compute's
  /// buffet receives its tensor through, or kNone.
  std::vector<uint32_t> networkAt;
  std::vector<uint32_t> pendingSpatials;
  std::vector<uint32_t> spatialIndices; ///< spatial loops in withRes
  Numbers<double> num;
  std::vector<uint8_t> analysed;   ///< per local tensor
  std::vector<uint8_t> seenTensor; ///< per local tensor
  std::vector<uint8_t> seenRankVariable;
  /// While tracing: the mapping nodes whose tile shapes are symbols.
  std::span<const MappingNode *const> tracedLoops;

  /// Scratch of the detailed report's total_latency calls.
  std::vector<ActionActivity> activity;

  // Whole-mapping bookkeeping.
  std::vector<PmappingInfo> pmappings;
  std::vector<ReservationRecord> reservationRecords;
  std::vector<uint8_t> einsumSeen;

  std::optional<ModelError> run(const Mapping &mapping, Result &result);
  Expected<TracedCost> trace(const Mapping &mapping,
                             std::span<const MappingNode *const> loops,
                             ExprBuilder &builder);

private:
  std::optional<ModelError> splitChain(const std::vector<MappingNode> &chain);
  std::optional<ModelError> splitBranch(const MappingNode &branch);
  std::optional<ModelError> evaluatePmapping(uint32_t path, Result &result);
  std::optional<ModelError> preparePmapping(uint32_t path);
  std::optional<ModelError> normalise(const std::vector<const MappingNode *> &p,
                                      const MappingNode &computeNode);
  std::optional<ModelError> normaliseHolder(const MappingNode &m);
  std::optional<ModelError> normaliseLoop(const MappingNode &m);
  std::optional<ModelError> resolveTileShapes(const MappingNode &computeNode);
  std::optional<ModelError> normaliseCopy();
  void insertReservations();
  std::optional<ModelError> buildView(uint32_t tensor);
  template <class S> std::optional<ModelError> analyse(Numbers<S> &num);
  template <class S> S tileOf(Numbers<S> &num, const PNode &n) const;
  template <class S>
  uint32_t loopParts(Numbers<S> &num, uint32_t index, bool recording,
                     LoopPartT<S> parts[2]);
  template <class S>
  ComputeStatsT<S> analyzeComputeOnly(Numbers<S> &num, size_t pos, S *fanout);
  template <class S> uint32_t analyzeTensor(Numbers<S> &num, size_t pos);
  template <class S>
  void analyzeHolder(Numbers<S> &num, size_t pos, const PNode &n);
  /// Which buffets of the current view receive their tensor through a
  /// Network (fills networkAt); false when none does.
  bool findNetworkTransfers();
  /// The hops of the current view's transfers through Networks, bottom-up
  /// (the reference's NetworkAnalyzer); `fanout` as in analyzeComputeOnly.
  template <class S>
  std::optional<ModelError> analyzeNetworks(Numbers<S> &num, size_t pos,
                                            S *fanout, uint32_t &count);
  /// The pmapping's totals from its statistics: the fanout and capacity
  /// checks, latency, dynamic energy and leak. Written once over the number
  /// type; the sink gives the design point's values and decides what a
  /// failed check and a detail do (Totals.cpp).
  template <class Sink>
  std::optional<ModelError> totals(Numbers<typename Sink::Number> &num,
                                   Sink &sink);
  /// Fanout and capacity checks (the first step of totals()).
  template <class Sink>
  std::optional<ModelError> checkResources(Numbers<typename Sink::Number> &num,
                                           Sink &sink);
  /// The slowest component's latency (the second step of totals()).
  template <class Sink>
  std::optional<ModelError> einsumLatency(Numbers<typename Sink::Number> &num,
                                          Sink &sink,
                                          typename Sink::Number &latency);
  template <class S> void tallyCalls(Numbers<S> &num) const;
  /// Sinks of totals(): the detailed Result of an evaluation, and the traced
  /// expressions of a kernel.
  class ReportSink;
  class TraceSink;
  std::optional<ModelError> report(Result &result);
  std::optional<ModelError> traceTotals(Numbers<Sym> &num, ExprBuilder &b,
                                        TracedCost &out);
  void wholeMappingUsage(Result &result);

  const MappingNode *firstSourceOf(PKind kind, uint32_t arch,
                                   uint32_t dim = kNone) const {
    for (const PNode &n : nodes)
      if (n.kind == kind && n.arch == arch && (dim == kNone || n.dim == dim))
        return n.source;
    return nullptr;
  }
};

} // namespace afc::model

#endif // AFC_RUNTIME_MODEL_EVALUATORIMPL_H
