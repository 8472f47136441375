//===- ModelLibrary.h - component costs from component models ---*- C++ -*-===//
//
// The entry point of the component models library. A ModelLibrary owns the
// CACTI table and the fixed table of models (class name -> model), and turns
// a ComponentRequest (one architecture component as the user wrote it) into
// ComponentCosts: per-instance area, leak power and per-action energy and
// throughput, exactly as AccelForge's calculate_component_costs does
// (spec-language.md §2.11, component-models.md §1.2):
//
//   area       = explicit area       | 0 for Dummy | model area
//                x area_scale x n_parallel_instances
//   leak       = explicit leak_power | 0 for Dummy | model leak
//                x leak_power_scale x n_parallel_instances
//   energy     = explicit energy     | 0 for Dummy | model energy(action)
//                x energy_scale x action energy_scale
//   throughput = explicit throughput | inf for Dummy | model throughput
//                x throughput_scale x action throughput_scale
//                x n_parallel_instances
//
// The model is built only if some requested figure is not explicit. Class
// names match case-insensitively and exactly, as in hwcomponents.
//
// A ModelLibrary is immutable after construction: evaluate() is const and
// may be called concurrently from many threads.
//
//===----------------------------------------------------------------------===//
#ifndef AFC_COMPONENTS_MODELLIBRARY_H
#define AFC_COMPONENTS_MODELLIBRARY_H

#include "afc/components/AttributeSpec.h"
#include "afc/components/Attributes.h"
#include "afc/components/CactiTable.h"
#include "afc/components/ComponentModel.h"
#include "afc/components/Error.h"

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace afc::components {

/// One action of a component, as written by the user.
struct ActionRequest {
  std::string name; ///< "read", "write", "compute", ...
  /// Bits moved by one action. The caller applies AccelForge's default for
  /// tensor-holder actions (the action's, else the component's
  /// bits_per_action, else 1); compute actions leave it unset.
  std::optional<double> bitsPerAction;
  std::optional<double> energy;     ///< explicit J per action
  std::optional<double> throughput; ///< explicit actions per second
  double energyScale = 1;
  double throughputScale = 1;
  /// The action's extra_attributes_for_component_model.
  Attributes attributes;
};

/// One component, as written by the user.
struct ComponentRequest {
  std::string name;           ///< component name, used in messages
  std::string componentClass; ///< empty when not set
  /// Component fields and model attributes, SI units (size in bits,
  /// tech_node in metres, widths in bits, ...), unset ones absent.
  Attributes attributes;
  std::optional<double> area;      ///< explicit m^2 per instance
  std::optional<double> leakPower; ///< explicit W per instance
  double areaScale = 1;
  double leakPowerScale = 1;
  double energyScale = 1;
  double throughputScale = 1;
  double nParallelInstances = 1;
  std::vector<ActionRequest> actions;
};

/// Which figures to compute. Unrequested figures are NaN and never need a
/// model (the mapper, like the reference, evaluates costs without area).
struct CostSelection {
  bool area = true;
  bool leakPower = true;
  bool energy = true;
  bool throughput = true;
};

struct ActionCosts {
  std::string name;
  double energy = 0;            ///< J per action, after scales
  double throughput = Infinity; ///< actions per second, after scales
};

struct ComponentCosts {
  double area = 0;                  ///< m^2 per instance, after scales
  double leakPower = 0;             ///< W per instance, after scales
  std::vector<ActionCosts> actions; ///< in request order
  /// The model used ("SmartBufferSRAM", ...), empty when none was needed.
  std::string modelName;
  /// Figures that are not exact model data; empty when exact.
  std::vector<Approximation> approximations;

  bool isApproximate() const { return !approximations.empty(); }
  /// True if some figure is an estimate that the reference would not
  /// produce (an interpolated or extrapolated CACTI row).
  bool deviatesFromReference() const;
  /// The named action, or nullptr.
  const ActionCosts *action(std::string_view name) const;
};

/// What a model answers to, and what a component reference says about it
/// (`afc describe`, docs/components.md are generated from these).
struct ModelInfo {
  std::string_view name; ///< e.g. "SmartBufferSRAM"
  /// The class names it answers to (case-insensitively).
  std::span<const std::string_view> aliases;
  /// Every attribute the model reads, in the order a reference lists them.
  std::span<const AttributeSpec> attributes;
  std::string_view summary; ///< one line, for listings
  /// The actions it prices, in the order of its actionNames().
  std::span<const ActionSpec> actions;
  /// Where its figures come from (the data and the model it reproduces).
  std::string_view source;
  /// Where the data is exact, and what happens outside (extrapolated,
  /// flagged approximate, rejected).
  std::string_view validity;

  /// The declaration of attribute `name`, or nullptr if the model does not
  /// read it.
  const AttributeSpec *attribute(std::string_view name) const;
};

class ModelLibrary {
public:
  struct Options {
    /// Estimate CACTI queries missing from the table (flagged as
    /// approximate). When false, a missing row is an error naming the key.
    bool estimateMissingCactiRows = true;
  };

  /// A library without CACTI data: SRAM-based classes report NoCactiTable.
  ModelLibrary();
  explicit ModelLibrary(std::shared_ptr<const CactiTable> cacti);
  ModelLibrary(std::shared_ptr<const CactiTable> cacti, Options options);

  /// Loads the CACTI table from `cactiCsvPath` (e.g. the installed
  /// stdlib/data/sram_cacti7.csv) and returns a ready library.
  static Expected<ModelLibrary> load(const std::string &cactiCsvPath,
                                     Options options);
  static Expected<ModelLibrary> load(const std::string &cactiCsvPath) {
    return load(cactiCsvPath, Options());
  }

  /// The costs of one component; see the file comment for the rules.
  Expected<ComponentCosts> evaluate(const ComponentRequest &request,
                                    CostSelection select = {}) const;

  /// Builds the model for a class name (case-insensitive) from attributes.
  /// Dummy is not a model (AccelForge short-circuits it in evaluate()).
  Expected<std::unique_ptr<ComponentModel>>
  createModel(std::string_view componentClass,
              const Attributes &attributes) const;

  /// Why a class name selects no model (unknown, with the closest known
  /// name, or a hwcomponents class afc does not model); nullopt when it
  /// selects one or is Dummy.
  static std::optional<Error> checkClass(std::string_view componentClass);
  /// The model a class name selects, or nullptr.
  static const ModelInfo *findModel(std::string_view componentClass);
  /// Every model, in a stable order.
  static std::span<const ModelInfo> models();
  /// The class names a user may write, one per model plus "Dummy".
  static std::vector<std::string> knownClassNames();
  /// `Dummy`, described as a model is (it is not one: see evaluate()), so
  /// that a reference lists every class a user may write.
  static const ModelInfo &dummyClass();

  const CactiTable *cactiTable() const { return Cacti.get(); }
  const Options &options() const { return Opts; }

private:
  std::shared_ptr<const CactiTable> Cacti;
  Options Opts;
};

} // namespace afc::components

#endif // AFC_COMPONENTS_MODELLIBRARY_H
