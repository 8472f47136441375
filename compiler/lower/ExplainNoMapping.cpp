//===- ExplainNoMapping.cpp - why the mapper found nothing ----------------===//
//
// Runs only after a search has failed, so it may be slow-ish (one model
// evaluation per template) and never changes what the search does.
//
//===----------------------------------------------------------------------===//
#include "afc/lower/ExplainNoMapping.h"

#include "afc/mapper/Mapper.h"
#include "afc/mapper/Template.h"
#include "afc/mapper/TemplateCost.h"
#include "afc/support/Units.h"

#include <cmath>
#include <map>
#include <set>

using namespace afc;
using namespace afc::lower;

namespace {

/// Templates looked at per Einsum and architecture: enough for every stdlib
/// problem; beyond it the closest template is the closest among these.
constexpr size_t kMaxTemplates = 20000;

/// One memory a template overflows with its smallest tiles.
struct Overflow {
  uint32_t node = 0; ///< in the flattened architecture
  double usedBits = 0, sizeBits = 0;
  /// (tensor, bits, values, whole tensor) per tensor held.
  struct Tile {
    std::string tensor;
    double bits = 0, values = 0;
    bool whole = false;
  };
  std::vector<Tile> tiles;
};

/// Where one Einsum on one flattened architecture stands with its smallest
/// tiles: fits in some template, or the closest template's overflows, or
/// no template at all / only templates the model rejects.
struct SmallestTiles {
  bool fits = false;
  size_t templates = 0;
  std::vector<Overflow> closest;
  std::string rejected; ///< the model's first reason, if it rejects all
  std::set<std::pair<uint32_t, std::string>> forced;
};

/// 1 when `used` exceeds `size` as the model's capacity check decides.
bool over(double used, double size) { return used > size * (1 + 1e-12); }

SmallestTiles smallestTiles(const mapper::MapperProblem &mp,
                            const model::Problem &unbounded, uint32_t e,
                            const model::FlattenedArch &fa) {
  SmallestTiles out;
  mapper::EinsumView view = mapper::makeEinsumView(mp, e, fa);
  std::vector<mapper::Template> templates = mapper::enumerateTemplates(
      mp, view, mp.rulesFor(mp.problem.workload.einsums[e].name));
  out.templates = templates.size();
  if (templates.size() > kMaxTemplates)
    templates.resize(kMaxTemplates);
  model::EvaluateOptions options = mp.costingOptions();
  options.detailed = true;
  model::Evaluator evaluator(unbounded, options);
  auto nodeIndex = [&](std::string_view name) {
    for (uint32_t i = 0; i < fa.nodes.size(); ++i)
      if (fa.nodes[i].name == name)
        return i;
    return uint32_t(fa.nodes.size());
  };
  auto tensorIndex = [&](std::string_view name) {
    for (uint32_t t = 0; t < view.tensorNames.size(); ++t)
      if (view.tensorNames[t] == name)
        return t;
    return uint32_t(view.tensorNames.size());
  };
  bool firstTemplate = true;
  std::pair<size_t, double> closestKey;
  for (const mapper::Template &tpl : templates) {
    std::set<std::pair<uint32_t, std::string>> held;
    for (const mapper::TemplateNode &n : tpl.nodes)
      if (n.kind == mapper::TemplateNodeKind::Storage)
        held.insert({n.archNode, view.tensorNames[n.tensor]});
    if (firstTemplate)
      out.forced = held;
    else
      std::erase_if(out.forced, [&](const auto &p) { return !held.count(p); });
    firstTemplate = false;

    mapper::TemplateCost cost(mp, view, tpl);
    model::Mapping m =
        cost.mapping(std::vector<int64_t>(cost.loops().size(), 1));
    model::Expected<model::Result> r = evaluator.evaluate(m);
    if (!r) {
      if (out.rejected.empty())
        out.rejected = r.error().message;
      continue;
    }
    std::vector<Overflow> overflows;
    double overBits = 0;
    for (const model::MemoryUsage &u : r->memoryUsage) {
      uint32_t node = nodeIndex(u.memory);
      if (node == fa.nodes.size() || !over(u.bits, fa.nodes[node].size))
        continue;
      Overflow o{node, u.bits, fa.nodes[node].size, {}};
      for (const model::TensorOccupancy &t : r->occupancies) {
        if (t.memory != u.memory || t.bits <= 0)
          continue;
        uint32_t ti = tensorIndex(t.tensor);
        double bpv =
            ti < view.tensorNames.size() ? view.bitsPerValue[ti][node] : 0;
        o.tiles.push_back({std::string(t.tensor), t.bits,
                           bpv > 0 ? t.bits / bpv : 0,
                           t.persistent || t.nLoopsAbove <= 0});
      }
      overBits += u.bits - o.sizeBits;
      overflows.push_back(std::move(o));
    }
    if (overflows.empty()) {
      out.fits = true;
      return out;
    }
    // The closest template overflows the fewest memories, then by the
    // fewest bits; the first of equals, in the search's own order.
    std::pair<size_t, double> key{overflows.size(), overBits};
    if (out.closest.empty() || key < closestKey) {
      out.closest = std::move(overflows);
      closestKey = key;
    }
  }
  if (!out.closest.empty())
    out.rejected.clear();
  return out;
}

/// "1 value of 8 bits", "the whole tensor, 64 values of 8 bits".
std::string valuesText(const Overflow::Tile &t) {
  return (t.whole ? "the whole tensor, " : "") + formatNumber(t.values) +
         (t.values == 1 ? " value" : " values") + " of " +
         formatNumber(t.values > 0 ? t.bits / t.values : 0) + " bits";
}

MappingObstacle describeOverflow(const std::string &einsum,
                                 const model::FlattenedArch &fa,
                                 const Overflow &o,
                                 const SmallestTiles &tiles) {
  MappingObstacle ob;
  ob.einsum = einsum;
  ob.component = fa.nodes[o.node].name;
  std::string need;
  if (o.tiles.size() == 1) {
    need = "the smallest tile of '" + o.tiles[0].tensor + "' needs " +
           formatNumber(o.usedBits) + " bits (" + valuesText(o.tiles[0]) +
           ")";
  } else {
    need = "the smallest tiles of ";
    for (size_t i = 0; i < o.tiles.size(); ++i)
      need += (i == 0 ? "" : i + 1 == o.tiles.size() ? " and " : ", ") +
              ("'" + o.tiles[i].tensor + "' (" +
               formatNumber(o.tiles[i].bits) + " bits: " +
               valuesText(o.tiles[i]) + ")");
    need += " need " + formatNumber(o.usedBits) + " bits together";
  }
  ob.message = "Einsum '" + einsum + "': '" + ob.component +
               "' is too small: " + need + ", but it has " +
               formatNumber(o.sizeBits) + " bits";
  for (const Overflow::Tile &t : o.tiles)
    if (tiles.forced.count({o.node, t.tensor}))
      ob.forcedTensors.push_back(t.tensor);
  return ob;
}

} // namespace

