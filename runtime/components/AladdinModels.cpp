//===- AladdinModels.cpp - Aladdin adder, register, multiplier, ... -------===//
//
// The Aladdin family of hwcomponents-library (component-models.md §5.4):
// 40 nm data from Aladdin (ISCA 2014), scaled first to the technology node
// and then to the width. AladdinIntMAC is an adder plus a multiplier.
//
//===----------------------------------------------------------------------===//

#include "Models.h"

namespace afc::components::detail {

namespace {

constexpr double BaseTechNode = 40e-9;
constexpr double Cycle = 1e-9;

/// The library base class's zero-cost write (and read), which every
/// Aladdin model without its own write inherits.
constexpr ActionCost ZeroCost = {0.0, 0.0, Infinity};

constexpr ActionCost cost(double energy) { return {energy, Cycle, 1 / Cycle}; }

const AladdinAction AdderActions[] = {
    {"add", cost(0.21e-12)}, {"read", cost(0.21e-12)}, {"write", ZeroCost}};
const AladdinAction RegisterActions[] = {
    {"read", {0.009e-12, 0, Infinity}, true}, {"write", cost(0.009e-12), true}};
const AladdinAction ComparatorActions[] = {{"compare", cost(0.02947e-12)},
                                           {"read", cost(0.02947e-12)},
                                           {"write", ZeroCost}};
const AladdinAction MultiplierActions[] = {{"multiply", cost(12.68e-12)},
                                           {"read", cost(12.68e-12)},
                                           {"write", ZeroCost}};
const AladdinAction CounterActions[] = {{"count", cost(0.25074e-12)},
                                        {"read", cost(0.25074e-12)},
                                        {"write", ZeroCost}};

constexpr std::string_view AdderNames[] = {"add", "read", "write"};
constexpr std::string_view RegisterNames[] = {"read", "write"};
constexpr std::string_view ComparatorNames[] = {"compare", "read", "write"};
constexpr std::string_view MultiplierNames[] = {"multiply", "read", "write"};
constexpr std::string_view CounterNames[] = {"count", "read", "write"};
constexpr std::string_view IntMacNames[] = {"compute", "mac", "read", "write"};

struct KindInfo {
  std::string_view name;
  double area, leak;
  double baseWidth;
  std::span<const AladdinAction> actions;
  std::span<const std::string_view> names;
};

const KindInfo &info(AladdinKind kind) {
  static const KindInfo Infos[] = {
      {"AladdinAdder", 278.0e-12, 2.40e-6, 32, AdderActions, AdderNames},
      {"AladdinRegister", 5.98e-12, 0.0, 1, RegisterActions, RegisterNames},
      {"AladdinComparator", 71.0e-12, 2.51e-8, 32, ComparatorActions,
       ComparatorNames},
      {"AladdinMultiplier", 6350.0e-12, 8.00e-5, 32, MultiplierActions,
       MultiplierNames},
      {"AladdinCounter", 495.5e-12, 3.21e-7, 32, CounterActions, CounterNames},
  };
  return Infos[int(kind)];
}

} // namespace

std::optional<Approximation> aladdinTechNote(std::string_view model,
                                             double techNode) {
  if (isInTechNodeTable(techNode))
    return std::nullopt;
  return Approximation{
      ApproximationKind::TechNodeExtrapolated,
      std::string(model) + ": tech_node " + formatNode(techNode) +
          " is outside the 7-130 nm technology scaling tables; area is "
          "extrapolated linearly and energy and leak with the square root "
          "of the ratio to the nearest table node, as hwcomponents does"};
}

AladdinLeaf::AladdinLeaf(AladdinKind kind, double techNode, double width,
                         std::optional<double> widthB)
    : Kind(kind), BaseArea(info(kind).area), BaseLeak(info(kind).leak),
      Width(width), Actions(info(kind).actions) {
  const KindInfo &k = info(kind);
  Factors = techNodeFactors(techNode, BaseTechNode);
  if (kind == AladdinKind::Multiplier && widthB) {
    // width_a and width_b: linear in each operand.
    applyScale(Factors, width, k.baseWidth, LinearWidthLaw);
    applyScale(Factors, *widthB, k.baseWidth, LinearWidthLaw);
    Width = (width + *widthB) / 2;
  } else {
    applyScale(Factors, width, k.baseWidth,
               kind == AladdinKind::Multiplier ? QuadraticWidthLaw
                                               : LinearWidthLaw);
  }
  if (auto note = aladdinTechNote(k.name, techNode))
    addApproximation(note->kind, note->note);
}

std::string_view AladdinLeaf::name() const { return info(Kind).name; }

std::span<const std::string_view> AladdinLeaf::actionNames() const {
  return info(Kind).names;
}

Expected<ActionCost> AladdinLeaf::action(std::string_view actionName,
                                         const ActionArgs &args) const {
  for (const AladdinAction &a : Actions)
    if (a.name == actionName)
      return run(a, args);
  return unsupportedAction(name(), actionName, actionNames());
}

ActionCost AladdinLeaf::read() const {
  for (const AladdinAction &a : Actions)
    if (a.name == "read")
      return run(a, {});
  return ZeroCost;
}

ActionCost AladdinLeaf::write() const {
  for (const AladdinAction &a : Actions)
    if (a.name == "write")
      return run(a, {});
  return ZeroCost;
}

namespace {

/// AladdinIntMAC: an adder and a multiplier as subcomponents; compute, mac
/// and read run both, write costs nothing.
class AladdinIntMac final : public ComponentModel {
public:
  AladdinIntMac(double techNode, double adderWidth, double multiplierWidth)
      : Adder(AladdinKind::Adder, techNode, adderWidth),
        Multiplier(AladdinKind::Multiplier, techNode, multiplierWidth) {
    addApproximations(Adder.approximations());
    addApproximations(Multiplier.approximations());
  }

