//===- MinUsage.h - the min_usage "try best" rule -----------------*- C++ -*-===//
//
// A spatial dimension's `min_usage` is applied per template as the reference
// does: keep the pmappings whose usage reaches it if any do, else those of
// the highest usage, one constrained dimension after the other. The rule
// compares pmappings by their usage key (the usage of each constrained
// dimension, in EinsumView::dims order), so the search keeps one Pareto
// front per key and applies the rule once the template is complete.
//
// Usage depends only on spatial loop bounds, not on costs, which allows an
// exact shortcut: collect the keys of every feasible tile shape without the
// model, apply the rule to the keys, and cost only tile shapes whose key
// survives. The model checks more than capacity and fanout, though, so it
// may reject every tile shape of a surviving key; the rule would then have
// picked other keys, and the template is searched again in full. That check
// (usageKeysLost) is shared by map() and searchTemplate so both decide alike.
//
//===----------------------------------------------------------------------===//
#ifndef AFC_MAPPER_MINUSAGE_H
#define AFC_MAPPER_MINUSAGE_H

#include "afc/mapper/ParetoFront.h"
#include "afc/mapper/Template.h"

#include <map>
#include <set>
#include <span>
#include <vector>

namespace afc::mapper {

/// A usage key: the usage of each dimension with a min_usage, in
/// EinsumView::dims order.
using UsageKeys = std::set<std::vector<double>>;

/// Rows of a (partial) template search per usage key; each bucket is a
/// Pareto front.
using PartialMap = std::map<std::vector<double>, ParetoFront>;

/// Whether some spatial dimension of the view has a min_usage.
bool hasMinUsage(const EinsumView &view);
/// Indices into EinsumView::dims of the dimensions with a min_usage: the
/// components of a usage key, in order.
std::vector<size_t> minUsageDimensions(const EinsumView &view);
/// A dimension's usage in a key, from the instances its loops use.
inline double dimensionUsage(const EinsumView::DimRule &dim,
                             double instancesUsed) {
  return instancesUsed / dim.fanout * dim.usageScale;
}

/// Whether a template is searched with the shortcut: asked for, some
/// dimension has a min_usage, and the template may have valid tile shapes
/// at all (a kernel found none while tracing it).
bool usesMinUsageShortcut(const MapperSettings &settings,
                          const EinsumView &view, const TemplateKernel *kernel);

/// The rule on a set of usage keys: per constrained dimension in order, keep
/// the keys reaching min_usage if any do, else the keys with the highest
/// usage.
UsageKeys survivingKeys(const EinsumView &view, const UsageKeys &keys);

/// Whether the model rejected every tile shape of some surviving key in a
/// template's pieces (searched with the shortcut), so that the shortcut may
/// differ from the rule and the template must be searched in full. A key in
/// `witnessed` has a row the model accepted (a probe's) though the pieces
/// may have cut it for its cost: it is not lost.
bool usageKeysLost(const UsageKeys &surviving,
                   std::span<const PartialMap> pieces,
                   const UsageKeys &witnessed = {});

/// Merges a template's pieces in order and applies the rule to the keys
/// that have rows; the rows of the surviving keys, in enumeration order.
std::vector<PmappingRow> rowsOfSurvivingKeys(const EinsumView &view,
                                             std::vector<PartialMap> pieces);

} // namespace afc::mapper

#endif // AFC_MAPPER_MINUSAGE_H
