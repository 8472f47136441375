//===- Schema.cpp - which fields each block kind accepts ------------------===//
#include "Schema.h"

#include <cmath>

using namespace afc;
using namespace afc::sema;

const FieldSpec *sema::findField(const std::vector<FieldSpec> &fields,
                                 llvm::StringRef name) {
  for (const FieldSpec &f : fields)
    if (name == f.name)
      return &f;
  return nullptr;
}

std::vector<std::string> sema::fieldNames(const std::vector<FieldSpec> &f) {
  std::vector<std::string> out;
  for (const FieldSpec &s : f)
    out.push_back(s.name);
  return out;
}

std::string sema::boundProblem(const FieldSpec &spec, double x) {
  bool positive =
      spec.bound == Bound::Positive || spec.bound == Bound::FinitePositive;
  bool finite = spec.bound == Bound::FiniteNonNegative ||
                spec.bound == Bound::FinitePositive;
  if (std::isnan(x))
    return "is not a number (nan)";
  if (finite && std::isinf(x))
    return "must be finite, got " + formatNumber(x);
  if (positive && !(x > 0))
    return "must be positive, got " + formatNumber(x);
  if (x < 0)
    return "must not be negative, got " + formatNumber(x);
  return "";
}

std::string sema::bandwidthOnComputeMessage(const std::string &what) {
  return what + " is a bandwidth (bit/s), but a compute action moves no "
                "bits to divide it by; give actions per second (e.g. 1 GHz)";
}

std::string FieldSpec::expected() const {
  if (dimension.isDimensionless())
    return dimension.describe();
  std::string text = dimension.describe() + " (" + dimension.str() + ")";
  if (bandwidthToo)
    text += " or " + dim::bandwidth.describe() + " (" + dim::bandwidth.str() +
            ", e.g. 25.6 GB/s)";
  return text;
}

using FT = FieldType;
using TM = FieldTime;
using B = Bound;

static std::vector<FieldSpec> common() {
  return {
      {"area", FT::Quantity, dim::area, TM::Now, B::FiniteNonNegative},
      {"area_scale", FT::Quantity, dim::none, TM::Now, B::FiniteNonNegative},
      {"leak_power", FT::Quantity, dim::power, TM::Now, B::FiniteNonNegative},
      {"leak_power_scale", FT::Quantity, dim::none, TM::Now,
       B::FiniteNonNegative},
      {"energy_scale", FT::Quantity, dim::none, TM::Now, B::FiniteNonNegative},
      {"actions_scale", FT::Quantity, dim::none, TM::Now,
       B::FiniteNonNegative},
      // A throughput of 0 would make every action take forever.
      {"throughput_scale", FT::Quantity, dim::none, TM::Now, B::Positive},
      {"latency_scale", FT::Quantity, dim::none, TM::Now,
       B::FiniteNonNegative},
      {"n_parallel_instances", FT::Quantity, dim::none, TM::Now,
       B::FinitePositive},
      {"enabled", FT::Bool, dim::none, TM::PerEinsum},
      {"total_latency", FT::Quantity, dim::time, TM::Model},
  };
}

static std::vector<FieldSpec> placement() {
  return {
      {"keep", FT::TensorSet, dim::none, TM::Mapper},
      {"may_keep", FT::TensorSet, dim::none, TM::Mapper},
      {"back", FT::TensorSet, dim::none, TM::Mapper},
      {"no_refetch_from_above", FT::TensorSet, dim::none, TM::Mapper},
      {"no_resend_to_below", FT::TensorSet, dim::none, TM::Mapper},
      {"force_memory_hierarchy_order", FT::Bool},
      {"bits_per_action", FT::Quantity, dim::bits, TM::Now, B::FinitePositive,
       true},
  };
}

const std::vector<FieldSpec> &sema::componentFields(llvm::StringRef kind) {
  static const std::vector<FieldSpec> memory = [] {
    auto f = common();
    auto p = placement();
    f.insert(f.end(), p.begin(), p.end());
    f.push_back({"size", FT::Quantity, dim::bits, TM::PerEinsum});
    f.push_back({"skip_initial_output_write", FT::Bool});
    return f;
  }();
  static const std::vector<FieldSpec> toll = [] {
    auto f = common();
    auto p = placement();
    f.insert(f.end(), p.begin(), p.end());
    f.push_back({"direction", FT::String});
    return f;
  }();
  static const std::vector<FieldSpec> compute = [] {
    auto f = common();
    f.push_back({"skip_initial_output_write", FT::Bool});
    return f;
  }();
  static const std::vector<FieldSpec> network = [] {
    auto f = common();
    f.push_back({"topology", FT::String});
    f.push_back({"bits_per_action", FT::Quantity, dim::bits, TM::Now,
                 B::FinitePositive, true});
    return f;
  }();
  static const std::vector<FieldSpec> container = {};
  if (kind == "memory")
    return memory;
  if (kind == "toll")
    return toll;
  if (kind == "compute")
    return compute;
  if (kind == "network")
    return network;
  return container;
}

const std::vector<FieldSpec> &sema::actionFields() {
  static const std::vector<FieldSpec> f = {
      {"energy", FT::Quantity, dim::energy, TM::Now, B::FiniteNonNegative},
      {"energy_scale", FT::Quantity, dim::none, TM::Now, B::FiniteNonNegative},
      // Actions per second, or the bits they move per second.
      {"throughput", FT::Quantity, dim::frequency, TM::Now, B::Positive,
       false, true},
      {"throughput_scale", FT::Quantity, dim::none, TM::Now, B::Positive},
      {"latency", FT::Quantity, dim::time, TM::Now, B::FiniteNonNegative},
      {"bits_per_action", FT::Quantity, dim::bits, TM::Now, B::FinitePositive,
       true},
  };
  return f;
}

const std::vector<FieldSpec> &sema::spatialFields() {
  static const std::vector<FieldSpec> f = {
      {"fanout", FT::Integer},
      {"reuse", FT::TensorSet, dim::none, TM::PerEinsum},
      {"may_reuse", FT::TensorSet, dim::none, TM::PerEinsum},
      {"min_usage", FT::Fraction},
      {"usage_scale", FT::Quantity, dim::none, TM::Now, B::FiniteNonNegative},
      {"power_gateable", FT::Bool},
  };
  return f;
}

const std::vector<FieldSpec> &sema::mapperFields() {
  static const std::vector<FieldSpec> f = {
      {"metric", FT::Any},
      {"unfused", FT::Bool},
      {"force_memory_hierarchy_order", FT::Bool},
      {"max_fused_loops", FT::Quantity},
      {"max_fused_loops_per_rank_variable", FT::Quantity},
      {"max_loops_per_spatial_dimension", FT::Quantity},
      {"tiling_coarseness", FT::Quantity},
      {"explore_loop_orders", FT::Bool},
      {"explore_imperfect_spatial_loops", FT::Bool},
      {"explore_imperfect_temporal_loops", FT::Bool},
      {"prioritize_reuse_of_unfused_tensors", FT::Bool},
      {"objective_tolerance", FT::Quantity},
      {"resource_usage_tolerance", FT::Quantity},
      {"max_pmapping_templates_per_einsum", FT::Quantity},
      {"time_limit", FT::Quantity, dim::time},
  };
  return f;
}
