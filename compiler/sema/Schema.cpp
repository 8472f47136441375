//===- Schema.cpp - which fields each block kind accepts ------------------===//
#include "Schema.h"

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

using FT = FieldType;
using TM = FieldTime;

static std::vector<FieldSpec> common() {
  return {
      {"area", FT::Quantity, dim::area},
      {"area_scale", FT::Quantity},
      {"leak_power", FT::Quantity, dim::power},
      {"leak_power_scale", FT::Quantity},
      {"energy_scale", FT::Quantity},
      {"actions_scale", FT::Quantity},
      {"throughput_scale", FT::Quantity},
      {"latency_scale", FT::Quantity},
      {"n_parallel_instances", FT::Quantity},
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
      {"bits_per_action", FT::Quantity, dim::bits},
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
    f.push_back({"bits_per_action", FT::Quantity, dim::bits});
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
      {"energy", FT::Quantity, dim::energy},
      {"energy_scale", FT::Quantity},
      {"throughput", FT::Quantity, dim::frequency},
      {"throughput_scale", FT::Quantity},
      {"latency", FT::Quantity, dim::time},
      {"bits_per_action", FT::Quantity, dim::bits},
  };
  return f;
}

const std::vector<FieldSpec> &sema::spatialFields() {
  static const std::vector<FieldSpec> f = {
      {"fanout", FT::Integer},
      {"reuse", FT::TensorSet, dim::none, TM::PerEinsum},
      {"may_reuse", FT::TensorSet, dim::none, TM::PerEinsum},
      {"min_usage", FT::Fraction},
      {"usage_scale", FT::Quantity},
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
