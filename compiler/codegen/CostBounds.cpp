//===- CostBounds.cpp - lower bounds on a partial tile shape's cost -------===//
//
// See CostBounds.h. Polynomials are sorted term lists; a monomial is a byte
// string: one signed exponent per tile argument, then the ids of its atoms
// (4 bytes each, ascending, repeated for powers).
//
//===----------------------------------------------------------------------===//
#include "afc/codegen/CostBounds.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <tuple>

namespace afc::codegen {

namespace bounds_detail {

// Beyond these sizes the analysis gives up on the template (no bounds).
constexpr size_t kMaxTerms = 4096;
constexpr int kMaxExponent = 60;
/// Relative margin of bounds and of the branch decisions they make: sums
/// here are ordered differently from the kernel's.
constexpr double kMargin = 1e-12;
constexpr double kInf = std::numeric_limits<double>::infinity();

struct Term {
  std::string mono;
  double c;
};
using Poly = std::vector<Term>; ///< sorted by monomial, no zero coefficient

enum class Sign : uint8_t { Unknown, NonNegative, Positive };
Sign weaker(Sign a, Sign b) { return a < b ? a : b; }

/// How a node's polynomial relates to the node's value: equal, or a lower
/// or an upper bound of it for every tile shape (ceil(x) >= x).
enum class Rel : uint8_t { Exact, Lower, Upper, None };
Rel flip(Rel r) {
  return r == Rel::Lower ? Rel::Upper : r == Rel::Upper ? Rel::Lower : r;
}
bool lowerBounded(Rel r) { return r == Rel::Exact || r == Rel::Lower; }
Rel combine(Rel a, Rel b) {
  if (a == Rel::Exact)
    return b;
  if (b == Rel::Exact || a == b)
    return a;
  return Rel::None;
}

struct Atom {
  uint32_t node; ///< the graph node it stands for
  Op op;
  std::vector<Poly> args;
  std::vector<Rel> argRel;
  Sign sign = Sign::Unknown;
  uint64_t deps = 0; ///< tile arguments the graph node reads
};

/// c x (the assigned tiles' part of monomial `mono`) x fixed atoms. The
/// search keeps each monomial's assigned part as loops are assigned
/// (CostBounds::assign).
struct KnownTerm {
  double c;
  uint32_t mono;
  std::vector<uint32_t> atoms; ///< atom ids
};
/// Of one fanout dimension, the inverses of its spatial loops' splits (the
/// tile of the next loop out, free, over the loop's own tile) a group's
/// free part holds: t_outer^-1, times t_loop when the loop is free too (a
/// count over both). Their product is at least 1 / (the dimension's
/// fanoutLeft x the assigned spatial loops' tiles), which the box misses
/// where several splits may each take the whole fanout, or where both
/// tiles of one are free. Only sets of two powers or more.
struct JointSplits {
  uint32_t dimension;
  std::vector<uint16_t> powers; ///< indices into the level's `powers`
  std::vector<uint8_t> spatialTiles;
  friend bool operator<(const JointSplits &a, const JointSplits &b) {
    return std::tie(a.dimension, a.powers, a.spatialTiles) <
           std::tie(b.dimension, b.powers, b.spatialTiles);
  }
};

/// A group's sets of inverted splits (indices into the level's
/// `jointSets`), and its other free powers.
struct GroupJoint {
  std::vector<uint16_t> sets, plainPowers;
};

/// Terms sharing one free part: (sum of known terms) x free tiles^e x
/// free atoms.
struct Group {
  std::vector<KnownTerm> known;
  /// Free tiles' powers, as indices into the level's `powers` (at most 64
  /// tiles x 256 exponents).
  std::vector<uint16_t> freePowers;
  std::vector<uint32_t> freeAtoms;
  /// The group's sets of inverted splits: an index into the level's
  /// `groupJoints` (-1: none). Apart, as few groups have one and the
  /// bounds' hot loop walks every group.
  int32_t joint = -1;
  /// The free atoms are never negative and are not evaluated: with a
  /// non-negative coefficient the group adds at least 0 (the energy's
  /// leakage times the latency, whose bound would cost the latency's).
  bool atomsUnevaluated = false;
};
using PolyProgram = std::vector<Group>;

struct AtomProgram {
  uint32_t atom;
  Op op;
  /// ScaledThen: x < y ? c y : 0 with c > 0 (a count's cost, nothing
  /// when there is none), whose then-branch is y's interval scaled.
  /// Affine: a tile less 1 in a window extent (shiftWindowTiles), bounded
  /// by its own polynomial.
  enum Pattern : uint8_t {
    General,
    Max,
    Min,
    ScaledThen,
    Affine
  } pattern = General;
  std::vector<PolyProgram> args;
  std::vector<Rel> argRel;
  double scale = 1; ///< ScaledThen's c
};

struct Interval {
  double lo, hi;
  double mag;       ///< see Evaluation
  double loMag = 0; ///< the part of mag that lo's terms went through
};

} // namespace bounds_detail

using namespace bounds_detail;

/// What one output's bound evaluates: the atoms it reads (fixed ones from
/// the graph's nodes, free ones by interval arithmetic) and its polynomials.
struct BoundProgram {
  /// Graph nodes to interpret (ascending): fixed atoms and latency leaves.
  std::vector<uint32_t> nodes;
  std::vector<std::pair<uint32_t, uint32_t>> knownAtoms; ///< (atom, node)
  /// Atoms that read a free tile, ascending (operands before users).
  std::vector<AtomProgram> freeAtoms;
};

struct CostBounds::Level {
  /// The free tiles' powers (tile, exponent) its groups read: each is
  /// computed once per partial tile shape (lowerBound's `shared`), not once
  /// per group.
  std::vector<std::pair<uint8_t, int8_t>> powers;
  /// The sets of inverted splits its groups read, each bounded once per
  /// partial tile shape too.
  std::vector<JointSplits> jointSets;
  std::vector<GroupJoint> groupJoints;
  BoundProgram energyProgram, latencyProgram, tightEnergyProgram;
  PolyProgram energy, tightEnergy;
  /// Some group of `energy` is not evaluated (tightEnergy evaluates it).
  bool energyLeavesOut = false;
  /// Whether the polynomial bounds the energy from below.
  bool energyBounded = false;
  /// The latency is the largest of these (the model's max over
  /// components). A leaf the assigned tiles fix is its graph node's value,
  /// bit for bit the kernel's; so a bound set by a component whose latency
  /// is already known (often the compute's) is exact, and ties with a row
  /// found before are seen as such.
  struct LatencyLeaf {
    uint32_t node;
    bool known;
    bool bounded; ///< the polynomial bounds it from below
    PolyProgram value;
  };
  std::vector<LatencyLeaf> latency;
};

class CostBoundsAnalysis {
public:
  CostBoundsAnalysis(const CostGraph &g, std::span<const double> point,
                     std::span<const CostBounds::TileChain> chains)
      : g(g), point(point), chains(chains), n(g.numTileArgs()) {}

