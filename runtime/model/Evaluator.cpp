//===- Evaluator.cpp - the reuse analysis of one mapping ------------------===//
//
// Evaluates a LoopTree mapping the way the reference does (model.md §1-§12):
//
//  1. split the tree into one pmapping (root-to-Compute path) per Einsum;
//  2. per pmapping: drop tensors the Einsum does not use, split multi-tensor
//     storage nodes, mark backing holders, check that every rank variable is
//     tiled down to 1, insert reservation nodes (where occupancy is measured);
//  3. analyse a compute-only view (iteration counts, computes, used fanout),
//     then one view per tensor in which spatial loops are relocated next to
//     the holders they replicate; each view is a bottom-up recursion that
//     turns loops, storage nodes and the compute leaf into per-buffet
//     statistics (fills, write-backs, skipped first reads, own actions);
//  4. check fanouts and capacities, then derive actions, latency (per
//     component, through total_latency), energy (dynamic + leak) and usage.
//
// All scratch memory lives in Evaluator::Impl and is reused, so a warm
// evaluation allocates almost nothing.
//
//===----------------------------------------------------------------------===//

#include "Prepared.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>
#include <sstream>
#include <string>

namespace afc::model {

using namespace detail;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr uint32_t kMaxDims = 32;

//===----------------------------------------------------------------------===//
// Numbers: double when evaluating, Sym when tracing (Symbolic.h)
//===----------------------------------------------------------------------===//

/// A traced number: a known constant, or a node of the builder's DAG. The
/// analysis below is written once over a number type S; with S = Sym it
/// emits the same IEEE operations, in the same order, as with S = double.
/// Operations on known constants are folded (computing them in double is
/// what the kernel would do), as are x + 0, x * 1 and x * 0; tile-derived
/// values are finite, so these folds never change a result.
struct Sym {
  ExprBuilder *b = nullptr;
  ExprBuilder::Id id = 0;
  double value = 0;
  bool known = true;

