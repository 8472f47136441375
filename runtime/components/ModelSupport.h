//===- ModelSupport.h - hwcomponents model framework in C++ -----*- C++ -*-===//
//
// Internal to runtime/components. What every model shares
// (component-models.md §2):
//
//  * ScaleFactors, the five per-object factors, and applyScale(), which is
//    hwcomponents' ComponentModel.scale(): no-op when target == default,
//    else each factor multiplied by its law in the order area, energy,
//    latency, leak, throughput;
//  * finishAction(), the fold of the @action wrapper: own cost times the
//    object's factors, plus each subcomponent's cost in list order (energy
//    and latency added one at a time, throughput the minimum), then the
//    bits-per-action scale;
//  * AttributeReader, which reads and checks model attributes and reports a
//    problem by naming the model and the attribute.
//
// Models are pure: where hwcomponents accumulates subcomponent costs in
// mutable state, the C++ models pass the subcomponents' costs explicitly.
//
//===----------------------------------------------------------------------===//
#ifndef AFC_RUNTIME_COMPONENTS_MODELSUPPORT_H
#define AFC_RUNTIME_COMPONENTS_MODELSUPPORT_H

#include "afc/components/Attributes.h"
#include "afc/components/ComponentModel.h"
#include "afc/components/Error.h"
#include "afc/components/Scaling.h"

#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace afc::components {
class CactiTable;
} // namespace afc::components

namespace afc::components::detail {

struct ScaleFactors {
  double area = 1, energy = 1, latency = 1, leak = 1, throughput = 1;
};

/// A scale function f(target, default); nullptr means "not scaled".
using ScaleFn = double (*)(double target, double from);

struct ScaleLaw {
  ScaleFn area, energy, latency, leak, throughput;
};

/// scale_tech_node: Stillmaker & Baas laws for all five factors.
extern const ScaleLaw TechNodeLaw;
/// Width laws of the Aladdin models: area, energy and leak linear or
/// quadratic in the width, latency and throughput unscaled.
extern const ScaleLaw LinearWidthLaw;
extern const ScaleLaw QuadraticWidthLaw;

void applyScale(ScaleFactors &factors, double target, double from,
                const ScaleLaw &law);

/// The factors scale_tech_node(techNode, from) gives a fresh model (all
/// factors 1 before). The same numbers as applyScale with TechNodeLaw,
/// memoised per thread for the last node, because a SmartBufferSRAM builds
/// three Aladdin models at one node and a sweep stays at one node.
ScaleFactors techNodeFactors(double techNode, double from);

/// The @action wrapper for a top-level (non-nested) call.
ActionCost finishAction(const ScaleFactors &factors, ActionCost own,
                        std::initializer_list<ActionCost> subcomponents,
                        std::optional<double> bitsScale);

/// bits_per_action / nominal width, when the call carries bits.
inline std::optional<double> bitsScale(const ActionArgs &args,
                                       double nominalBits) {
  if (!args.bitsPerAction)
    return std::nullopt;
  return *args.bitsPerAction / nominalBits;
}

/// hwcomponents' area / leak_power property: own x factor + sum(subs),
/// with CPython's compensated sum.
inline double ownPlusSubcomponents(double own, double factor,
                                   std::initializer_list<double> subs) {
  return own * factor + pythonSum(subs);
}

/// The standard UnsupportedAction error.
Error unsupportedAction(std::string_view model, std::string_view action,
                        std::span<const std::string_view> supported);

/// Context shared by model factories.
struct ModelContext {
  const CactiTable *cacti = nullptr;
  bool estimateMissingCactiRows = true;
};

/// Reads a model's attributes and reports problems naming both.
class AttributeReader {
public:
  /// `userClass` is the component_class as written, `modelName` the model
  /// it selected; both must outlive the reader.
  AttributeReader(std::string_view userClass, std::string_view modelName,
                  const Attributes &attributes)
      : UserClass(userClass), ModelName(modelName), Attrs(attributes) {}

  /// For messages: "IntMAC (AladdinIntMAC)", or just the model's name when
  /// the user wrote that. Built on demand: only error paths need it.
  std::string model() const;
  std::string_view modelName() const { return ModelName; }
  std::optional<double> optional(std::string_view name) const {
    return Attrs.get(name);
  }
  /// A present, finite attribute.
  Expected<double> required(std::string_view name) const;
  /// An attribute that must be a finite number > 0 when present.
  Expected<std::optional<double>> positive(std::string_view name) const;
  /// tech_node in metres: required, and within 1 nm .. 1 um, because
  /// anything else is a unit mistake (65 instead of 65e-9) rather than a
  /// technology.
  Expected<double> techNode() const;

  Error invalid(std::string_view name, double value,
                std::string_view requirement) const;

private:
  std::string_view UserClass, ModelName;
  const Attributes &Attrs;
};

/// Formats a number with enough digits to identify it.
std::string formatNumber(double value);
/// "16 nm" style text for a tech node in metres.
std::string formatNode(double metres);

} // namespace afc::components::detail

#endif // AFC_RUNTIME_COMPONENTS_MODELSUPPORT_H