  bool run(CostBounds &out);

private:
  std::string unitMono() const { return std::string(n, '\0'); }
  uint32_t atomAt(const std::string &m, size_t k) const {
    uint32_t a;
    std::memcpy(&a, m.data() + n + 4 * k, 4);
    return a;
  }
  size_t numAtoms(const std::string &m) const { return (m.size() - n) / 4; }
  bool mulMono(const std::string &a, const std::string &b,
               std::string &out) const;

  Poly constant(double c) const {
    if (c == 0)
      return {};
    return {{unitMono(), c}};
  }

  static Poly normalise(std::vector<Term> terms);
  static Poly addPoly(const Poly &a, const Poly &b, double sign) {
    std::vector<Term> terms = a;
    for (const Term &t : b)
      terms.push_back({t.mono, sign * t.c});
    return normalise(std::move(terms));
  }
  bool mulPoly(const Poly &a, const Poly &b, Poly &out) const;
  static Poly negated(Poly p) {
    for (Term &t : p)
      t.c = -t.c;
    return p;
  }
  /// c with x = c y term by term (to rounding), if there is one.
  static std::optional<double> scaleOf(const Poly &x, const Poly &y) {
    if (x.size() != y.size() || x.empty())
      return std::nullopt;
    double c = x[0].c / y[0].c;
    for (size_t k = 0; k < x.size(); ++k)
      if (x[k].mono != y[k].mono ||
          !(std::fabs(x[k].c - c * y[k].c) <= 1e-15 * std::fabs(x[k].c)))
        return std::nullopt;
    return c;
  }
  static bool samePoly(const Poly &x, const Poly &y) {
    if (x.size() != y.size())
      return false;
    for (size_t k = 0; k < x.size(); ++k)
      if (x[k].mono != y[k].mono || x[k].c != y[k].c)
        return false;
    return true;
  }
  /// Tiles are at least 1, so a monomial is positive when its atoms are,
  /// and one without atoms or negative exponents is at least 1: a sum of
  /// such terms outweighs negative constants (a sliding window's t + r - 1).
  Sign signOf(const Poly &p) const {
    if (p.empty())
      return Sign::NonNegative;
    Sign s = Sign::Positive;
    double least = 0;
    bool negative = false;
    for (const Term &t : p) {
      bool plain = numAtoms(t.mono) == 0;
      bool atLeastOne = plain && std::all_of(t.mono.begin(), t.mono.end(),
                                             [](char x) { return x >= 0; });
      if (t.c < 0) {
        bool constant = plain && std::all_of(t.mono.begin(), t.mono.end(),
                                             [](char x) { return x == 0; });
        if (!constant)
          return Sign::Unknown;
        negative = true;
        least += t.c;
        continue;
      }
      if (atLeastOne)
        least += t.c;
      for (size_t k = 0; k < numAtoms(t.mono); ++k)
        s = weaker(s, atoms[atomAt(t.mono, k)].sign);
    }
    if (!negative)
      return s;
    if (s == Sign::Unknown || least < 0)
      return Sign::Unknown;
    return least > 0 ? Sign::Positive : Sign::NonNegative;
  }
  Poly atomPoly(Op op, uint32_t node, std::vector<Poly> args,
               std::vector<Rel> argRel, Sign sign) {
    uint32_t id = uint32_t(atoms.size());
    atoms.push_back(Atom{node, op, std::move(args), std::move(argRel), sign,
                         deps[node]});
    std::string m = unitMono();
    m.append(reinterpret_cast<const char *>(&id), 4);
    return {{m, 1.0}};
  }
  /// The tile a monomial is, to the first power and without atoms; -1 when
  /// it is not one tile.
  int tileOf(const std::string &mono) const {
    if (numAtoms(mono) != 0)
      return -1;
    int tile = -1;
    for (unsigned j = 0; j < n; ++j)
      if (int8_t e = int8_t(mono[j])) {
        if (e != 1 || tile >= 0)
          return -1;
        tile = int(j);
      }
    return tile;
  }
  /// A sliding window's extent, p + r - 1 (or a partial sum of one): a sum
  /// of at least two tiles with positive coefficients and a negative
  /// constant.
  bool isWindowExtent(const Poly &p) const {
    int tilesSeen = 0;
    bool negativeConstant = false;
    for (const Term &t : p) {
      if (t.mono == unitMono()) {
        negativeConstant = negativeConstant || t.c < 0;
        continue;
      }
      if (tileOf(t.mono) < 0 || !(t.c > 0))
        return false;
      ++tilesSeen;
    }
    return tilesSeen >= 2 && negativeConstant && signOf(p) != Sign::Unknown;
  }
  /// Rewrites window extent i (model.md's dense tile: the sum of c (t - 1)
  /// over the rank's tiles, plus 1) with each t - 1 but that of the largest
  /// rank as an atom, never negative: p + (r - 1). Expanded as p + r - 1,
  /// the products that use it hold a negative term apart from the positive
  /// ones it cancels, and bounded each at its own corner they fall below
  /// 0 (a negative energy bound); p stays a tile, so a count over p times
  /// the extent still cancels p exactly.
  void shiftWindowTiles(uint32_t i);
  /// Per graph node t - 1 of tile t: t's index (else -1), and its atom.
  std::vector<int> shiftTile;
  std::map<uint32_t, Poly> shiftAtom;
  bool translate(uint32_t i);
  bool isWhole(const Poly &p) const;