  Sym() = default;
  Sym(double v) : value(v) {}
  static Sym node(ExprBuilder *builder, ExprBuilder::Id id) {
    Sym s;
    s.b = builder;
    s.id = id;
    s.known = false;
    return s;
  }
  bool is(double v) const { return known && value == v; }
  ExprBuilder::Id in(ExprBuilder *builder) const {
    return known ? builder->constant(value) : id;
  }
};

ExprBuilder *builderOf(const Sym &a, const Sym &b) { return a.b ? a.b : b.b; }

template <class Fold, class Emit>
Sym binaryOp(const Sym &a, const Sym &b, Fold fold, Emit emit) {
  if (a.known && b.known)
    return Sym(fold(a.value, b.value));
  ExprBuilder *x = builderOf(a, b);
  return Sym::node(x, emit(x, a.in(x), b.in(x)));
}

Sym operator+(const Sym &a, const Sym &b) {
  if (a.is(0))
    return b;
  if (b.is(0))
    return a;
  return binaryOp(
      a, b, [](double x, double y) { return x + y; },
      [](ExprBuilder *x, auto l, auto r) { return x->add(l, r); });
}
Sym operator-(const Sym &a, const Sym &b) {
  if (b.is(0))
    return a;
  return binaryOp(
      a, b, [](double x, double y) { return x - y; },
      [](ExprBuilder *x, auto l, auto r) { return x->sub(l, r); });
}
Sym operator*(const Sym &a, const Sym &b) {
  if (a.is(1) || b.is(0))
    return b;
  if (b.is(1) || a.is(0))
    return a;
  return binaryOp(
      a, b, [](double x, double y) { return x * y; },
      [](ExprBuilder *x, auto l, auto r) { return x->mul(l, r); });
}
Sym operator/(const Sym &a, const Sym &b) {
  if (b.is(1))
    return a;
  return binaryOp(
      a, b, [](double x, double y) { return x / y; },
      [](ExprBuilder *x, auto l, auto r) { return x->div(l, r); });
}
Sym &operator+=(Sym &a, const Sym &b) { return a = a + b; }
Sym &operator*=(Sym &a, const Sym &b) { return a = a * b; }

/// a < b ? ifLess : otherwise, folded when a and b are known.
Sym selectLess(const Sym &a, const Sym &b, const Sym &ifLess,
               const Sym &otherwise) {
  if (a.known && b.known)
    return a.value < b.value ? ifLess : otherwise;
  ExprBuilder *x = a.b ? a.b : b.b;
  return Sym::node(x, x->selectLess(a.in(x), b.in(x), ifLess.in(x),
                                    otherwise.in(x)));
}

Sym ceilOf(const Sym &a) {
  if (a.known)
    return Sym(std::ceil(a.value));
  return Sym::node(a.b, a.b->ceil(a.id));
}
double ceilOf(double a) { return std::ceil(a); }

// The reference combines statistics with "max/min ignoring zeros": a zero
// means "nothing recorded yet" (accelforge/util/_sympy/broadcast_max.py).
double maxNonzero(double a, double b) {
  if (a == 0)
    return b;
  if (b == 0)
    return a;
  return std::max(a, b);
}
double minNonzero(double a, double b) {
  if (a == 0)
    return b;
  if (b == 0)
    return a;
  return std::min(a, b);
}
double minTakeZero(double a, double b) {
  if (a == 0 || b == 0)
    return 0;
  return std::min(a, b);
}
// Statistics are never negative, which the traced forms rely on.
Sym maxNonzero(const Sym &a, const Sym &b) {
  if (a.is(0))
    return b;
  if (b.is(0))
    return a;
  return selectLess(a, b, b, a); // std::max; also right when one is 0
}
Sym minNonzero(const Sym &a, const Sym &b) {
  if (a.is(0))
    return b;
  if (b.is(0))
    return a;
  return selectLess(Sym(0.0), a,
                    selectLess(Sym(0.0), b, selectLess(b, a, b, a), a), b);
}
Sym minTakeZero(const Sym &a, const Sym &b) {
  if (a.is(0) || b.is(0))
    return Sym(0.0);
  return selectLess(Sym(0.0), a,
                    selectLess(Sym(0.0), b, selectLess(b, a, b, a), Sym(0.0)),
                    Sym(0.0));
}
/// x, or 1 when x is 0 (an unused spatial dimension counts one instance).
double orOne(double x) { return x != 0 ? x : 1; }
Sym orOne(const Sym &x) {
  if (x.known)
    return Sym(orOne(x.value));
  return selectLess(Sym(0.0), x, x, Sym(1.0));
}

/// Per-buffet statistics (model.md §5.1): traffic with the parent in values,
/// this level's own actions, and the occupancy measured at its reservation.
template <class S> struct BuffetStatsT {
  // Traffic with the parent (values).
  S totalReadsToParent = 0;
  S totalWritesToParent = 0;
  S maxPerParentReadsToParent = 0;
  S maxPerParentWritesToParent = 0;
  S totalSkippedFirstReadsToParent = 0;
  S minPerParentSkippedFirstReadsToParent = 0;
  // This level's actions.
  S totalReadActions = 0;
  S maxPerUnitReadActions = 0;
  S totalWriteActions = 0;
  S maxPerUnitWriteActions = 0;
  S totalSkippedFirstReadActions = 0;
  S minPerUnitSkippedFirstReadActions = 0;
  S totalSkippedFirstWriteActions = 0;
  S minPerUnitSkippedFirstWriteActions = 0;
  // Capacity.
  S maxOccupancy = 0; ///< bits
  int nLoopsAbove = 0;
  bool persistent = false;
};

/// A temporal loop of `r` iterations above the buffet. First-read credits
/// repeat only over loops that index the tensor: they happen once per
/// distinct tile.
template <class S>
void repeatTemporal(BuffetStatsT<S> &s, const S &r, bool relevant) {
  s.totalReadsToParent *= r;
  s.totalWritesToParent *= r;
  s.maxPerParentReadsToParent *= r;
  s.maxPerParentWritesToParent *= r;
  s.totalReadActions *= r;
  s.maxPerUnitReadActions *= r;
  s.totalWriteActions *= r;
  s.maxPerUnitWriteActions *= r;
  if (relevant) {
    s.totalSkippedFirstReadsToParent *= r;
    s.minPerParentSkippedFirstReadsToParent *= r;
    s.totalSkippedFirstReadActions *= r;
    s.minPerUnitSkippedFirstReadActions *= r;
    s.totalSkippedFirstWriteActions *= r;
    s.minPerUnitSkippedFirstWriteActions *= r;
  }
}

/// A spatial loop of `r` instances above the buffet. Per-unit counts stay
/// per instance; parent traffic is shared by all instances when the parent
/// multicasts (inputs) or reduces (outputs) across the dimension.
template <class S>
void repeatSpatial(BuffetStatsT<S> &s, const S &r, bool reuseParent) {
  if (!reuseParent) {
    s.totalReadsToParent *= r;
    s.totalWritesToParent *= r;
    s.maxPerParentReadsToParent *= r;
    s.maxPerParentWritesToParent *= r;
    s.totalSkippedFirstReadsToParent *= r;
    s.minPerParentSkippedFirstReadsToParent *= r;
  }
  s.totalReadActions *= r;
  s.totalWriteActions *= r;
  s.totalSkippedFirstReadActions *= r;
  s.totalSkippedFirstWriteActions *= r;
}

/// The reference's `+=` of two statistics (used when a loop's body is
/// analysed for several tile shapes): totals add, maxima and minima combine.
template <class S>
void accumulate(BuffetStatsT<S> &into, const BuffetStatsT<S> &s) {
  into.totalReadsToParent += s.totalReadsToParent;
  into.totalWritesToParent += s.totalWritesToParent;
  into.maxPerParentReadsToParent =
      maxNonzero(into.maxPerParentReadsToParent, s.maxPerParentReadsToParent);
  into.maxPerParentWritesToParent =
      maxNonzero(into.maxPerParentWritesToParent, s.maxPerParentWritesToParent);
  into.totalSkippedFirstReadsToParent += s.totalSkippedFirstReadsToParent;
  into.minPerParentSkippedFirstReadsToParent =
      minNonzero(into.minPerParentSkippedFirstReadsToParent,
                 s.minPerParentSkippedFirstReadsToParent);
  into.totalReadActions += s.totalReadActions;
  into.maxPerUnitReadActions =
      maxNonzero(into.maxPerUnitReadActions, s.maxPerUnitReadActions);
  into.totalWriteActions += s.totalWriteActions;
  into.maxPerUnitWriteActions =
      maxNonzero(into.maxPerUnitWriteActions, s.maxPerUnitWriteActions);
  into.totalSkippedFirstReadActions += s.totalSkippedFirstReadActions;
  into.minPerUnitSkippedFirstReadActions =
      minNonzero(into.minPerUnitSkippedFirstReadActions,
                 s.minPerUnitSkippedFirstReadActions);
  into.totalSkippedFirstWriteActions += s.totalSkippedFirstWriteActions;
  into.minPerUnitSkippedFirstWriteActions =
      minNonzero(into.minPerUnitSkippedFirstWriteActions,
                 s.minPerUnitSkippedFirstWriteActions);
  into.maxOccupancy = maxNonzero(into.maxOccupancy, s.maxOccupancy);
}

/// Copy Einsums merge the buffets of one level with "min, zero wins": a copy
/// between two tensors kept in the same memory costs nothing (§5.7).
template <class S>
void mergeCopy(BuffetStatsT<S> &into, const BuffetStatsT<S> &s) {
  auto m = [](S &a, const S &b) { a = minTakeZero(a, b); };
  m(into.totalReadsToParent, s.totalReadsToParent);
  m(into.totalWritesToParent, s.totalWritesToParent);
  m(into.maxPerParentReadsToParent, s.maxPerParentReadsToParent);
  m(into.maxPerParentWritesToParent, s.maxPerParentWritesToParent);
  m(into.totalSkippedFirstReadsToParent, s.totalSkippedFirstReadsToParent);
  m(into.minPerParentSkippedFirstReadsToParent,
    s.minPerParentSkippedFirstReadsToParent);
  m(into.totalReadActions, s.totalReadActions);
  m(into.maxPerUnitReadActions, s.maxPerUnitReadActions);
  m(into.totalWriteActions, s.totalWriteActions);
  m(into.maxPerUnitWriteActions, s.maxPerUnitWriteActions);
  m(into.totalSkippedFirstReadActions, s.totalSkippedFirstReadActions);
  m(into.minPerUnitSkippedFirstReadActions,
    s.minPerUnitSkippedFirstReadActions);
  m(into.totalSkippedFirstWriteActions, s.totalSkippedFirstWriteActions);
  m(into.minPerUnitSkippedFirstWriteActions,
    s.minPerUnitSkippedFirstWriteActions);
  m(into.maxOccupancy, s.maxOccupancy);
  into.persistent = into.persistent || s.persistent;
}

template <class S> struct ComputeStatsT {
  S totalOps = 0;
  S maxPerUnitOps = 0;
  S maxLatency = 0; ///< computes on the critical path of one instance
};

/// A buffet's read and write actions (first reads of output tiles skipped),
/// times the component's actions_scale.
template <class S>
void buffetActions(const BuffetStatsT<S> &s, double actionsScale, S &reads,
                   S &writes) {
  reads = (s.totalReadActions - s.totalSkippedFirstReadActions) *
          S(actionsScale);
  writes = (s.totalWriteActions - s.totalSkippedFirstWriteActions) *
           S(actionsScale);
}

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
  ComputeStatsT<S> computeStats;
  S usedFanout[kMaxDims] = {};
  /// Traced loops' tile shapes (Sym only), by PNode::traced.
  std::vector<S> tiles;
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

ModelError makeError(ErrorKind kind, std::string message,
                     const MappingNode *node, std::string_view einsum = {}) {
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

/// Rounds to the nearest float32. The volatile keeps GCC 12's SLP vectoriser
/// from folding a vectorised double->float->double round trip into nothing
/// (it does, at -O2, for adjacent fields).
double roundFloat(double v) {
  volatile float f = float(v);
  return double(f);
}

} // namespace

//===----------------------------------------------------------------------===//
// Evaluator::Impl
//===----------------------------------------------------------------------===//

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
  std::vector<uint32_t> pendingSpatials;
  std::vector<uint32_t> spatialIndices; ///< spatial loops in withRes
  Numbers<double> num;
  std::vector<uint8_t> analysed;   ///< per local tensor
  std::vector<uint8_t> seenTensor; ///< per local tensor
  std::vector<uint8_t> seenRankVariable;
  /// While tracing: the mapping nodes whose tile shapes are symbols.
  std::span<const MappingNode *const> tracedLoops;