  std::string_view name() const override { return "AladdinIntMAC"; }
  double area() const override {
    return ownPlusSubcomponents(0, 1, {Adder.area(), Multiplier.area()});
  }
  double leakPower() const override {
    return ownPlusSubcomponents(0, 1,
                                {Adder.leakPower(), Multiplier.leakPower()});
  }
  std::span<const std::string_view> actionNames() const override {
    return IntMacNames;
  }
  Expected<ActionCost> action(std::string_view actionName,
                              const ActionArgs &) const override {
    // The subcomponents' own actions return nothing, so the composite's own
    // cost is (0, 0, inf) before the subcomponents are folded in.
    if (actionName == "compute" || actionName == "mac" || actionName == "read")
      return finishAction({}, ZeroCost, {Adder.primary(), Multiplier.primary()},
                          std::nullopt);
    if (actionName == "write")
      return finishAction({}, ZeroCost, {}, std::nullopt);
    return unsupportedAction(name(), actionName, actionNames());
  }

private:
  AladdinLeaf Adder, Multiplier;
};

/// Reads a width attribute that has a default in the reference.
Expected<double> widthOr(const AttributeReader &attrs, std::string_view name,
                         std::optional<double> fallback) {
  auto v = attrs.positive(name);
  if (!v)
    return v.takeError();
  if (*v)
    return **v;
  if (fallback)
    return *fallback;
  return Error{ErrorCode::MissingAttribute, std::string(attrs.model()) +
                                                " requires attribute '" +
                                                std::string(name) + "'"};
}

Expected<ModelPtr> makeLeaf(const AttributeReader &attrs, AladdinKind kind,
                            std::optional<double> defaultWidth) {
  auto tech = attrs.techNode();
  if (!tech)
    return tech.takeError();
  auto width = widthOr(attrs, "width", defaultWidth);
  if (!width)
    return width.takeError();
  return ModelPtr(new AladdinLeaf(kind, *tech, *width));
}

} // namespace

Expected<ModelPtr> makeAladdinAdder(const AttributeReader &attrs,
                                    const ModelContext &) {
  return makeLeaf(attrs, AladdinKind::Adder, std::nullopt);
}

Expected<ModelPtr> makeAladdinComparator(const AttributeReader &attrs,
                                         const ModelContext &) {
  return makeLeaf(attrs, AladdinKind::Comparator, 32);
}

Expected<ModelPtr> makeAladdinCounter(const AttributeReader &attrs,
                                      const ModelContext &) {
  return makeLeaf(attrs, AladdinKind::Counter, 32);
}

Expected<ModelPtr> makeAladdinRegister(const AttributeReader &attrs,
                                       const ModelContext &) {
  auto tech = attrs.techNode();
  if (!tech)
    return tech.takeError();
  auto width = attrs.positive("width");
  if (!width)
    return width.takeError();
  auto size = attrs.positive("size");
  if (!size)
    return size.takeError();
  // A register's width is its size; either may be given.
  if (*width && *size && **width != **size)
    return Error{ErrorCode::InvalidAttribute,
                 std::string(attrs.model()) + ": width (" +
                     formatNumber(**width) + ") and size (" +
                     formatNumber(**size) +
                     ") must be the same if both are given"};
  if (!*width && !*size)
    return Error{ErrorCode::MissingAttribute,
                 std::string(attrs.model()) +
                     " requires attribute 'width' (or 'size')"};
  return ModelPtr(
      new AladdinLeaf(AladdinKind::Register, *tech, *width ? **width : **size));
}

Expected<ModelPtr> makeAladdinMultiplier(const AttributeReader &attrs,
                                         const ModelContext &) {
  auto tech = attrs.techNode();
  if (!tech)
    return tech.takeError();
  auto width = attrs.positive("width");
  auto widthA = attrs.positive("width_a");
  auto widthB = attrs.positive("width_b");
  for (auto *w : {&width, &widthA, &widthB})
    if (!*w)
      return w->takeError();
  if (*width && (*widthA || *widthB))
    return Error{ErrorCode::InvalidAttribute,
                 std::string(attrs.model()) +
                     ": give either 'width' or both 'width_a' and 'width_b', "
                     "not both forms"};
  if (*width)
    return ModelPtr(new AladdinLeaf(AladdinKind::Multiplier, *tech, **width));
  if (!*widthA || !*widthB)
    return Error{ErrorCode::MissingAttribute,
                 std::string(attrs.model()) + " requires attribute '" +
                     std::string(*widthA ? "width_b" : "width_a") +
                     "' (or 'width')"};
  return ModelPtr(
      new AladdinLeaf(AladdinKind::Multiplier, *tech, **widthA, **widthB));
}

Expected<ModelPtr> makeAladdinIntMac(const AttributeReader &attrs,
                                     const ModelContext &) {
  auto tech = attrs.techNode();
  if (!tech)
    return tech.takeError();
  auto adder = widthOr(attrs, "adder_width", std::nullopt);
  if (!adder)
    return adder.takeError();
  auto multiplier = widthOr(attrs, "multiplier_width", std::nullopt);
  if (!multiplier)
    return multiplier.takeError();
  return ModelPtr(new AladdinIntMac(*tech, *adder, *multiplier));
}

} // namespace afc::components::detail