std::vector<MappingObstacle>
lower::explainNoMapping(const mapper::MapperProblem &mp,
                        const model::ModelError &error) {
  const model::Workload &w = mp.problem.workload;
  // The same problem with unbounded memories: the model then reports the
  // occupancy of every memory instead of stopping at the first overflow.
  model::Problem unbounded = mp.problem;
  for (model::FlattenedArch &fa : unbounded.architectures)
    for (model::ArchNode &n : fa.nodes)
      if (n.kind == model::NodeKind::Memory)
        n.size = INFINITY;
  std::vector<MappingObstacle> out;
  for (uint32_t e = 0; e < w.einsums.size(); ++e) {
    const std::string &name = w.einsums[e].name;
    if (!error.einsum.empty() && error.einsum != name)
      continue;
    std::vector<MappingObstacle> einsumObstacles;
    bool fits = false;
    for (const model::FlattenedArch *fa :
         mapper::architecturesOf(mp.problem, name)) {
      SmallestTiles st = smallestTiles(mp, unbounded, e, *fa);
      if (st.fits) {
        fits = true;
        break;
      }
      MappingObstacle ob;
      ob.einsum = name;
      if (st.templates == 0) {
        ob.message = "Einsum '" + name +
                     "': the keep and may_keep rules leave no placement of "
                     "its tensors on the way to '" +
                     fa->compute().name + "'";
        einsumObstacles.push_back(ob);
      } else if (st.closest.empty()) {
        ob.message = "Einsum '" + name +
                     "': the model rejects every placement on the way to '" +
                     fa->compute().name + "': " + st.rejected;
        einsumObstacles.push_back(ob);
      }
      for (const Overflow &o : st.closest)
        einsumObstacles.push_back(describeOverflow(name, *fa, o, st));
    }
    if (!fits)
      out.insert(out.end(), einsumObstacles.begin(), einsumObstacles.end());
  }
  return out;
}

std::string
lower::noMappingSummary(const model::ModelError &error,
                        const std::vector<MappingObstacle> &obstacles) {
  if (obstacles.empty())
    return error.message;
  return error.message + "; " + obstacles.front().message;
}
