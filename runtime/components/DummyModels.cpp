//===- DummyModels.cpp - zero-cost library models -------------------------===//
//
// hwcomponents-library's DummyStorage, DummyCompute, DummyMemory and
// DummyNetwork: no area, no leak, every action free and infinitely fast.
// (`Dummy` itself is not a model: AccelForge short-circuits it, see
// ModelLibrary::evaluate.)
//
//===----------------------------------------------------------------------===//

#include "Models.h"

namespace afc::components::detail {

namespace {

constexpr std::string_view StorageActions[] = {"read", "write"};
constexpr std::string_view ComputeActions[] = {"compute", "read", "write"};

class ZeroModel final : public ComponentModel {
public:
  ZeroModel(std::string_view name, std::span<const std::string_view> actions)
      : Name(name), Actions(actions) {}

  std::string_view name() const override { return Name; }
  double area() const override { return 0.0; }
  double leakPower() const override { return 0.0; }
  std::span<const std::string_view> actionNames() const override {
    return Actions;
  }
  Expected<ActionCost> action(std::string_view actionName,
                              const ActionArgs &) const override {
    if (!hasAction(actionName))
      return unsupportedAction(Name, actionName, Actions);
    return ActionCost{0.0, 0.0, Infinity};
  }

private:
  std::string_view Name;
  std::span<const std::string_view> Actions;
};

Expected<ModelPtr> makeZero(std::string_view name,
                            std::span<const std::string_view> actions) {
  // tech_node is accepted and unused.
  return ModelPtr(new ZeroModel(name, actions));
}

} // namespace

Expected<ModelPtr> makeDummyStorage(const AttributeReader &,
                                    const ModelContext &) {
  return makeZero("DummyStorage", StorageActions);
}
Expected<ModelPtr> makeDummyCompute(const AttributeReader &,
                                    const ModelContext &) {
  return makeZero("DummyCompute", ComputeActions);
}
Expected<ModelPtr> makeDummyMemory(const AttributeReader &,
                                   const ModelContext &) {
  return makeZero("DummyMemory", StorageActions);
}
Expected<ModelPtr> makeDummyNetwork(const AttributeReader &,
                                    const ModelContext &) {
  return makeZero("DummyNetwork", StorageActions);
}

} // namespace afc::components::detail
