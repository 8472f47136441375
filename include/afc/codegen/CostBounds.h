//===- CostBounds.h - lower bounds on a partial tile shape's cost -*- C++ -*-===//
//
// The tile-shape search assigns a template's loops from the innermost
// outwards. With some loops assigned, every completion's energy and latency
// lie above a bound computed here; when a row already found is no worse
// than that bound, no completion can enter the Pareto front and the
// subtree need not be walked (branch and bound, mapper.md §4.5).
//
// The analysis rewrites the cost graph's outputs, at one design point, as
// Laurent polynomials in the tile shapes. Terms with the same free part
// (the exponents of unassigned tiles and the atoms that read them) share
// one coefficient, a function of the assigned tiles; the free part is
// bounded over the box of tiles the free loops may still take. Grouping before bounding keeps the differences the model
// writes (a buffet's reads are all reads minus the first) from turning
// into loose interval differences.
//
// Operations that are not polynomial become opaque "atoms", bounded by
// interval arithmetic (selects, min, max, a division by a sum), except
// ceil: an iteration count of perfectly factored loops is a whole number,
// and elsewhere ceil(x) >= x leaves x as a lower bound. The latency is the
// largest of the components' latencies, each bounded alone.
//
// Coefficients are summed in another order than the kernel's, so the
// energy bound carries a relative margin (1e-12 of the magnitudes summed).
// Values the assigned tiles fix (atoms, a component's latency) are
// computed on the graph's own nodes, bit for bit as the kernel does. A
// latency bound has no margin, so that the compute's latency, which many
// tile shapes share exactly, ties with a row's: a completion faster than
// a kept row by less than the margin may be dropped.
//
//===----------------------------------------------------------------------===//
#ifndef AFC_CODEGEN_COSTBOUNDS_H
#define AFC_CODEGEN_COSTBOUNDS_H

#include "afc/codegen/CostGraph.h"

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace afc::codegen {

class CostBounds {
public:
  /// How a tile argument divides others: every tile divides the tile of
  /// the next loop out over the same rank variable (`outer`, -1 when
  /// none), and the outermost one divides the rank's `bound`. Loops whose
  /// tiles need not divide (imperfect factors) have no chain.
  ///
  /// A spatial loop also names its fanout dimension (`dimension`, -1 for a
  /// temporal loop): the splits of one dimension's loops, tile of the next
  /// loop out over tile, multiply to at most its fanout, which bounds the
  /// free tiles jointly where the box bounds each alone (lowerBound's
  /// `fanoutLeft`).
  struct TileChain {
    int outer = -1;
    double bound = 0;
    int dimension = -1;
  };

  /// Analyses `graph` (outputs: energy, latency, failed checks) at the
  /// design point `point`; `chains` (one per tile argument, or empty when
  /// unknown) make iteration counts whole numbers. Null when the graph has
  /// a form the analysis cannot bound (too many terms).
  static std::unique_ptr<CostBounds>
  analyse(std::shared_ptr<const CostGraph> graph,
          std::span<const double> point, std::span<const TileChain> chains);

  ~CostBounds();

  /// The search's state: per monomial of the cost, the part its assigned
  /// tiles contribute. With nothing assigned every entry is 1.
  size_t stateSize() const { return numMonos; }
  /// The state once loop `loop` takes tile `tile`, from the state before.
  void assign(unsigned loop, double tile, const double *parent,
              double *child) const;

  /// Energy counts groups whose free atoms are never negative (the
  /// leakage's latency factor, a max(0, x)) as at least 0, without
  /// evaluating them; TightEnergy evaluates every group.
  enum class Output : uint8_t { Energy, Latency, TightEnergy };
  /// Whether TightEnergy can exceed Energy at `level` (some group was left
  /// out of Energy).
  bool tighterEnergyBoundAt(unsigned level) const;
  /// With loops [0, level] free, `state` their assignment's, and tile
  /// arguments in [tileLow, tileHigh] (equal for assigned loops): a lower
  /// bound on the output for every completion; -inf where nothing is
  /// known. Each output is bounded on its own, so a caller that needs only
  /// one computes only that one.
  ///
  /// Calls with the same `shared` (from newPoint; 0 = none) on this thread,
  /// at one level, must pass the same state, tiles and fanouts: they share
  /// the free tiles' powers and the intervals of the atoms they read (the
  /// latencies' are most of the tight energy's).
  ///
  /// `fanoutLeft` (null: none), per fanout dimension, is at least what the
  /// splits of its spatial loops whose next loop out is free multiply to in
  /// every completion (the fanout over the splits already assigned). Two
  /// such loops of one dimension can then not both take their largest
  /// split, as the box alone allows: a count over both outer tiles is at
  /// least the joint limit's.
  double lowerBound(Output output, unsigned level, const double *state,
                    const double *tileLow, const double *tileHigh,
                    uint64_t shared = 0,
                    const double *fanoutLeft = nullptr) const;
  /// A `shared` for lowerBound no call on this thread used before.
  static uint64_t newPoint();

  struct Level;

private:
  CostBounds(std::shared_ptr<const CostGraph> graph,
             std::span<const double> point);

  std::shared_ptr<const CostGraph> graph;
  std::vector<double> point;
  std::vector<std::unique_ptr<Level>> levels;
  unsigned numAtoms = 0;
  size_t numMonos = 0;
  /// Per tile argument: the monomials it appears in, with its exponent.
  std::vector<std::vector<std::pair<uint32_t, int>>> byTile;
  /// The last newPoint on this thread, and the stamp of the atom
  /// intervals computed for the last point (per thread).
  static thread_local uint64_t lastPoint, stampNow;
  friend class CostBoundsAnalysis;
};

} // namespace afc::codegen

#endif // AFC_CODEGEN_COSTBOUNDS_H