  /// Group::joint of a compiled group.
  void findJointSplits(Group &grp, uint64_t known);
  PolyProgram compile(const Poly &p, uint64_t known,
                      std::vector<uint8_t> &neededAtoms,
                      std::vector<uint8_t> &knownAtomsUsed,
                      bool skipNonNegativeAtoms = false);
  /// The atoms and graph nodes an output's polynomials read.
  BoundProgram finishProgram(uint64_t known, std::vector<uint8_t> &needed,
                             std::vector<uint8_t> &knownUsed,
                             const std::vector<uint32_t> &leaves);

  const CostGraph &g;
  std::span<const double> point;
  std::span<const CostBounds::TileChain> chains;
  unsigned n;
  std::vector<Poly> poly; ///< per graph node
  std::vector<Rel> rel;   ///< per graph node
  /// The tile parts of the monomials the programs read.
  std::map<std::string, uint32_t> monoIndex;
  /// The level being compiled: its powers, and their indices.
  std::vector<std::pair<uint8_t, int8_t>> *powers = nullptr;
  std::map<std::pair<uint8_t, int8_t>, uint16_t> powerIndex;
  std::vector<JointSplits> *jointSets = nullptr;
  std::map<JointSplits, uint16_t> jointIndex;
  std::vector<GroupJoint> *groupJoints = nullptr;
  std::vector<std::string> monos;
  std::vector<uint64_t> deps;
  std::vector<Atom> atoms;
};

bool CostBoundsAnalysis::mulMono(const std::string &a, const std::string &b,
                                 std::string &out) const {
  out.assign(n, '\0');
  for (unsigned j = 0; j < n; ++j) {
    int e = int(int8_t(a[j])) + int(int8_t(b[j]));
    if (std::abs(e) > kMaxExponent)
      return false;
    out[j] = char(int8_t(e));
  }
  std::vector<uint32_t> ids;
  for (size_t k = 0; k < numAtoms(a); ++k)
    ids.push_back(atomAt(a, k));
  for (size_t k = 0; k < numAtoms(b); ++k)
    ids.push_back(atomAt(b, k));
  std::sort(ids.begin(), ids.end());
  for (uint32_t id : ids)
    out.append(reinterpret_cast<const char *>(&id), 4);
  return true;
}

Poly CostBoundsAnalysis::normalise(std::vector<Term> terms) {
  std::sort(terms.begin(), terms.end(),
            [](const Term &a, const Term &b) { return a.mono < b.mono; });
  Poly out;
  for (Term &t : terms) {
    if (!out.empty() && out.back().mono == t.mono)
      out.back().c += t.c;
    else
      out.push_back(std::move(t));
  }
  out.erase(std::remove_if(out.begin(), out.end(),
                           [](const Term &t) { return t.c == 0; }),
            out.end());
  return out;
}

bool CostBoundsAnalysis::mulPoly(const Poly &a, const Poly &b,
                                 Poly &out) const {
  if (a.size() * b.size() > kMaxTerms)
    return false;
  std::vector<Term> terms;
  terms.reserve(a.size() * b.size());
  std::string m;
  for (const Term &x : a)
    for (const Term &y : b) {
      if (!mulMono(x.mono, y.mono, m))
        return false;
      terms.push_back({m, x.c * y.c});
    }
  out = normalise(std::move(terms));
  return true;
}

void CostBoundsAnalysis::shiftWindowTiles(uint32_t i) {
  // The t - 1 nodes the sum adds, each with the constant it is scaled by.
  std::vector<std::pair<uint32_t, double>> shifts;
  const std::vector<Node> &nodes = g.nodes();
  auto isConstant = [&](uint32_t x) {
    return poly[x].empty() ||
           (poly[x].size() == 1 && poly[x][0].mono == unitMono());
  };
  auto constantOf = [&](uint32_t x) {
    return poly[x].empty() ? 0.0 : poly[x][0].c;
  };
  std::vector<std::pair<uint32_t, double>> stack{{i, 1.0}};
  while (!stack.empty()) {
    auto [x, scale] = stack.back();
    stack.pop_back();
    const Node &node = nodes[x];
    if (shiftTile[x] >= 0) {
      shifts.push_back({x, scale});
    } else if (node.op == Op::Add) {
      stack.push_back({node.operand[0], scale});
      stack.push_back({node.operand[1], scale});
    } else if (node.op == Op::Mul && isConstant(node.operand[0])) {
      stack.push_back({node.operand[1], scale * constantOf(node.operand[0])});
    } else if (node.op == Op::Mul && isConstant(node.operand[1])) {
      stack.push_back({node.operand[0], scale * constantOf(node.operand[1])});
    }
  }
  if (shifts.size() < 2)
    return;
  // The tile of the largest rank keeps its own terms.
  size_t main = 0;
  auto rankBound = [&](uint32_t x) {
    unsigned j = unsigned(shiftTile[x]);
    return chains.empty() ? 0.0 : chains[j].bound;
  };
  for (size_t k = 1; k < shifts.size(); ++k)
    if (rankBound(shifts[k].first) > rankBound(shifts[main].first))
      main = k;
  Poly out = poly[i];
  for (size_t k = 0; k < shifts.size(); ++k) {
    if (k == main || !(shifts[k].second > 0))
      continue;
    auto [x, scale] = shifts[k];
    auto [at, fresh] = shiftAtom.try_emplace(x);
    if (fresh)
      at->second =
          atomPoly(Op::Sub, x, {poly[x]}, {Rel::Exact}, Sign::NonNegative);
    Poly scaled;
    mulPoly(poly[x], constant(scale), scaled);
    out = addPoly(out, scaled, -1);
    Poly atom;
    mulPoly(at->second, constant(scale), atom);
    out = addPoly(out, atom, 1);
  }
  poly[i] = std::move(out);
}

bool CostBoundsAnalysis::translate(uint32_t i) {
  const Node &node = g.nodes()[i];
  auto arg = [&](int k) -> const Poly & { return poly[node.operand[k]]; };
  auto relOf = [&](int k) { return rel[node.operand[k]]; };
  rel[i] = Rel::Exact;
  // An atom stands for the node's exact value; its operands keep their
  // relations.
  auto makeAtom = [&](std::vector<Poly> args, Sign sign) {
    std::vector<Rel> rels;
    for (size_t k = 0; k < args.size(); ++k)
      rels.push_back(relOf(int(k)));
    poly[i] = atomPoly(node.op, i, std::move(args), std::move(rels), sign);
    rel[i] = Rel::Exact;
    return true;
  };
  switch (node.op) {
  case Op::PointArg:
    poly[i] = constant(point[node.operand[0]]);
    return true;
  case Op::Constant:
    poly[i] = constant(node.constant);
    return true;
  case Op::TileArg: {
    std::string m = unitMono();
    m[node.operand[0]] = 1;
    poly[i] = {{m, 1.0}};
    return true;
  }
  case Op::Add:
  case Op::Sub: {
    bool add = node.op == Op::Add;
    poly[i] = addPoly(arg(0), arg(1), add ? 1 : -1);
    rel[i] = combine(relOf(0), add ? relOf(1) : flip(relOf(1)));
    // t - 1: a tile less its least value, never negative.
    if (!add && rel[i] == Rel::Exact && arg(0).size() == 1 &&
        arg(0)[0].c == 1 && arg(1).size() == 1 &&
        arg(1)[0].mono == unitMono() && arg(1)[0].c == 1)
      shiftTile[i] = tileOf(arg(0)[0].mono);
    if (rel[i] == Rel::Exact && isWindowExtent(poly[i]))
      shiftWindowTiles(i);
    return poly[i].size() <= kMaxTerms && rel[i] != Rel::None;
  }
  case Op::Mul: {
    Rel r0 = relOf(0), r1 = relOf(1);
    // A bound times an exact factor stays a bound (flipped by a
    // non-positive factor); two lower bounds of non-negative values
    // multiply into one.
    Rel r = r0 == Rel::Exact && r1 == Rel::Exact ? Rel::Exact : Rel::None;
    auto scaled = [&](const Poly &exact, Rel other) {
      if (signOf(exact) != Sign::Unknown)
        return other;
      if (signOf(negated(exact)) != Sign::Unknown)
        return flip(other);
      return Rel::None;
    };
    if (r == Rel::Exact)
      ;
    else if (r0 == Rel::Exact)
      r = scaled(arg(0), r1);
    else if (r1 == Rel::Exact)
      r = scaled(arg(1), r0);
    else if (r0 == Rel::Lower && r1 == Rel::Lower &&
             signOf(arg(0)) != Sign::Unknown &&
             signOf(arg(1)) != Sign::Unknown)
      r = Rel::Lower;
    rel[i] = r;
    return r != Rel::None && mulPoly(arg(0), arg(1), poly[i]);
  }
  case Op::Div: {
    const Poly &den = arg(1);
    if (relOf(1) == Rel::Exact && den.size() == 1 &&
        numAtoms(den[0].mono) == 0) {
      // A monomial divisor: the quotient stays a Laurent polynomial.
      std::string inv = unitMono();
      for (unsigned j = 0; j < n; ++j)
        inv[j] = char(int8_t(-int8_t(den[0].mono[j])));
      rel[i] = den[0].c > 0 ? relOf(0) : flip(relOf(0));
      return mulPoly(arg(0), Poly{{inv, 1.0 / den[0].c}}, poly[i]);
    }
    Sign s = signOf(den) == Sign::Positive && relOf(0) == Rel::Exact &&
                     relOf(1) == Rel::Exact
                 ? signOf(arg(0))
                 : Sign::Unknown;
    return makeAtom({arg(0), den}, s);
  }
  case Op::Min:
  case Op::Max: {
    // A minimum is as weak as its weaker operand, a maximum as strong as
    // its stronger one (max(0, x) is never negative).
    Sign sg = Sign::Unknown;
    if (relOf(0) == Rel::Exact && relOf(1) == Rel::Exact) {
      Sign a = signOf(arg(0)), b = signOf(arg(1));
      sg = node.op == Op::Min ? weaker(a, b) : std::max(a, b);
    }
    return makeAtom({arg(0), arg(1)}, sg);
  }
  case Op::Ceil:
    // A loop's iteration count is a whole number: ceil changes nothing.
    if (relOf(0) == Rel::Exact && isWhole(arg(0))) {
      poly[i] = arg(0);
      return true;
    }
    // Otherwise ceil(x) >= x: the argument is a lower bound.
    if (relOf(0) == Rel::Exact || relOf(0) == Rel::Lower) {
      poly[i] = arg(0);
      rel[i] = Rel::Lower;
      return true;
    }
    return makeAtom({arg(0)}, Sign::Unknown);
  case Op::Floor:
    if (relOf(0) == Rel::Exact || relOf(0) == Rel::Upper) {
      poly[i] = arg(0);
      rel[i] = Rel::Upper;
      return true;
    }
    return makeAtom({arg(0)}, Sign::Unknown);
  case Op::SelectLess: {
    // The branch is fixed when b - a or a - b is provably positive /
    // non-negative.
    auto provably = [&](int x, int y, Sign need) {
      Rel r = combine(relOf(x), flip(relOf(y)));
      if (r != Rel::Exact && r != Rel::Lower)
        return false;
      Sign sg = signOf(addPoly(arg(x), arg(y), -1));
      return need == Sign::Positive ? sg == Sign::Positive
                                    : sg != Sign::Unknown;
    };
    if (provably(1, 0, Sign::Positive)) {
      poly[i] = arg(2);
      rel[i] = relOf(2);
      return true;
    }
    if (provably(0, 1, Sign::NonNegative) ||
        (samePoly(arg(2), arg(3)) && relOf(2) == relOf(3))) {
      poly[i] = arg(3);
      rel[i] = relOf(3);
      return true;
    }
    Sign sg = Sign::Unknown;
    if (relOf(2) == Rel::Exact && relOf(3) == Rel::Exact) {
      Sign a = signOf(arg(2)), b = signOf(arg(3));
      // x < y ? y : x is max(x, y): as strong as its stronger operand.
      bool isMax = samePoly(arg(2), arg(1)) && samePoly(arg(3), arg(0)) &&
                   relOf(0) == Rel::Exact && relOf(1) == Rel::Exact;
      sg = isMax ? std::max(a, b) : weaker(a, b);
    }
    return makeAtom({arg(0), arg(1), arg(2), arg(3)}, sg);
  }
  }
  return false;
}

/// Whether `p` is a whole number for every tile shape of perfectly
/// factored loops: one term c x tiles, where each divided tile is matched by
/// its outer loop's tile (t_outer / t is a loop bound) or, for a rank's
/// outermost loop, by the rank's bound in c.
bool CostBoundsAnalysis::isWhole(const Poly &p) const {
  if (p.empty())
    return true;
  if (p.size() != 1 || numAtoms(p[0].mono) != 0 || chains.empty())
    return false;
  double c = p[0].c;
  std::vector<int> e(n);
  for (unsigned j = 0; j < n; ++j)
    e[j] = int8_t(p[0].mono[j]);
  // Inner loops first, so that each divided tile takes its own outer one.
  for (unsigned j = n; j-- > 0;) {
    if (e[j] >= 0)
      continue;
    if (e[j] < -1)
      return false;
    int outer = chains[j].outer;
    if (outer >= 0 && e[size_t(outer)] >= 1) {
      --e[size_t(outer)];
      e[j] = 0;
      continue;
    }
    double bound = chains[j].bound;
    if (outer < 0 && bound > 0 && std::fmod(c, bound) == 0) {
      c /= bound;
      e[j] = 0;
      continue;
    }
    return false;
  }
  return c == std::floor(c);
}

PolyProgram
CostBoundsAnalysis::compile(const Poly &p, uint64_t known,
                            std::vector<uint8_t> &neededAtoms,
                            std::vector<uint8_t> &knownAtomsUsed,
                            bool skipNonNegativeAtoms) {
  std::map<std::string, Group> groups;
  for (const Term &t : p) {
    std::string freeKey;
    std::string tilePart = t.mono.substr(0, n);
    auto [slot, fresh] = monoIndex.try_emplace(tilePart, monos.size());
    if (fresh)
      monos.push_back(tilePart);
    KnownTerm k{t.c, slot->second, {}};
    std::vector<uint16_t> freePowers;
    std::vector<uint32_t> freeAtoms;
    for (unsigned j = 0; j < n; ++j) {
      int8_t e = int8_t(t.mono[j]);
      if (e == 0 || (known >> j & 1))
        continue;
      {
        auto [at, fresh] =
            powerIndex.try_emplace({uint8_t(j), e}, uint16_t(powers->size()));
        if (fresh)
          powers->push_back({uint8_t(j), e});
        freePowers.push_back(at->second);
        freeKey += char(j);
        freeKey += char(e);
      }
    }
    freeKey += '|';
    for (size_t q = 0; q < numAtoms(t.mono); ++q) {
      uint32_t a = atomAt(t.mono, q);
      if ((atoms[a].deps & ~known) == 0) {
        k.atoms.push_back(a);
        knownAtomsUsed[a] = 1;
      } else {
        freeAtoms.push_back(a);
        freeKey.append(reinterpret_cast<const char *>(&a), 4);
      }
    }
    Group &grp = groups[freeKey];
    grp.freePowers = std::move(freePowers);
    grp.freeAtoms = std::move(freeAtoms);
    grp.known.push_back(std::move(k));
  }
  for (auto &[key, grp] : groups)
    findJointSplits(grp, known);
  // The tiles less 1 of window extents are cheap to bound: a group of only
  // those is evaluated.
  auto extent = [&](uint32_t a) { return atoms[a].op == Op::Sub; };
  auto signKnown = [&](uint32_t a) { return atoms[a].sign != Sign::Unknown; };
  PolyProgram out;
  for (auto &[key, grp] : groups) {
    if (skipNonNegativeAtoms && !grp.freeAtoms.empty() &&
        std::all_of(grp.freeAtoms.begin(), grp.freeAtoms.end(), signKnown) &&
        !std::all_of(grp.freeAtoms.begin(), grp.freeAtoms.end(), extent))
      grp.atomsUnevaluated = true;
    else
      for (uint32_t a : grp.freeAtoms)
        neededAtoms[a] = 1;
    out.push_back(std::move(grp));
  }
  return out;
}

void CostBoundsAnalysis::findJointSplits(Group &grp, uint64_t known) {
  if (chains.empty())
    return;
  // The group's free powers by tile: (power index, exponent).
  std::vector<std::pair<int, int>> powerOf(n, {-1, 0});
  for (uint16_t k : grp.freePowers) {
    auto [j, e] = (*powers)[k];
    powerOf[j] = {int(k), int(e)};
  }
  std::map<uint32_t, JointSplits> byDimension;
  for (unsigned k = 0; k < n; ++k) {
    const int outer = chains[k].outer, d = chains[k].dimension;
    if (d < 0 || outer < 0 || powerOf[size_t(outer)].second != -1)
      continue; // not a spatial loop whose outer tile the group divides by
    JointSplits &js = byDimension[uint32_t(d)];
    js.dimension = uint32_t(d);
    if (known >> k & 1) {
      js.powers.push_back(uint16_t(powerOf[size_t(outer)].first));
      js.spatialTiles.push_back(uint8_t(k));
    } else if (powerOf[k].second == 1) {
      // Both free: the split's inverse, t_k / t_outer, is in the group.
      js.powers.push_back(uint16_t(powerOf[size_t(outer)].first));
      js.powers.push_back(uint16_t(powerOf[k].first));
    }
  }
  // One assigned split alone is what the box already knows (the outer
  // tile's largest value is the split's limit).
  GroupJoint gj;
  std::vector<uint16_t> joined;
  for (auto &[d, js] : byDimension)
    if (js.powers.size() >= 2) {
      joined.insert(joined.end(), js.powers.begin(), js.powers.end());
      auto [at, fresh] =
          jointIndex.try_emplace(js, uint16_t(jointSets->size()));
      if (fresh)
        jointSets->push_back(std::move(js));
      gj.sets.push_back(at->second);
    }
  if (gj.sets.empty())
    return;
  for (uint16_t k : grp.freePowers)
    if (std::find(joined.begin(), joined.end(), k) == joined.end())
      gj.plainPowers.push_back(k);
  grp.joint = int32_t(groupJoints->size());
  groupJoints->push_back(std::move(gj));
}

static int arity(Op op);

BoundProgram CostBoundsAnalysis::finishProgram(
    uint64_t known, std::vector<uint8_t> &needed,
    std::vector<uint8_t> &knownUsed, const std::vector<uint32_t> &leaves) {
  BoundProgram out;
  for (uint32_t a = uint32_t(atoms.size()); a-- > 0;) {
    if (!needed[a])
      continue;
    const Atom &atom = atoms[a];
    AtomProgram prog{a, atom.op, AtomProgram::General, {}, atom.argRel};
    for (const Poly &arg : atom.args)
      prog.args.push_back(compile(arg, known, needed, knownUsed));
    if (atom.op == Op::Sub)
      prog.pattern = AtomProgram::Affine;
    else if (atom.op == Op::Max)
      prog.pattern = AtomProgram::Max;
    else if (atom.op == Op::Min)
      prog.pattern = AtomProgram::Min;
    else if (atom.op == Op::SelectLess) {
      const Poly &x = atom.args[0], &y = atom.args[1];
      if (samePoly(atom.args[2], y) && samePoly(atom.args[3], x))
        prog.pattern = AtomProgram::Max; // x < y ? y : x
      else if (samePoly(atom.args[2], x) && samePoly(atom.args[3], y))
        prog.pattern = AtomProgram::Min;
      else if (atom.args[3].empty() && atom.argRel[1] == atom.argRel[2]) {
        if (std::optional<double> c = scaleOf(atom.args[2], y); c && *c > 0) {
          prog.pattern = AtomProgram::ScaledThen;
          prog.scale = *c;
          prog.args.pop_back(); // neither branch is evaluated from its own
          prog.args.pop_back(); // polynomial
        }
      }
    }
    out.freeAtoms.push_back(std::move(prog));
  }
  std::reverse(out.freeAtoms.begin(), out.freeAtoms.end());
  const std::vector<Node> &nodes = g.nodes();
  std::vector<uint8_t> need(nodes.size(), 0);
  for (uint32_t x : leaves)
    need[x] = 1;
  for (uint32_t a = 0; a < atoms.size(); ++a)
    if (knownUsed[a]) {
      need[atoms[a].node] = 1;
      out.knownAtoms.push_back({a, atoms[a].node});
    }
  for (uint32_t i = uint32_t(nodes.size()); i-- > 0;)
    if (need[i])
      for (int k = 0; k < arity(nodes[i].op); ++k)
        need[nodes[i].operand[k]] = 1;
  for (uint32_t i = 0; i < nodes.size(); ++i)
    if (need[i])
      out.nodes.push_back(i);
  return out;
}

static int arity(Op op) {
  switch (op) {
  case Op::PointArg:
  case Op::TileArg:
  case Op::Constant:
    return 0;
  case Op::Ceil:
  case Op::Floor:
    return 1;
  case Op::SelectLess:
    return 4;
  default:
    return 2;
  }
}

bool CostBoundsAnalysis::run(CostBounds &out) {
  if (n == 0 || n > 64 || g.outputNodes().size() != 3)
    return false;
  const std::vector<Node> &nodes = g.nodes();
  poly.resize(nodes.size());
  rel.assign(nodes.size(), Rel::Exact);
  deps.assign(nodes.size(), 0);
  shiftTile.assign(nodes.size(), -1);
  for (uint32_t i = 0; i < nodes.size(); ++i) {
    const Node &node = nodes[i];
    if (node.op == Op::TileArg)
      deps[i] = uint64_t(1) << node.operand[0];
    for (int k = 0; k < arity(node.op); ++k)
      deps[i] |= deps[node.operand[k]];
    if (!translate(i))
      return false;
  }
  out.numAtoms = unsigned(atoms.size());
  // At level i the search has assigned loops [i + 1, n).
  for (unsigned level = 0; level + 1 < n; ++level) {
    auto l = std::make_unique<CostBounds::Level>();
    uint64_t known = 0;
    for (unsigned j = level + 1; j < n; ++j)
      known |= uint64_t(1) << j;
    std::vector<uint8_t> needed(atoms.size(), 0), knownUsed(atoms.size(), 0);
    powers = &l->powers;
    powerIndex.clear();
    jointSets = &l->jointSets;
    jointIndex.clear();
    groupJoints = &l->groupJoints;
    l->energy = compile(poly[g.outputNodes()[0]], known, needed, knownUsed,
                        /*skipNonNegativeAtoms=*/true);
    l->energyBounded = lowerBounded(rel[g.outputNodes()[0]]);
    l->energyProgram = finishProgram(known, needed, knownUsed, {});
    for (const Group &grp : l->energy)
      l->energyLeavesOut |= grp.atomsUnevaluated;
    if (l->energyLeavesOut) {
      needed.assign(atoms.size(), 0);
      knownUsed.assign(atoms.size(), 0);
      l->tightEnergy =
          compile(poly[g.outputNodes()[0]], known, needed, knownUsed);
      l->tightEnergyProgram = finishProgram(known, needed, knownUsed, {});
    }
    needed.assign(atoms.size(), 0);
    knownUsed.assign(atoms.size(), 0);
    std::vector<uint32_t> stack{g.outputNodes()[1]}, knownLeaves;
    while (!stack.empty()) {
      uint32_t x = stack.back();
      stack.pop_back();
      const Node &node = nodes[x];
      bool isMax = node.op == Op::Max ||
                   (node.op == Op::SelectLess &&
                    node.operand[2] == node.operand[1] &&
                    node.operand[3] == node.operand[0]);
      if (isMax) {
        stack.push_back(node.operand[1]);
        stack.push_back(node.operand[0]);
        continue;
      }
      CostBounds::Level::LatencyLeaf leaf{x, (deps[x] & ~known) == 0,
                                          lowerBounded(rel[x]), {}};
      if (leaf.known)
        knownLeaves.push_back(x);
      else if (leaf.bounded)
        leaf.value = compile(poly[x], known, needed, knownUsed);
      l->latency.push_back(std::move(leaf));
    }
    l->latencyProgram = finishProgram(known, needed, knownUsed, knownLeaves);
    powers = nullptr;
    jointSets = nullptr;
    groupJoints = nullptr;
    out.levels.push_back(std::move(l));
  }
  out.numMonos = monos.size();
  out.byTile.assign(n, {});
  for (uint32_t m = 0; m < monos.size(); ++m)
    for (unsigned j = 0; j < n; ++j)
      if (int8_t e = int8_t(monos[m][j]))
        out.byTile[j].push_back({m, e});
  return true;
}

CostBounds::CostBounds(std::shared_ptr<const CostGraph> graph,
                       std::span<const double> point)
    : graph(std::move(graph)), point(point.begin(), point.end()) {}

CostBounds::~CostBounds() = default;

std::unique_ptr<CostBounds>
CostBounds::analyse(std::shared_ptr<const CostGraph> graph,
                    std::span<const double> point,
                    std::span<const TileChain> chains) {
  std::unique_ptr<CostBounds> out(new CostBounds(std::move(graph), point));
  if (!chains.empty() && chains.size() != out->graph->numTileArgs())
    return nullptr;
  CostBoundsAnalysis analysis(*out->graph, out->point, chains);
  if (!analysis.run(*out))
    return nullptr;
  return out;
}

namespace {

Interval mul(Interval a, Interval b) {
  // Positive finite operands (most are: tiles, counts, energies) need two
  // products, not four; rounding is monotone, so they are the same bounds.
  if (a.lo > 0 && b.lo > 0 && a.hi < kInf && b.hi < kInf)
    return {a.lo * b.lo, a.hi * b.hi, a.mag * b.mag};
  double p[4] = {a.lo * b.lo, a.lo * b.hi, a.hi * b.lo, a.hi * b.hi};
  Interval r{p[0], p[0], a.mag * b.mag};
  for (double x : p) {
    if (std::isnan(x))
      return {-kInf, kInf, kInf};
    r.lo = std::min(r.lo, x);
    r.hi = std::max(r.hi, x);
  }
  return r;
}

Interval hull(Interval a, Interval b) {
  return {std::min(a.lo, b.lo), std::max(a.hi, b.hi), std::max(a.mag, b.mag)};
}

double power(double x, int e) {
  double r = 1;
  if (e > 0)
    for (int p = 0; p < e; ++p)
      r *= x;
  else
    for (int p = 0; p < -e; ++p)
      r /= x;
  return r;
}

/// Evaluates one level's programs for one partial tile shape. Each interval
/// carries `mag`, a bound on the magnitudes its sums went through: rounding
/// errors scale with it, and the margins are relative to it.
struct Evaluation {
  const double *known; ///< per monomial, its assigned tiles' part
  /// Per power of the level, its least and largest value over the box.
  const double *powerLow, *powerHigh;
  const std::vector<double> &atomValue;   ///< fixed atoms
  std::vector<Interval> &atomInterval;    ///< free atoms
  /// Per joint set of the level (Level::jointSets): the least of its
  /// powers' product, and whether the fanout raised it above the box's.
  const double *jointLeast;
  const uint8_t *jointBinds; ///< null: no fanouts given
  const GroupJoint *groupJoints;