  // Per-node tallies for one Einsum.
  std::vector<double> readCalls, writeCalls;
  std::vector<uint8_t> hasBuffet;
  std::vector<ActionActivity> activity;
  struct Occ {
    uint32_t memory;
    int nLoops;
    double bits;
  };
  std::vector<Occ> occ;

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
  void insertReservations();
  std::optional<ModelError> buildView(uint32_t tensor);
  template <class S>
  std::optional<ModelError> analyse(Numbers<S> &num);
  template <class S> S tileOf(Numbers<S> &num, const PNode &n) const;
  template <class S>
  uint32_t loopParts(Numbers<S> &num, uint32_t index, bool recording,
                     LoopPartT<S> parts[2]);
  template <class S>
  ComputeStatsT<S> analyzeComputeOnly(Numbers<S> &num, size_t pos,
                                      S *fanout);
  template <class S> uint32_t analyzeTensor(Numbers<S> &num, size_t pos);
  template <class S>
  void analyzeHolder(Numbers<S> &num, size_t pos, const PNode &n);
  /// Per component: read and write calls of its busiest instance, and
  /// whether the pmapping uses it (report() and traceTotals()).
  template <class S>
  void tallyCalls(const std::vector<BuffetT<S>> &buffets,
                  std::vector<S> &readCalls, std::vector<S> &writeCalls,
                  std::vector<uint8_t> &hasBuffet) const;
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

//===----------------------------------------------------------------------===//
// Splitting the mapping into pmappings (main.py:262-280)
//===----------------------------------------------------------------------===//

std::optional<ModelError>
Evaluator::Impl::splitChain(const std::vector<MappingNode> &chain) {
  size_t pushed = 0;
  for (size_t i = 0; i < chain.size(); ++i) {
    const MappingNode &n = chain[i];
    if (n.hasChildren()) {
      if (i + 1 != chain.size()) {
        pathStack.resize(pathStack.size() - pushed);
        return makeError(ErrorKind::MalformedMapping,
                         "a node with children must be the last node of its "
                         "chain",
                         &n);
      }
      auto err = splitBranch(n);
      pathStack.resize(pathStack.size() - pushed);
      return err;
    }
    pathStack.push_back(&n);
    ++pushed;
  }
  if (nPaths == paths.size())
    paths.emplace_back();
  paths[nPaths].assign(pathStack.begin(), pathStack.end());
  ++nPaths;
  pathStack.resize(pathStack.size() - pushed);
  return std::nullopt;
}

std::optional<ModelError>
Evaluator::Impl::splitBranch(const MappingNode &branch) {
  switch (branch.kind) {
  case MappingNodeKind::Nested:
    return splitChain(branch.children);
  case MappingNodeKind::Sequential:
  case MappingNodeKind::Pipeline:
    // Pipeline branches run concurrently, but the model treats them exactly
    // like Sequential ones: each Einsum is analysed on its own.
    for (const MappingNode &b : branch.children)
      if (auto err = splitBranch(b))
        return err;
    return std::nullopt;
  default: {
    // A bare node as a branch is a one-node chain.
    pathStack.push_back(&branch);
    if (nPaths == paths.size())
      paths.emplace_back();
    paths[nPaths].assign(pathStack.begin(), pathStack.end());
    ++nPaths;
    pathStack.pop_back();
    return std::nullopt;
  }
  }
}

//===----------------------------------------------------------------------===//
// Normalising one pmapping (main.py:286-337, mapping.py:1682-1751)
//===----------------------------------------------------------------------===//

std::optional<ModelError>
Evaluator::Impl::normalise(const std::vector<const MappingNode *> &p,
                           const MappingNode &computeNode) {
  const PreparedEinsum &e = *einsum;
  nodes.clear();
  for (size_t i = 0; i + 1 < p.size(); ++i) {
    const MappingNode &m = *p[i];
    switch (m.kind) {
    case MappingNodeKind::Storage:
    case MappingNodeKind::Toll: {
      bool isToll = m.kind == MappingNodeKind::Toll;
      uint32_t archIdx = kNone;
      for (const std::string &name : m.tensors) {
        // Tensors of other Einsums are dropped; a node left with no tensor
        // disappears (main.py:294-312).
        uint32_t local = e.findTensor(name);
        if (local == kNone) {
          if (!prepared.tensorByName.count(name))
            return makeError(ErrorKind::UnknownTensor,
                             "unknown tensor '" + name + "'", &m, e.name);
          continue;
        }
        if (archIdx == kNone) {
          archIdx = arch->findNode(m.component);
          if (archIdx == kNone)
            return makeError(ErrorKind::UnknownComponent,
                             "no component '" + m.component +
                                 "' on the architecture of Einsum '" +
                                 std::string(e.name) + "'",
                             &m, e.name);
          const PreparedNode &pn = arch->nodes[archIdx];
          NodeKind want = isToll ? NodeKind::Toll : NodeKind::Memory;
          if (pn.kind != want)
            return makeError(ErrorKind::WrongComponentKind,
                             "'" + m.component + "' is not a " +
                                 (isToll ? "Toll" : "Memory"),
                             &m, e.name);
          if (pn.readAction == kNone || (!isToll && pn.writeAction == kNone))
            return makeError(ErrorKind::MissingAction,
                             "component '" + m.component + "' has no '" +
                                 (pn.readAction == kNone ? "read" : "write") +
                                 "' action",
                             &m, e.name);
        }
        if (!arch->nodes[archIdx].allowed[local])
          return makeError(ErrorKind::TensorNotAllowed,
                           "tensor '" + name + "' may not be stored in '" +
                               m.component + "'",
                           &m, e.name);
        for (const PNode &prev : nodes)
          if (prev.isHolder() && prev.tensor == local && prev.arch == archIdx)
            return makeError(ErrorKind::DuplicateStorage,
                             "tensor '" + name + "' is already stored in '" +
                                 m.component + "' in this pmapping",
                             &m, e.name);
        PNode n;
        n.kind = isToll ? PKind::Toll : PKind::Storage;
        n.tensor = local;
        n.arch = archIdx;
        n.persistent = m.persistent;
        n.source = &m;
        nodes.push_back(n);
      }
      break;
    }
    case MappingNodeKind::Temporal:
    case MappingNodeKind::Spatial: {
      const std::string *rvName = &m.rankVariable;
      for (const auto &[einsumName, rv] : m.einsumRankVariables)
        if (einsumName == e.name)
          rvName = &rv;
      uint32_t local = e.findRankVariable(*rvName);
      if (local == kNone && !prepared.rankVariableByName.count(*rvName))
        return makeError(ErrorKind::UnknownRankVariable,
                         "unknown rank variable '" + *rvName + "'", &m, e.name);
      if (local == kNone)
        return makeError(ErrorKind::UnknownRankVariable,
                         "'" + *rvName +
                             "' is not a rank variable of Einsum '" +
                             std::string(e.name) + "'",
                         &m, e.name);
      PNode n;
      n.kind =
          m.kind == MappingNodeKind::Spatial ? PKind::Spatial : PKind::Temporal;
      n.rv = local;
      n.source = &m;
      if (m.tileShape.has_value() == m.loopBound.has_value())
        return makeError(ErrorKind::InvalidTileShape,
                         "a loop needs exactly one of a tile shape and a loop "
                         "bound",
                         &m, e.name);
      if ((m.tileShape && !(*m.tileShape > 0)) ||
          (m.loopBound && !(*m.loopBound > 0)) ||
          (m.initialTileShape && !(*m.initialTileShape > 0)))
        return makeError(ErrorKind::InvalidTileShape,
                         "tile shapes and loop bounds must be positive", &m,
                         e.name);
      if (m.initialTileShape && e.simple[local])
        return makeError(ErrorKind::InvalidTileShape,
                         "an initial tile shape is only allowed for rank "
                         "variables used inside projection expressions",
                         &m, e.name);
      if (m.initialTileShape && m.loopBound)
        return makeError(ErrorKind::InvalidTileShape,
                         "an initial tile shape needs an explicit tile shape",
                         &m, e.name);
      n.tile = m.tileShape ? *m.tileShape : 0;
      n.initialTile = m.initialTileShape ? *m.initialTileShape : kNaN;
      for (size_t k = 0; k < tracedLoops.size(); ++k)
        if (tracedLoops[k] == &m) {
          if (!m.tileShape || m.initialTileShape)
            return makeError(ErrorKind::InvalidTileShape,
                             "only loops given by a tile shape can be traced",
                             &m, e.name);
          n.traced = uint32_t(k);
        }
      if (n.kind == PKind::Spatial) {
        n.arch = arch->findNode(m.component);
        if (n.arch == kNone)
          return makeError(ErrorKind::UnknownComponent,
                           "no component '" + m.component +
                               "' on the architecture of Einsum '" +
                               std::string(e.name) + "'",
                           &m, e.name);
        n.dim = arch->findDim(n.arch, m.dimension);
        if (n.dim == kNone)
          return makeError(ErrorKind::UnknownSpatialDimension,
                           "'" + m.component + "' has no spatial dimension '" +
                               m.dimension + "'",
                           &m, e.name);
      }
      nodes.push_back(n);
      break;
    }
    case MappingNodeKind::Compute:
      return makeError(ErrorKind::MalformedMapping,
                       "a Compute node must be the leaf of its branch", &m,
                       e.name);
    default:
      return makeError(ErrorKind::MalformedMapping, "unexpected node", &m,
                       e.name);
    }
  }
  PNode c;
  c.kind = PKind::Compute;
  c.arch = uint32_t(arch->nodes.size() - 1);
  c.source = &computeNode;
  if (arch->nodes[c.arch].computeAction == kNone)
    return makeError(ErrorKind::MissingAction,
                     "compute unit '" + computeNode.component +
                         "' has no 'compute' action",
                     &computeNode, e.name);
  nodes.push_back(c);

  // Backing holders: the first holder of each tensor (main.py:253-259).
  analysed.assign(e.tensors.size(), 0);
  for (PNode &n : nodes)
    if (n.isHolder() && !analysed[n.tensor]) {
      n.isBacking = true;
      analysed[n.tensor] = 1;
    }

  // Loop bounds become tile shapes; the outermost loop of a simple rank
  // variable may factor imperfectly (make_loops.py:422-450).
  std::vector<double> &shape = num.shape;
  shape.assign(e.bounds.begin(), e.bounds.end());
  std::vector<uint8_t> &seenRv = seenRankVariable;
  seenRv.assign(e.rankVariables.size(), 0);
  for (PNode &n : nodes) {
    if (!n.isLoop())
      continue;
    const MappingNode &m = *n.source;
    if (m.loopBound) {
      double extent = shape[n.rv];
      double tile = extent / *m.loopBound;
      double rounded = std::round(tile);
      n.tile = std::abs(tile - rounded) <= 1e-9 * std::max(1.0, tile)
                   ? rounded
                   : std::ceil(tile);
    }
    n.imperfect = e.simple[n.rv] && !seenRv[n.rv];
    seenRv[n.rv] = 1;
    shape[n.rv] = n.tile;
  }

  // Every rank variable with a bound above 1 must be tiled down to single
  // points (main.py:315-337).
  std::string missing;
  for (uint32_t rv = 0; rv < e.rankVariables.size(); ++rv) {
    if (e.bounds[rv] <= 1)
      continue;
    bool found = false;
    for (const PNode &n : nodes)
      found |= n.isLoop() && n.rv == rv && n.tile == 1;
    if (!found)
      missing += (missing.empty() ? "'" : ", '") +
                 problem.workload.rankVariables[e.rankVariables[rv]].name + "'";
  }
  if (!missing.empty())
    return makeError(ErrorKind::NotTiledToOne,
                     "rank variable(s) " + missing + " of Einsum '" +
                         std::string(e.name) +
                         "' are never tiled down to 1: add a loop with tile "
                         "shape 1 over each",
                     &computeNode, e.name);

  // Copy Einsums: reservations are never lowered and holders below the last
  // backing holder are dropped (_symbolic.py:106-148).
  if (isCopy) {
    size_t lastBacking = 0;
    for (size_t i = 0; i < nodes.size(); ++i)
      if (nodes[i].isHolder() && nodes[i].isBacking)
        lastBacking = i;
    size_t out = 0;
    for (size_t i = 0; i < nodes.size(); ++i) {
      if (nodes[i].isHolder() && i > lastBacking)
        continue;
      nodes[out] = nodes[i];
      nodes[out].lower = false;
      ++out;
    }
    nodes.resize(out);
    for (size_t i = 0; i < nodes.size(); ++i) {
      if (!nodes[i].isHolder())
        continue;
      for (size_t j = i + 1; j < nodes.size(); ++j) {
        if (nodes[j].isHolder() && nodes[j].arch == nodes[i].arch) {
          for (size_t k = i + 1; k < j; ++k)
            if (nodes[k].isLoop())
              return makeError(ErrorKind::MalformedMapping,
                               "the storage nodes of a copy Einsum in one "
                               "memory must be back to back (no loop between)",
                               nodes[j].source, e.name);
        }
      }
    }
  }
  analysed.assign(e.tensors.size(), 0);
  for (const PNode &n : nodes)
    if (n.isHolder())
      analysed[n.tensor] = 1;
  if (!isCopy)
    std::fill(analysed.begin(), analysed.end(), 1);

  // A Toll only passes data through: it cannot be the outermost holder of a
  // tensor exchanged between Einsums (run_model.py:112-127).
  for (const PNode &n : nodes)
    if (n.kind == PKind::Toll && n.isBacking &&
        prepared.tensorShared[e.tensors[n.tensor].tensor])
      return makeError(ErrorKind::WrongComponentKind,
                       "Toll '" + std::string(arch->nodes[n.arch].name) +
                           "' is the outermost holder of tensor '" +
                           std::string(e.tensors[n.tensor].name) +
                           "', which other Einsums use; a Memory above it "
                           "must keep it",
                       n.source, e.name);
  return std::nullopt;
}

//===----------------------------------------------------------------------===//
// Reservations (_symbolic.py:345-483)
//===----------------------------------------------------------------------===//

void Evaluator::Impl::insertReservations() {
  const PreparedEinsum &e = *einsum;
  // Plain data, so that the fixed arrays below cost nothing to create.
  struct Tracker {
    uint32_t tensor, level;
    bool persistent, stop, under;
  };
  // A handful of trackers at most; a small local array avoids allocation.
  Tracker trackers[64];
  uint32_t nTrackers = 0;
  seenTensor.assign(e.tensors.size(), 0);

  withRes.clear();
  Tracker below[64], above[64];
  for (const PNode &node : nodes) {
    switch (node.kind) {
    case PKind::Reservation:
      break;
    case PKind::Temporal:
      for (uint32_t j = 0; j < nTrackers; ++j) {
        Relevancy r = e.tensors[trackers[j].tensor].relevancy[node.rv];
        // Lowered through relevant loops; stops above an irrelevant one and
        // one level below a partially relevant one.
        trackers[j].stop = r != Relevancy::Relevant;
        trackers[j].under = r == Relevancy::PartiallyRelevant;
      }
      break;
    case PKind::Spatial:
      for (uint32_t j = 0; j < nTrackers; ++j)
        trackers[j].stop = node.arch != trackers[j].level;
      break;
    case PKind::Storage:
    case PKind::Toll: {
      for (uint32_t j = 0; j < nTrackers; ++j) {
        trackers[j].stop = true;
        trackers[j].under = false;
      }
      Tracker t{node.tensor, node.arch, node.persistent, false, false};
      // Backing holders (and unlowerable ones) measure right below.
      if (!node.lower || !seenTensor[node.tensor]) {
        seenTensor[node.tensor] = 1;
        t.stop = true;
        t.under = true;
      }
      if (nTrackers < 64)
        trackers[nTrackers++] = t;
      break;
    }
    case PKind::Compute:
      for (uint32_t j = 0; j < nTrackers; ++j) {
        trackers[j].stop = true;
        trackers[j].under = false;
      }
      break;
    }

    uint32_t nBelow = 0, nAbove = 0;
    for (uint32_t j = nTrackers; j-- > 0;) {
      if (!trackers[j].stop)
        continue;
      (trackers[j].under ? below[nBelow++] : above[nAbove++]) = trackers[j];
      for (uint32_t k = j; k + 1 < nTrackers; ++k)
        trackers[k] = trackers[k + 1];
      --nTrackers;
    }
    auto reservation = [](const Tracker &t) {
      PNode r;
      r.kind = PKind::Reservation;
      r.tensor = t.tensor;
      r.arch = t.level;
      r.persistent = t.persistent;
      return r;
    };
    // The order the reference's list surgery produces: "below" reservations
    // follow the node, and "above" ones are inserted before the last
    // "below" one (or before the node when there is none).
    if (nBelow == 0) {
      for (uint32_t k = 0; k < nAbove; ++k)
        withRes.push_back(reservation(above[k]));
      withRes.push_back(node);
    } else {
      withRes.push_back(node);
      for (uint32_t k = 0; k + 1 < nBelow; ++k)
        withRes.push_back(reservation(below[k]));
      for (uint32_t k = 0; k < nAbove; ++k)
        withRes.push_back(reservation(above[k]));
      withRes.push_back(reservation(below[nBelow - 1]));
    }
  }
}

//===----------------------------------------------------------------------===//
// Per-tensor views (mapping.py:1336-1540)
//===----------------------------------------------------------------------===//

std::optional<ModelError> Evaluator::Impl::buildView(uint32_t tensor) {
  const PreparedEinsum &e = *einsum;
  view.clear();
  hasParentAt.clear();
  pendingSpatials.assign(spatialIndices.begin(), spatialIndices.end());

  // Spatial loops go right above the first holder (or the compute) that
  // they replicate: the first one at or below their component.
  size_t nextPending = 0;
  auto placeSpatials = [&](uint32_t archIdx) {
    for (size_t k = nextPending; k < pendingSpatials.size(); ++k) {
      uint32_t s = pendingSpatials[k];
      if (s == kNone || withRes[s].arch > archIdx)
        continue;
      view.push_back(s);
      hasParentAt.push_back(0);
      pendingSpatials[k] = kNone;
    }
    while (nextPending < pendingSpatials.size() &&
           pendingSpatials[nextPending] == kNone)
      ++nextPending;
  };
  bool holderAbove = false;
  for (uint32_t i = 0; i < withRes.size(); ++i) {
    const PNode &n = withRes[i];
    switch (n.kind) {
    case PKind::Spatial:
      continue;
    case PKind::Temporal:
      break;
    case PKind::Reservation:
      if (n.tensor != tensor)
        continue;
      break;
    case PKind::Storage:
    case PKind::Toll:
      if (n.tensor != tensor)
        continue;
      placeSpatials(n.arch);
      break;
    case PKind::Compute:
      placeSpatials(n.arch);
      break;
    }
    view.push_back(i);
    hasParentAt.push_back(n.isHolder() && holderAbove);
    if (n.isHolder())
      holderAbove = true;
  }

  // Within each run of consecutive loops, restore the mapping's order.
  bool reordered = false;
  for (size_t a = 0; a < view.size();) {
    if (!withRes[view[a]].isLoop()) {
      ++a;
      continue;
    }
    size_t b = a + 1;
    // Insertion sort: runs are short and almost always already in order.
    for (; b < view.size() && withRes[view[b]].isLoop(); ++b)
      for (size_t k = b; k > a && view[k - 1] > view[k]; --k)
        std::swap(view[k - 1], view[k]);
    a = b;
  }
  uint32_t maxLoop = 0;
  for (uint32_t idx : view) {
    if (!withRes[idx].isLoop())
      continue;
    if (idx < maxLoop)
      reordered = true;
    maxLoop = std::max(maxLoop, idx);
  }
  if (!reordered)
    return std::nullopt;

  // A spatial and a temporal loop over the same rank variable of this tensor
  // must not swap: the tiles would no longer be contiguous.
  for (size_t a = 0; a < view.size(); ++a) {
    const PNode &x = withRes[view[a]];
    if (!x.isLoop())
      continue;
    if (tensor != kNone &&
        e.tensors[tensor].relevancy[x.rv] == Relevancy::Irrelevant)
      continue;
    for (size_t b = a + 1; b < view.size(); ++b) {
      const PNode &y = withRes[view[b]];
      if (y.isLoop() && y.rv == x.rv && view[a] > view[b])
        return makeError(
            ErrorKind::SpatialTemporalConflict,
            "this loop and '" + describe(*y.source) +
                "' iterate the same rank variable but must be reordered to "
                "place the spatial loop next to the storage it replicates; "
                "move the spatial loop below the storage node",
            x.source, e.name);
    }
  }
  return std::nullopt;
}

//===----------------------------------------------------------------------===//
// The analysis (_symbolic.py:535-1065, _common.py:95-240)
//===----------------------------------------------------------------------===//

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
  assert(n.isLoop() && "compute-only views hold loops and the compute");
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
  assert(stack.size() >= 2 && "a holder always has the compute below it");
  EntryT<S> &me = stack[stack.size() - 1];
  const BuffetStatsT<S> &child = stack[stack.size() - 2].stats;
  assert(me.level == n.arch && "the holder's reservation is right below it");
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

//===----------------------------------------------------------------------===//
// One pmapping
//===----------------------------------------------------------------------===//

std::optional<ModelError> Evaluator::Impl::preparePmapping(uint32_t pathIdx) {
  const std::vector<const MappingNode *> &p = paths[pathIdx];
  const MappingNode &leaf = *p.back();
  if (leaf.kind != MappingNodeKind::Compute)
    return makeError(ErrorKind::MalformedMapping,
                     "every branch of a mapping must end in a Compute node",
                     &leaf);
  auto it = prepared.einsumByName.find(leaf.einsum);
  if (it == prepared.einsumByName.end())
    return makeError(ErrorKind::UnknownEinsum,
                     "unknown Einsum '" + leaf.einsum + "'", &leaf);
  const uint32_t einsumIdx = it->second;
  if (einsumSeen[einsumIdx])
    return makeError(ErrorKind::DuplicateEinsum,
                     "Einsum '" + leaf.einsum +
                         "' has more than one Compute node",
                     &leaf, leaf.einsum);
  einsumSeen[einsumIdx] = 1;
  einsum = &prepared.einsums[einsumIdx];
  isCopy = einsum->isCopy;
  arch = prepared.findArch(einsumIdx, leaf.component);
  if (!arch)
    return makeError(ErrorKind::UnknownComponent,
                     "no architecture of Einsum '" + leaf.einsum +
                         "' ends in compute unit '" + leaf.component + "'",
                     &leaf, leaf.einsum);

  if (auto err = normalise(p, leaf))
    return err;
  insertReservations();
  spatialIndices.clear();
  for (uint32_t i = 0; i < withRes.size(); ++i)
    if (withRes[i].kind == PKind::Spatial)
      spatialIndices.push_back(i);
  return std::nullopt;
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

template <class S>
void Evaluator::Impl::tallyCalls(const std::vector<BuffetT<S>> &buffets,
                                 std::vector<S> &readCalls,
                                 std::vector<S> &writeCalls,
                                 std::vector<uint8_t> &hasBuffet) const {
  const uint32_t nNodes = uint32_t(arch->nodes.size());
  readCalls.assign(nNodes, S(0.0));
  writeCalls.assign(nNodes, S(0.0));
  hasBuffet.assign(nNodes, 0);
  for (const BuffetT<S> &b : buffets) {
    hasBuffet[b.level] = 1;
    if (b.isCompute)
      continue;
    readCalls[b.level] += b.stats.maxPerUnitReadActions -
                          b.stats.minPerUnitSkippedFirstReadActions;
    if (arch->nodes[b.level].kind != NodeKind::Toll)
      writeCalls[b.level] += b.stats.maxPerUnitWriteActions -
                             b.stats.minPerUnitSkippedFirstWriteActions;
  }
  hasBuffet[nNodes - 1] = 1; // the compute unit
}

std::optional<ModelError> Evaluator::Impl::report(Result &result) {
  const PreparedEinsum &e = *einsum;
  const PreparedArch &a = *arch;
  const uint32_t nNodes = uint32_t(a.nodes.size());
  const bool detailed = options.detailed;
  const double n = e.nInstances;

  // Spatial use (run_model.py:67-110).
  for (uint32_t d = 0; d < a.dims.size(); ++d) {
    const PreparedDim &dim = a.dims[d];
    double used = num.usedFanout[d] != 0 ? num.usedFanout[d] : 1;
    if (used > dim.fanout * (1 + 1e-12))
      return makeError(ErrorKind::FanoutExceeded,
                       "the mapping uses " + formatNumber(used) +
                           " spatial instances of " +
                           std::string(a.nodes[dim.node].name) + "." +
                           std::string(dim.name) + ", but its fanout is only " +
                           formatNumber(dim.fanout) +
                           "; increase the spatial loop's tile shape or "
                           "shrink an outer loop's tile",
                       firstSourceOf(PKind::Spatial, dim.node, d), e.name);
    result.spatialUsage.push_back({e.name, a.nodes[dim.node].name, dim.name,
                                   used, dim.fanout,
                                   used / dim.fanout * dim.usageScale});
  }

  // Capacity (run_model.py:129-185): occupancies grouped by loop depth,
  // cumulative from the outermost.
  occ.clear();
  for (const BuffetT<double> &b : num.buffets) {
    if (b.isCompute || a.nodes[b.level].kind != NodeKind::Memory)
      continue;
    double bits = b.stats.maxOccupancy;
    if (bits == 0)
      continue;
    int depth = b.stats.persistent ? -1 : b.stats.nLoopsAbove;
    if (b.stats.persistent)
      bits *= n;
    occ.push_back({b.level, depth, bits});
  }
  // Stable, as traceTotals sorts: equal keys keep their order, so both sum
  // occupancies in the same order.
  std::stable_sort(occ.begin(), occ.end(), [](const Occ &x, const Occ &y) {
    return x.memory != y.memory ? x.memory < y.memory : x.nLoops < y.nLoops;
  });
  ModelError capacityError;
  for (size_t i = 0; i < occ.size();) {
    uint32_t mem = occ[i].memory;
    double size = a.nodes[mem].size;
    double running = 0;
    while (i < occ.size() && occ[i].memory == mem) {
      int depth = occ[i].nLoops;
      while (i < occ.size() && occ[i].memory == mem && occ[i].nLoops == depth)
        running += occ[i++].bits;
      if (detailed)
        result.reservations.push_back(
            {e.name, a.nodes[mem].name, depth, running / size});
    }
    result.memoryUsage.push_back(
        {e.name, a.nodes[mem].name, running, size, running / size});
    if (running > size * (1 + 1e-12)) {
      CapacityOverflow o;
      o.einsum = std::string(e.name);
      o.memory = std::string(a.nodes[mem].name);
      o.usedBits = running;
      o.sizeBits = size;
      if (capacityError.overflows.empty()) {
        const MappingNode *src = firstSourceOf(PKind::Storage, mem);
        capacityError.location = src ? src->location : SourceLocation();
        capacityError.node = src ? describe(*src) : "";
      }
      capacityError.overflows.push_back(o);
    }
  }
  if (!capacityError.overflows.empty()) {
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
    return capacityError;
  }
  for (const BuffetT<double> &b : num.buffets) {
    if (b.isCompute || a.nodes[b.level].kind != NodeKind::Memory)
      continue;
    double bits = b.stats.maxOccupancy * (b.stats.persistent ? n : 1);
    int depth = b.stats.persistent ? -1 : b.stats.nLoopsAbove;
    if (bits != 0)
      reservationRecords.push_back({a.nodes[b.level].name,
                                    e.tensors[b.tensor].tensor, bits,
                                    a.nodes[b.level].size, depth});
    if (detailed)
      result.occupancies.push_back({e.name, a.nodes[b.level].name,
                                    e.tensors[b.tensor].name, bits, depth,
                                    b.stats.persistent});
  }

  // Latency (latency/memory.py:65-192): per-instance calls per component.
  tallyCalls(num.buffets, readCalls, writeCalls, hasBuffet);
  const uint32_t computeIdx = nNodes - 1;
  const double computeCalls = std::max(0.0, num.computeStats.maxLatency);
  double einsumLatency = 0;
  for (uint32_t i = 0; i < nNodes; ++i) {
    if (!hasBuffet[i])
      continue;
    const PreparedNode &pn = a.nodes[i];
    activity.clear();
    for (uint32_t k = 0; k < pn.node->actions.size(); ++k) {
      const Action &act = pn.node->actions[k];
      double calls = 0;
      if (i == computeIdx) {
        if (k == pn.computeAction)
          calls = computeCalls;
      } else if (k == pn.readAction) {
        calls = readCalls[i];
      } else if (k == pn.writeAction) {
        calls = writeCalls[i];
      }
      activity.push_back({act.name, calls * pn.actionsScale, act.throughput,
                          act.energy, act.bitsPerAction});
    }
    ComponentActivity ca;
    ca.component = pn.node;
    ca.actions = activity;
    double latency = pn.node->totalLatency ? pn.node->totalLatency(ca)
                                           : defaultTotalLatency(ca);
    // The Einsum's latency is the slowest component, ignoring zeros
    // (run_model.py:47-48); components are assumed to overlap perfectly.
    if (latency != 0 && !(latency <= einsumLatency))
      einsumLatency = latency;
    if (detailed)
      result.latencies.push_back({e.name, pn.name, latency * n});
  }

  // Actions and dynamic energy (energy.py:18-82, 154-190).
  double dynamicEnergy = 0;
  for (const BuffetT<double> &b : num.buffets) {
    if (b.isCompute)
      continue;
    const PreparedNode &pn = a.nodes[b.level];
    const std::string_view tensor = e.tensors[b.tensor].name;
    double reads, writes;
    buffetActions(b.stats, pn.actionsScale, reads, writes);
    if (detailed) {
      result.actions.push_back({e.name, pn.name, tensor, "read", reads * n});
      result.actions.push_back({e.name, pn.name, tensor, "write", writes * n});
    }
    if (reads != 0) {
      double energy = reads * pn.node->actions[pn.readAction].energy;
      dynamicEnergy += energy;
      if (detailed)
        result.energies.push_back(
            {e.name, pn.name, tensor, "read", energy * n});
    }
    if (writes != 0) {
      if (pn.writeAction == kNone)
        return makeError(ErrorKind::MissingAction,
                         "component '" + std::string(pn.name) +
                             "' has no 'write' action",
                         firstSourceOf(PKind::Toll, b.level), e.name);
      double energy = writes * pn.node->actions[pn.writeAction].energy;
      dynamicEnergy += energy;
      if (detailed)
        result.energies.push_back(
            {e.name, pn.name, tensor, "write", energy * n});
    }
  }
  {
    const PreparedNode &pn = a.nodes[computeIdx];
    double computes = num.computeStats.totalOps * pn.actionsScale;
    if (detailed)
      result.actions.push_back(
          {e.name, pn.name, kNoTensor, "compute", computes * n});
    if (computes != 0) {
      double energy = computes * pn.node->actions[pn.computeAction].energy;
      dynamicEnergy += energy;
      if (detailed)
        result.energies.push_back(
            {e.name, pn.name, kNoTensor, "compute", energy * n});
    }
  }

  // Leak for every component of the architecture, at this Einsum's latency.
  // Power gating: the fraction of instances used along power-gateable
  // dimensions at or above the component (the intended behaviour; see
  // runtime/model/README.md for the reference's double division).
  double leakEnergy = 0;
  double gated = 1;
  const bool own = options.includeOwnFanoutInAreaAndLeak;
  for (uint32_t i = 0; i < nNodes; ++i) {
    const PreparedNode &pn = a.nodes[i];
    for (uint32_t d = pn.firstDim; d < pn.firstDim + pn.nDims; ++d)
      if (a.dims[d].powerGateable) {
        double used = num.usedFanout[d] != 0 ? num.usedFanout[d] : 1;
        gated *= used / a.dims[d].fanout;
      }
    if (pn.kind == NodeKind::Container)
      continue;
    double instances = pn.parentFanout * (own ? pn.ownFanout : 1);
    double leak = pn.node->leakPower * instances * einsumLatency * gated;
    leakEnergy += leak;
    if (detailed)
      result.energies.push_back(
          {e.name, pn.name, kNoTensor, kLeakAction, leak * n});
  }
  for (const OffPathComponent &c : a.arch->otherComponents) {
    double instances = c.parentFanout * (own ? c.ownFanout : 1);
    double leak = c.leakPower * instances * einsumLatency;
    leakEnergy += leak;
    if (detailed)
      result.energies.push_back(
          {e.name, c.name, kNoTensor, kLeakAction, leak * n});
  }

  EinsumSummary summary;
  summary.einsum = e.name;
  summary.compute = a.nodes[computeIdx].name;
  summary.dynamicEnergy = dynamicEnergy * n;
  summary.leakEnergy = leakEnergy * n;
  summary.energy = (dynamicEnergy + leakEnergy) * n;
  summary.latency = einsumLatency * n;
  summary.computes =
      num.computeStats.totalOps * a.nodes[computeIdx].actionsScale * n;
  summary.iterationSpacePoints = e.iterationSpacePoints;
  summary.nInstances = n;
  result.einsums.push_back(summary);
  return std::nullopt;
}

//===----------------------------------------------------------------------===//
// Tracing (Symbolic.h): report()'s totals over traced numbers
//===----------------------------------------------------------------------===//

std::optional<ModelError> Evaluator::Impl::traceTotals(Numbers<Sym> &num,
                                                       ExprBuilder &b,
                                                       TracedCost &out) {
  const PreparedEinsum &e = *einsum;
  const PreparedArch &a = *arch;
  const uint32_t nNodes = uint32_t(a.nodes.size());
  const double n = e.nInstances;
  auto point = [&](PointValue::Kind kind, uint32_t node, uint32_t action = 0) {
    return Sym::node(&b, b.pointValue({kind, node, action}));
  };
  auto notTraceable = [&](std::string why) {
    return makeError(ErrorKind::NotTraceable, std::move(why), nullptr, e.name);
  };
  const Sym one(1.0), zero(0.0);

  // Spatial use and capacity: count the checks report() would fail.
  Sym violations = zero;
  for (uint32_t d = 0; d < a.dims.size(); ++d) {
    Sym used = orOne(num.usedFanout[d]);
    violations += selectLess(Sym(a.dims[d].fanout * (1 + 1e-12)), used, one,
                             zero);
  }
  struct TracedOcc {
    uint32_t memory;
    int nLoops;
    Sym bits;
  };
  std::vector<TracedOcc> occ;
  for (const BuffetT<Sym> &buf : num.buffets) {
    if (buf.isCompute || a.nodes[buf.level].kind != NodeKind::Memory)
      continue;
    Sym bits = buf.stats.maxOccupancy;
    // Occupancies are products of tile extents (at least 1) and bits per
    // value, so only a known zero is zero.
    if (bits.is(0))
      continue;
    int depth = buf.stats.persistent ? -1 : buf.stats.nLoopsAbove;
    if (buf.stats.persistent)
      bits *= n;
    occ.push_back({buf.level, depth, bits});
  }
  std::stable_sort(occ.begin(), occ.end(),
                   [](const TracedOcc &x, const TracedOcc &y) {
                     return x.memory != y.memory ? x.memory < y.memory
                                                 : x.nLoops < y.nLoops;
                   });
  for (size_t i = 0; i < occ.size();) {
    uint32_t mem = occ[i].memory;
    Sym running = zero;
    while (i < occ.size() && occ[i].memory == mem)
      running += occ[i++].bits;
    Sym size = point(PointValue::MemorySize, mem);
    violations += selectLess(size * Sym(1 + 1e-12), running, one, zero);
  }

  // Latency.
  std::vector<Sym> readCalls, writeCalls;
  std::vector<uint8_t> hasBuffet;
  tallyCalls(num.buffets, readCalls, writeCalls, hasBuffet);
  const uint32_t computeIdx = nNodes - 1;
  const Sym computeCalls =
      selectLess(zero, num.computeStats.maxLatency,
                 num.computeStats.maxLatency, zero); // std::max(0, x)
  Sym einsumLatency = zero;
  std::vector<ActionSymbols> actions;
  for (uint32_t i = 0; i < nNodes; ++i) {
    if (!hasBuffet[i])
      continue;
    const PreparedNode &pn = a.nodes[i];
    actions.clear();
    Sym latency = zero;
    for (uint32_t k = 0; k < pn.node->actions.size(); ++k) {
      Sym calls = zero;
      if (i == computeIdx) {
        if (k == pn.computeAction)
          calls = computeCalls;
      } else if (k == pn.readAction) {
        calls = readCalls[i];
      } else if (k == pn.writeAction) {
        calls = writeCalls[i];
      }
      calls = calls * Sym(pn.actionsScale);
      Sym throughput = point(PointValue::ActionThroughput, i, k);
      if (pn.node->totalLatency) {
        actions.push_back(
            {calls.in(&b), throughput.in(&b),
             point(PointValue::ActionEnergy, i, k).in(&b),
             point(PointValue::ActionBitsPerAction, i, k).in(&b)});
      } else if (!calls.is(0)) {
        // defaultTotalLatency: an action without calls costs no time.
        latency += selectLess(zero, calls, calls / throughput, zero);
      }
    }
    if (pn.node->totalLatency) {
      if (!pn.node->totalLatencyTrace)
        return notTraceable("the total_latency of '" + std::string(pn.name) +
                            "' has no symbolic form");
      std::optional<ExprBuilder::Id> id =
          pn.node->totalLatencyTrace(b, actions);
      if (!id)
        return notTraceable("the total_latency of '" + std::string(pn.name) +
                            "' could not be traced");
      latency = Sym::node(&b, *id);
    }
    // Latency = the slowest component, ignoring zeros; latencies are never
    // negative, so a known zero can only be replaced.
    if (latency.is(0))
      continue;
    einsumLatency = einsumLatency.is(0)
                        ? latency
                        : selectLess(einsumLatency, latency, latency,
                                     einsumLatency);
  }

  // Dynamic energy.
  Sym dynamicEnergy = zero;
  for (const BuffetT<Sym> &buf : num.buffets) {
    if (buf.isCompute)
      continue;
    const PreparedNode &pn = a.nodes[buf.level];
    Sym reads, writes;
    buffetActions(buf.stats, pn.actionsScale, reads, writes);
    if (!reads.is(0))
      dynamicEnergy +=
          reads * point(PointValue::ActionEnergy, buf.level, pn.readAction);
    if (!writes.is(0)) {
      if (pn.writeAction == kNone)
        return notTraceable("component '" + std::string(pn.name) +
                            "' has no 'write' action");
      dynamicEnergy +=
          writes * point(PointValue::ActionEnergy, buf.level, pn.writeAction);
    }
  }
  {
    const PreparedNode &pn = a.nodes[computeIdx];
    Sym computes = num.computeStats.totalOps * Sym(pn.actionsScale);
    if (!computes.is(0))
      dynamicEnergy += computes * point(PointValue::ActionEnergy, computeIdx,
                                        pn.computeAction);
  }

  // Leak, as report().
  Sym leakEnergy = zero;
  Sym gated = one;
  const bool own = options.includeOwnFanoutInAreaAndLeak;
  for (uint32_t i = 0; i < nNodes; ++i) {
    const PreparedNode &pn = a.nodes[i];
    for (uint32_t d = pn.firstDim; d < pn.firstDim + pn.nDims; ++d)
      if (a.dims[d].powerGateable)
        gated *= orOne(num.usedFanout[d]) / Sym(a.dims[d].fanout);
    if (pn.kind == NodeKind::Container)
      continue;
    double instances = pn.parentFanout * (own ? pn.ownFanout : 1);
    leakEnergy += point(PointValue::LeakPower, i) * Sym(instances) *
                  einsumLatency * gated;
  }
  const std::vector<OffPathComponent> &others = a.arch->otherComponents;
  for (uint32_t c = 0; c < others.size(); ++c) {
    double instances =
        others[c].parentFanout * (own ? others[c].ownFanout : 1);
    leakEnergy += point(PointValue::OffPathLeakPower, c) * Sym(instances) *
                  einsumLatency;
  }

  // run() sums the Einsums' totals from zero; one Einsum here.
  out.energy = ((dynamicEnergy + leakEnergy) * Sym(n)).in(&b);
  out.latency = (einsumLatency * Sym(n)).in(&b);
  out.violations = violations.in(&b);
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

//===----------------------------------------------------------------------===//
// Whole mapping
//===----------------------------------------------------------------------===//

void Evaluator::Impl::wholeMappingUsage(Result &result) {
  // The reference's join keeps, while one Einsum runs, its own reservations
  // plus those of other Einsums made above the loops they share with it
  // (still live), counting a tensor once per memory. This reproduces its
  // resource_usage() for fused and unfused mappings alike.
  auto sharedLoops = [&](const PmappingInfo &x, const PmappingInfo &y) {
    const auto &px = paths[x.path], &py = paths[y.path];
    int loops = 0;
    for (size_t i = 0; i + 1 < px.size() && i + 1 < py.size(); ++i) {
      if (px[i] != py[i])
        break;
      loops += px[i]->isLoop();
    }
    return loops;
  };
  size_t firstUsage = result.resourceUsage.size();
  for (size_t i = 0; i < reservationRecords.size(); ++i) {
    std::string_view mem = reservationRecords[i].memory;
    bool seen = false;
    for (size_t k = firstUsage; k < result.resourceUsage.size(); ++k)
      seen |= result.resourceUsage[k].memory == mem;
    if (seen)
      continue;
    double peak = 0;
    for (const PmappingInfo &x : pmappings) {
      double live = 0;
      for (size_t r = x.reservationsBegin; r < x.reservationsEnd; ++r)
        if (reservationRecords[r].memory == mem)
          live += reservationRecords[r].bits;
      for (const PmappingInfo &y : pmappings) {
        if (&x == &y)
          continue;
        int shared = sharedLoops(x, y);
        for (size_t r = y.reservationsBegin; r < y.reservationsEnd; ++r) {
          const ReservationRecord &rec = reservationRecords[r];
          if (rec.memory != mem || rec.nLoopsAbove >= shared)
            continue;
          bool mine = false;
          for (size_t q = x.reservationsBegin; q < x.reservationsEnd; ++q)
            mine |= reservationRecords[q].memory == mem &&
                    reservationRecords[q].tensor == rec.tensor;
          if (!mine)
            live += rec.bits;
        }
      }
      peak = std::max(peak, live);
    }
    double size = reservationRecords[i].size;
    result.resourceUsage.push_back({{}, mem, peak, size, peak / size});
  }
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

Expected<TracedCost>
Evaluator::trace(const Mapping &mapping,
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
