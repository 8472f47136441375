//===- ComponentModel.h - one constructed component cost model --*- C++ -*-===//
//
// A ComponentModel is what hwcomponents calls a model object: built once from
// a component's attributes, it answers area, leak power and the cost of each
// action it supports. The figures are the model's own, before AccelForge's
// explicit values and scales (ModelLibrary::evaluate applies those).
//
// Models are immutable after construction, so one object may be queried from
// many threads. Build one with ModelLibrary::createModel.
//
//===----------------------------------------------------------------------===//
#ifndef AFC_COMPONENTS_COMPONENTMODEL_H
#define AFC_COMPONENTS_COMPONENTMODEL_H

#include "afc/components/Attributes.h"
#include "afc/components/Error.h"

#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace afc::components {

inline constexpr double Infinity = std::numeric_limits<double>::infinity();

/// The cost of one action.
struct ActionCost {
  double energy = 0;            ///< J per action
  double latency = 0;           ///< s per action (not bits-scaled)
  double throughput = Infinity; ///< actions per second
};

/// The arguments of one action call.
struct ActionArgs {
  /// Bits moved by the action. Actions declared with a nominal width W
  /// (memories, registers) price a W-bit access and scale energy by b / W
  /// and throughput by W / b; other actions ignore it.
  std::optional<double> bitsPerAction;
  /// The component's and the action's attributes, for models whose actions
  /// take arguments (none of the built-in models do). Either may be null;
  /// an action attribute hides a component attribute of the same name.
  const Attributes *componentAttributes = nullptr;
  const Attributes *actionAttributes = nullptr;

  std::optional<double> get(std::string_view name) const {
    if (actionAttributes)
      if (auto v = actionAttributes->get(name))
        return v;
    if (componentAttributes)
      return componentAttributes->get(name);
    return std::nullopt;
  }
};

/// Why a figure is not an exact reproduction of a model's data.
enum class ApproximationKind : uint8_t {
  /// A CACTI query missing from the table was estimated between rows; the
  /// reference (running CACTI) would give a different number.
  CactiInterpolated,
  /// As above, but extrapolated from rows on one side.
  CactiExtrapolated,
  /// The technology node lies outside the model's data (Aladdin tables:
  /// 7-130 nm; CACTI: 22-90 nm) and is extrapolated by the reference's own
  /// rule: the number matches the reference but is an extrapolation.
  TechNodeExtrapolated,
};

struct Approximation {
  ApproximationKind kind;
  std::string note; ///< which figure, which data was missing, what was done
};

class ComponentModel {
public:
  virtual ~ComponentModel() = default;

  /// The model's name, e.g. "SmartBufferSRAM", "AladdinIntMAC", "LPDDR4".
  virtual std::string_view name() const = 0;
  /// Area of one instance, m^2.
  virtual double area() const = 0;
  /// Leak power of one instance, W.
  virtual double leakPower() const = 0;
  /// Names of the supported actions.
  virtual std::span<const std::string_view> actionNames() const = 0;
  /// The cost of one action, or an UnsupportedAction error.
  virtual Expected<ActionCost> action(std::string_view actionName,
                                      const ActionArgs &args) const = 0;

  bool hasAction(std::string_view actionName) const {
    for (std::string_view n : actionNames())
      if (n == actionName)
        return true;
    return false;
  }
  /// Empty when every figure comes from exact model data.
  const std::vector<Approximation> &approximations() const {
    return Approximations;
  }

protected:
  void addApproximation(ApproximationKind kind, std::string note) {
    for (const Approximation &a : Approximations)
      if (a.kind == kind && a.note == note)
        return;
    Approximations.push_back({kind, std::move(note)});
  }
  void addApproximations(const std::vector<Approximation> &from) {
    for (const Approximation &a : from)
      addApproximation(a.kind, a.note);
  }

private:
  std::vector<Approximation> Approximations;
};

} // namespace afc::components

#endif // AFC_COMPONENTS_COMPONENTMODEL_H
