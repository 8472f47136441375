//===- DramModels.cpp - LPDDR4, LPDDR, DDR3, HBM2, HBM3, HBM4 -------------===//
//
// hwcomponents-cacti's DRAM family (component-models.md §5.1): a fixed energy
// per bit and a fixed access rate per type, no area, no leak, no technology
// dependence. `read` and `write` price one access of the bus `width`.
//
//===----------------------------------------------------------------------===//

#include "Models.h"

#include <cmath>

namespace afc::components::detail {

namespace {

struct DramType {
  std::string_view name;
  double picojoulesPerBit;
  double accessesPerSecond; ///< accesses of `width` bits
  double defaultWidth;
  double minWidth, maxWidth; ///< the reference's width rule
};

// The access rates are written as in the reference so that they round the
// same way (e.g. 33.3 * 1024 * 1024 is evaluated left to right).
const DramType Lpddr4 = {"LPDDR4", 8, 50 * 1024 * 1024, 64, 1, 64};
const DramType Lpddr = {"LPDDR", 40, 6.25 * 1024 * 1024, 64, 1, 64};
const DramType Ddr3 = {"DDR3", 70, 33.3 * 1024 * 1024, 64, 1, 64};
const DramType Hbm2 = {"HBM2", 6.25, 2.4 * 1024 * 1024 * 1024,
                       2048,   1024, Infinity};
const DramType Hbm3 = {"HBM3", 4.05, 6.4 * 8 * 1024 * 1024 * 1024,
                       2048,   1024, Infinity};
const DramType Hbm4 = {"HBM4", 3.2,  8.0 * 8 * 1024 * 1024 * 1024,
                       4096,   2048, Infinity};

constexpr std::string_view DramActions[] = {"read", "write"};

class DramModel final : public ComponentModel {
public:
  DramModel(const DramType &type, double width) : Type(type), Width(width) {}

  std::string_view name() const override { return Type.name; }
  double area() const override { return 0.0; }
  double leakPower() const override { return 0.0; }
  std::span<const std::string_view> actionNames() const override {
    return DramActions;
  }
  Expected<ActionCost> action(std::string_view actionName,
                              const ActionArgs &args) const override {
    // write is the same access as read (the reference calls read()).
    if (actionName != "read" && actionName != "write")
      return unsupportedAction(name(), actionName, actionNames());
    double latency = 1 / Type.accessesPerSecond;
    ActionCost own = {Type.picojoulesPerBit * 1e-12 * Width, latency,
                      1 / latency};
    return finishAction({}, own, {}, bitsScale(args, Width));
  }

private:
  const DramType &Type;
  double Width;
};

Expected<ModelPtr> makeDram(const DramType &type,
                            const AttributeReader &attrs) {
  double width = type.defaultWidth;
  if (auto w = attrs.optional("width")) {
    if (!std::isfinite(*w) || *w != std::floor(*w) || *w < 1)
      return attrs.invalid("width", *w, "must be a positive integer (bits)");
    width = *w;
  }
  if (width > type.maxWidth)
    return attrs.invalid("width", width,
                         "must be at most " + formatNumber(type.maxWidth) +
                             " bits for " + std::string(type.name));
  if (width < type.minWidth)
    return attrs.invalid("width", width,
                         "must be at least " + formatNumber(type.minWidth) +
                             " bits for " + std::string(type.name));
  return ModelPtr(new DramModel(type, width));
}

} // namespace

Expected<ModelPtr> makeLpddr4(const AttributeReader &a, const ModelContext &) {
  return makeDram(Lpddr4, a);
}
Expected<ModelPtr> makeLpddr(const AttributeReader &a, const ModelContext &) {
  return makeDram(Lpddr, a);
}
Expected<ModelPtr> makeDdr3(const AttributeReader &a, const ModelContext &) {
  return makeDram(Ddr3, a);
}
Expected<ModelPtr> makeHbm2(const AttributeReader &a, const ModelContext &) {
  return makeDram(Hbm2, a);
}
Expected<ModelPtr> makeHbm3(const AttributeReader &a, const ModelContext &) {
  return makeDram(Hbm3, a);
}
Expected<ModelPtr> makeHbm4(const AttributeReader &a, const ModelContext &) {
  return makeDram(Hbm4, a);
}

} // namespace afc::components::detail