  /// The least of a group's free powers' product over the box, raised
  /// where spatial splits limit several free tiles jointly. Out of line:
  /// most groups have no joint set, and poly() is the bounds' hot loop.
  [[gnu::noinline]] double leastFreePart(const Group &g,
                                         double boxLeast) const {
    const GroupJoint &gj = groupJoints[g.joint];
    bool binds = false;
    for (uint16_t j : gj.sets)
      binds = binds || jointBinds[j];
    // Where no limit binds, the box's product as it always was, bit for bit.
    if (!binds)
      return boxLeast;
    double least = 1;
    for (uint16_t k : gj.plainPowers)
      least *= powerLow[k];
    for (uint16_t j : gj.sets)
      least *= jointLeast[j];
    return least;
  }

  [[gnu::always_inline]] Interval poly(const PolyProgram &p) const {
    Interval sum{0, 0, 0, 0};
    for (const Group &g : p) {
      double k = 0, kMag = 0;
      for (const KnownTerm &t : g.known) {
        double x = t.c * known[t.mono];
        for (uint32_t a : t.atoms)
          x *= atomValue[a];
        k += x;
        kMag += std::fabs(x);
      }
      // Free tiles lie in [low, high], both at least 1.
      double ulo = 1, uhi = 1;
      for (uint16_t k : g.freePowers) {
        ulo *= powerLow[k];
        uhi *= powerHigh[k];
      }
      if (g.joint >= 0 && jointBinds) [[unlikely]]
        ulo = leastFreePart(g, ulo);
      if (g.atomsUnevaluated) {
        if (k < 0)
          return {-kInf, kInf, kInf, kInf};
        sum.hi = kInf;
        continue;
      }
      if (g.freeAtoms.empty()) {
        sum.lo += k >= 0 ? k * ulo : k * uhi;
        sum.hi += k >= 0 ? k * uhi : k * ulo;
        sum.mag += kMag * uhi;
        sum.loMag += kMag * (k >= 0 ? ulo : uhi);
        continue;
      }
      Interval u{ulo, uhi, uhi};
      for (uint32_t a : g.freeAtoms)
        u = mul(u, atomInterval[a]);
      Interval term = mul(Interval{k, k, kMag}, u);
      sum.lo += term.lo;
      sum.hi += term.hi;
      sum.mag += term.mag;
      sum.loMag += term.mag;
    }
    if (std::isnan(sum.lo) || std::isnan(sum.hi) || std::isnan(sum.mag))
      return {-kInf, kInf, kInf};
    return sum;
  }

