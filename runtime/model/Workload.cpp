//===- Workload.cpp - workload lookups ------------------------------------===//
//
// Name lookups on the plain workload structs, for setup code and tests.
//
//===----------------------------------------------------------------------===//

#include "afc/model/Workload.h"

namespace afc::model {

std::optional<TensorId> Workload::findTensor(const std::string &name) const {
  for (TensorId i = 0; i < tensors.size(); ++i)
    if (tensors[i].name == name)
      return i;
  return std::nullopt;
}

std::optional<RankVariableId>
Workload::findRankVariable(const std::string &name) const {
  for (RankVariableId i = 0; i < rankVariables.size(); ++i)
    if (rankVariables[i].name == name)
      return i;
  return std::nullopt;
}

std::optional<uint32_t> Workload::findEinsum(const std::string &name) const {
  for (uint32_t i = 0; i < einsums.size(); ++i)
    if (einsums[i].name == name)
      return i;
  return std::nullopt;
}

} // namespace afc::model
