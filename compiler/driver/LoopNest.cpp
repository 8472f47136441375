//===- LoopNest.cpp - a mapping as an indented loop nest ------------------===//
//
// The table view of a mapping, as Timeloop prints one: storage levels with
// the tensors they keep, and under each the loops it iterates, indented by
// depth, with loop bounds (how many iterations) rather than the tile shapes
// the `.af` syntax records. A loop of one iteration changes nothing, so it
// is hidden unless asked for. The `.af` form stays what --save-mapping and
// `afc eval` read.
//
//===----------------------------------------------------------------------===//
#include "Commands.h"

#include "afc/support/Units.h"

#include "llvm/ADT/StringExtras.h"

#include <cmath>
#include <map>

using namespace afc;
using namespace afc::driver;

namespace {

class LoopNestPrinter {
public:
  LoopNestPrinter(const model::Workload &w, bool verbose, llvm::raw_ostream &os)
      : workload(w), verbose(verbose), os(os) {}

  /// Prints the chain `nodes` at `depth`; `extent` is what is left of each
  /// rank variable under the loops above.
  void chain(const std::vector<model::MappingNode> &nodes, unsigned depth,
             std::map<std::string, double> extent) {
    for (size_t i = 0; i < nodes.size(); ++i) {
      // One line per memory: consecutive storage nodes of one memory (the
      // .af form keeps a node per tensor) are listed together.
      const model::MappingNode &n = nodes[i];
      if (n.kind == model::MappingNodeKind::Storage) {
        std::vector<std::string> tensors = n.tensors;
        while (i + 1 < nodes.size() &&
               nodes[i + 1].kind == model::MappingNodeKind::Storage &&
               nodes[i + 1].component == n.component &&
               nodes[i + 1].persistent == n.persistent) {
          ++i;
          tensors.insert(tensors.end(), nodes[i].tensors.begin(),
                         nodes[i].tensors.end());
        }
        line(depth, n.component + ": " + llvm::join(tensors, ", ") +
                        (n.persistent ? " (persistent)" : ""));
        continue;
      }
      depth = node(n, depth, extent);
    }
  }

  unsigned hidden = 0;

private:
  double &extentOf(std::map<std::string, double> &extent,
                   const std::string &rv) {
    auto it = extent.find(rv);
    if (it != extent.end())
      return it->second;
    double bound = NAN;
    if (auto id = workload.findRankVariable(rv))
      bound = double(workload.rankVariables[*id].bound);
    return extent[rv] = bound;
  }

  void line(unsigned depth, const std::string &text) {
    os.indent(2 * depth) << text << "\n";
  }

  /// Prints one node; returns the depth of what follows it.
  unsigned node(const model::MappingNode &n, unsigned depth,
                std::map<std::string, double> &extent) {
    switch (n.kind) {
    case model::MappingNodeKind::Storage: // listed by chain()
      return depth;
    case model::MappingNodeKind::Toll:
      line(depth, n.component + " (toll): " + llvm::join(n.tensors, ", "));
      return depth;
    case model::MappingNodeKind::Compute:
      line(depth, "compute " + n.einsum + " on " + n.component);
      return depth;
    case model::MappingNodeKind::Temporal:
    case model::MappingNodeKind::Spatial:
      return loop(n, depth, extent);
    case model::MappingNodeKind::Nested:
      chain(n.children, depth, extent);
      return depth;
    case model::MappingNodeKind::Sequential:
    case model::MappingNodeKind::Pipeline:
      line(depth, n.kind == model::MappingNodeKind::Sequential ? "sequential:"
                                                               : "pipeline:");
      for (const model::MappingNode &b : n.children) {
        std::map<std::string, double> own = extent;
        chain(b.kind == model::MappingNodeKind::Nested
                  ? b.children
                  : std::vector<model::MappingNode>{b},
              depth + 1, own);
      }
      return depth;
    }
    return depth;
  }

  unsigned loop(const model::MappingNode &n, unsigned depth,
                std::map<std::string, double> &extent) {
    double &left = extentOf(extent, n.rankVariable);
    double bound;
    if (n.loopBound) {
      bound = *n.loopBound;
      left = std::ceil(left / bound);
    } else {
      double tile = n.tileShape.value_or(left);
      bound = std::ceil(left / tile);
      left = tile;
    }
    bool spatial = n.kind == model::MappingNodeKind::Spatial;
    if (bound == 1 && !verbose) {
      ++hidden;
      return depth;
    }
    std::string text =
        (spatial ? "spatial-for " : "for ") + n.rankVariable + " in [0:" +
        (std::isfinite(bound) ? formatNumber(bound) : std::string("?")) + ")";
    if (spatial)
      text += "  across " + n.component + "." + n.dimension;
    if (n.initialTileShape)
      text += "  (imperfect: first tile " + formatNumber(*n.initialTileShape) +
              ", then " + formatNumber(*n.tileShape) + ")";
    line(depth, text);
    return depth + 1;
  }

  const model::Workload &workload;
  bool verbose;
  llvm::raw_ostream &os;
};

} // namespace

void driver::printLoopNest(const model::Mapping &mapping,
                           const model::Workload &workload, bool verbose,
                           llvm::raw_ostream &os) {
  std::string text;
  llvm::raw_string_ostream body(text);
  LoopNestPrinter printer(workload, verbose, body);
  printer.chain(mapping.nodes, 1, {});
  os << "Mapping";
  if (printer.hidden)
    os << " (" << printer.hidden << " one-iteration loop"
       << (printer.hidden == 1 ? "" : "s") << " hidden; --verbose shows them)";
  os << "\n" << body.str();
}
