//===- MinUsage.cpp - the min_usage "try best" rule ------------------------===//
//
// The rule on usage keys, the check that the model left every surviving key
// with a row, and the merge of a template's per-key fronts. See MinUsage.h.
//
//===----------------------------------------------------------------------===//

#include "afc/mapper/MinUsage.h"

#include <algorithm>

namespace afc::mapper {

namespace {

/// The keys that have at least one row in some piece.
UsageKeys keysWithRows(std::span<const PartialMap> pieces) {
  UsageKeys present;
  for (const PartialMap &piece : pieces)
    for (const auto &[key, front] : piece)
      if (!front.empty())
        present.insert(key);
  return present;
}

} // namespace

bool hasMinUsage(const EinsumView &view) {
  return !minUsageDimensions(view).empty();
}

std::vector<size_t> minUsageDimensions(const EinsumView &view) {
  std::vector<size_t> dims;
  for (size_t d = 0; d < view.dims.size(); ++d)
    if (view.dims[d].minUsage > 0)
      dims.push_back(d);
  return dims;
}

bool usesMinUsageShortcut(const MapperSettings &settings,
                          const EinsumView &view,
                          const TemplateKernel *kernel) {
  return settings.minUsageShortcut && hasMinUsage(view) &&
         !(kernel && !kernel->invalid.empty());
}

UsageKeys survivingKeys(const EinsumView &view, const UsageKeys &all) {
  std::vector<size_t> dims = minUsageDimensions(view);
  std::vector<const std::vector<double> *> keys;
  for (const std::vector<double> &key : all)
    keys.push_back(&key);
  for (size_t k = 0; k < dims.size(); ++k) {
    double minUsage = view.dims[dims[k]].minUsage;
    bool anyReaches = false;
    double best = -1;
    for (const std::vector<double> *key : keys) {
      anyReaches |= (*key)[k] >= minUsage;
      best = std::max(best, (*key)[k]);
    }
    std::erase_if(keys, [&](const std::vector<double> *key) {
      return anyReaches ? (*key)[k] < minUsage : (*key)[k] < best;
    });
  }
  UsageKeys out;
  for (const std::vector<double> *key : keys)
    out.insert(*key);
  return out;
}

bool usageKeysLost(const UsageKeys &surviving,
                   std::span<const PartialMap> pieces,
                   const UsageKeys &witnessed) {
  UsageKeys present = keysWithRows(pieces);
  present.insert(witnessed.begin(), witnessed.end());
  return present != surviving;
}

std::vector<PmappingRow> rowsOfSurvivingKeys(const EinsumView &view,
                                             std::vector<PartialMap> pieces) {
  UsageKeys kept = survivingKeys(view, keysWithRows(pieces));
  // Pieces in order, then by sequence: the rows a single sequential search
  // would have produced, whatever the split.
  std::vector<PmappingRow> rows;
  for (const std::vector<double> &key : kept)
    for (PartialMap &piece : pieces)
      if (auto it = piece.find(key); it != piece.end())
        for (PmappingRow &r : it->second.take())
          rows.push_back(std::move(r));
  std::sort(rows.begin(), rows.end(),
            [](const PmappingRow &a, const PmappingRow &b) {
              return a.sequence < b.sequence;
            });
  return rows;
}

} // namespace afc::mapper