  static double slack(Interval a, Interval b) {
    return kMargin * (a.mag + b.mag);
  }

  Interval atom(const AtomProgram &p) const {
    // An operand known only as a bound is open on the other side.
    auto arg = [&](size_t k) {
      Interval v = poly(p.args[k]);
      if (p.argRel[k] == Rel::Lower)
        v.hi = kInf;
      else if (p.argRel[k] == Rel::Upper)
        v.lo = -kInf;
      return v;
    };
    if (p.pattern == AtomProgram::Affine)
      return arg(0);
    switch (p.op) {
    case Op::Ceil: {
      Interval a = arg(0);
      return {std::ceil(a.lo - kMargin * a.mag),
              std::ceil(a.hi + kMargin * a.mag), a.mag + 1};
    }
    case Op::Floor: {
      Interval a = arg(0);
      return {std::floor(a.lo - kMargin * a.mag),
              std::floor(a.hi + kMargin * a.mag), a.mag + 1};
    }
    case Op::Div: {
      Interval a = arg(0), b = arg(1);
      if (!(b.lo > kMargin * b.mag))
        return {-kInf, kInf, kInf};
      Interval r = mul(a, Interval{1 / b.hi, 1 / b.lo, 1 / b.lo});
      r.mag = std::max(std::fabs(r.lo), std::fabs(r.hi)) +
              a.mag / b.lo + std::max(std::fabs(a.lo), std::fabs(a.hi)) *
                                 b.mag / (b.lo * b.lo);
      return r;
    }
    default:
      break;
    }
    Interval x = arg(0), y = arg(1);
    if (p.pattern == AtomProgram::Max)
      return {std::max(x.lo, y.lo), std::max(x.hi, y.hi),
              std::max(x.mag, y.mag)};
    if (p.pattern == AtomProgram::Min)
      return {std::min(x.lo, y.lo), std::min(x.hi, y.hi),
              std::max(x.mag, y.mag)};
    if (p.pattern == AtomProgram::ScaledThen) {
      // c y's interval, with room for the rounding that makes its
      // coefficients differ from c times y's.
      Interval then{p.scale * y.lo, p.scale * y.hi, p.scale * y.mag * 2};
      if (p.argRel[2] == Rel::Lower)
        then.hi = kInf;
      else if (p.argRel[2] == Rel::Upper)
        then.lo = -kInf;
      if (x.hi + slack(x, y) < y.lo)
        return then;
      Interval zero{0, 0, 0};
      if (x.lo - slack(x, y) >= y.hi)
        return zero;
      return hull(then, zero);
    }
    // A select: one branch when the comparison is decided (the other is
    // not evaluated), else both.
    if (x.hi + slack(x, y) < y.lo)
      return arg(2);
    if (x.lo - slack(x, y) >= y.hi)
      return arg(3);
    return hull(arg(2), arg(3));
  }
};

} // namespace

thread_local uint64_t CostBounds::lastPoint = 0;
thread_local uint64_t CostBounds::stampNow = 0;

uint64_t CostBounds::newPoint() { return ++lastPoint; }

void CostBounds::assign(unsigned loop, double tile, const double *parent,
                        double *child) const {
  std::copy(parent, parent + numMonos, child);
  for (auto [m, e] : byTile[loop])
    child[m] = parent[m] * power(tile, e);
}

bool CostBounds::tighterEnergyBoundAt(unsigned level) const {
  return level < levels.size() && levels[level]->energyLeavesOut;
}

double CostBounds::lowerBound(Output output, unsigned level,
                              const double *state, const double *tileLow,
                              const double *tileHigh, uint64_t shared,
                              const double *fanoutLeft) const {
  if (level >= levels.size())
    return -kInf;
  const Level &l = *levels[level];
  if (output == Output::TightEnergy && !l.energyLeavesOut)
    output = Output::Energy;
  const BoundProgram &program = output == Output::Energy ? l.energyProgram
                                : output == Output::Latency
                                    ? l.latencyProgram
                                    : l.tightEnergyProgram;
  thread_local std::vector<double> v, atomValue;
  thread_local std::vector<Interval> atomInterval;
  thread_local std::vector<uint64_t> atomStamp;
  // Outputs bounded at one point share the free atoms they read: each is
  // computed once per point, level and analysis.
  thread_local const CostBounds *sharedOwner = nullptr;
  thread_local unsigned sharedLevel = 0;
  thread_local uint64_t sharedPoint = 0;
  thread_local std::vector<double> powerLow, powerHigh, jointLeast;
  thread_local std::vector<uint8_t> jointBinds;
  if (shared == 0 || sharedOwner != this || sharedLevel != level ||
      sharedPoint != shared) {
    sharedOwner = this;
    sharedLevel = level;
    sharedPoint = shared;
    ++stampNow;
    // The box's powers, which every output of the level reads.
    powerLow.resize(l.powers.size());
    powerHigh.resize(l.powers.size());
    for (size_t k = 0; k < l.powers.size(); ++k) {
      auto [j, ex] = l.powers[k];
      double a = power(tileLow[j], ex), b = power(tileHigh[j], ex);
      powerLow[k] = std::min(a, b);
      powerHigh[k] = std::max(a, b);
    }
    // The joint sets' least products: the box's, or 1 / (the fanout left
    // x the assigned spatial tiles) where that is larger (the splits
    // multiply to at most the fanout left).
    jointLeast.resize(l.jointSets.size());
    jointBinds.assign(l.jointSets.size(), 0);
    if (fanoutLeft)
      for (size_t j = 0; j < l.jointSets.size(); ++j) {
        const JointSplits &js = l.jointSets[j];
        double box = 1, most = fanoutLeft[js.dimension];
        for (uint16_t k : js.powers)
          box *= powerLow[k];
        for (uint8_t t : js.spatialTiles)
          most *= tileLow[t];
        jointBinds[j] = 1 / most > box;
        jointLeast[j] = std::max(box, 1 / most);
      }
  }
  if (atomStamp.size() < numAtoms)
    atomStamp.resize(numAtoms, 0);
  const std::vector<Node> &nodes = graph->nodes();
  v.resize(nodes.size());
  atomValue.resize(numAtoms);
  atomInterval.resize(numAtoms);
  // Values the assigned tiles fix, on the graph's nodes as the kernel
  // computes them.
  for (uint32_t i : program.nodes)
    v[i] = CostGraph::evaluateNode(nodes[i], v.data(), point.data(), tileLow);
  for (auto [a, node] : program.knownAtoms)
    atomValue[a] = v[node];
  Evaluation e{state,
               powerLow.data(),
               powerHigh.data(),
               atomValue,
               atomInterval,
               jointLeast.data(),
               fanoutLeft ? jointBinds.data() : nullptr,
               l.groupJoints.data()};
  for (const AtomProgram &p : program.freeAtoms)
    if (atomStamp[p.atom] != stampNow) {
      atomInterval[p.atom] = e.atom(p);
      atomStamp[p.atom] = stampNow;
    }
  double bound = -kInf;
  if (output != Output::Latency) {
    if (l.energyBounded) {
      Interval en =
          e.poly(output == Output::Energy ? l.energy : l.tightEnergy);
      bound = en.lo - kMargin * en.loMag;
    }
  } else {
    for (const Level::LatencyLeaf &leaf : l.latency) {
      double lo = -kInf;
      if (leaf.known) {
        lo = v[leaf.node];
      } else if (leaf.bounded) {
        // Without the margin: a latency bound equal to a row's (a compute
        // bound every tile shape shares) must count as a tie; the rows
        // this can drop are within the margin of the bound.
        lo = e.poly(leaf.value).lo;
      }
      if (lo > bound)
        bound = lo;
    }
  }
  return std::isnan(bound) ? -kInf : bound;
}

} // namespace afc::codegen
