//===- AttributeTables.h - what each model's attributes are -----*- C++ -*-===//
//
// Internal to runtime/components: the attribute declarations of every
// built-in model (see afc/components/AttributeSpec.h), for the model table
// in ModelLibrary.cpp. Ranges are those the models enforce
// (component-models.md §5), so that a value is rejected, with the attribute
// named, before a model is built.
//
//===----------------------------------------------------------------------===//
#ifndef AFC_RUNTIME_COMPONENTS_ATTRIBUTETABLES_H
#define AFC_RUNTIME_COMPONENTS_ATTRIBUTETABLES_H

#include "afc/components/AttributeSpec.h"
#include "afc/components/ComponentModel.h"

namespace afc::components::detail::attributes {

using K = AttributeKind;
inline constexpr double Inf = Infinity;

inline constexpr AttributeSpec TechNode = {
    "tech_node", K::Length, 1e-9, 1e-6, false, false, "required",
    "technology node (1 nm to 1 um)"};
inline constexpr AttributeSpec TechNodeUnused = {
    "tech_node", K::Length, 1e-9, 1e-6, false, false, "-",
    "technology node; accepted and unused"};
inline constexpr AttributeSpec Ports = {
    "n_rw_ports", K::Count, 1, 1e6, false, true, "1", "read-write ports"};
inline constexpr AttributeSpec Banks = {"n_banks", K::Count, 1,    1e6, false,
                                 true,      "1",      "banks"};

inline constexpr AttributeSpec LpddrAttrs[] = {
    {"width", K::BitWidth, 1, 64, false, true, "64", "bits per access"}};
inline constexpr AttributeSpec Hbm23Attrs[] = {
    {"width", K::BitWidth, 1024, Inf, false, true, "2048", "bits per access"}};
inline constexpr AttributeSpec Hbm4Attrs[] = {
    {"width", K::BitWidth, 2048, Inf, false, true, "4096", "bits per access"}};

inline constexpr AttributeSpec SramAttrs[] = {
    TechNode,
    {"size", K::Size, 0, Inf, true, false, "the memory's size",
     "capacity (or give width and depth)"},
    {"width", K::BitWidth, 0, Inf, true, false, "max(16, ceil(sqrt(size)))",
     "bits per access"},
    {"depth", K::Count, 0, Inf, true, false, "size / width", "entries"},
    Ports,
    Banks,
};

inline constexpr AttributeSpec AdderAttrs[] = {
    TechNode,
    {"width", K::BitWidth, 0, Inf, true, false, "required", "operand width"}};
inline constexpr AttributeSpec Width32Attrs[] = {
    TechNode,
    {"width", K::BitWidth, 0, Inf, true, false, "32", "operand width"}};
inline constexpr AttributeSpec RegisterAttrs[] = {
    TechNode,
    {"width", K::BitWidth, 0, Inf, true, false, "size",
     "bits held (give width or size)"},
    {"size", K::Size, 0, Inf, true, false, "width",
     "bits held (give width or size)"},
};
inline constexpr AttributeSpec MultiplierAttrs[] = {
    TechNode,
    {"width", K::BitWidth, 0, Inf, true, false, "required unless width_a",
     "width of both operands"},
    {"width_a", K::BitWidth, 0, Inf, true, false, "-",
     "width of the first operand (with width_b)"},
    {"width_b", K::BitWidth, 0, Inf, true, false, "-",
     "width of the second operand (with width_a)"},
};
inline constexpr AttributeSpec IntMacAttrs[] = {
    TechNode,
    {"adder_width", K::BitWidth, 0, Inf, true, false, "required",
     "accumulator adder width"},
    {"multiplier_width", K::BitWidth, 0, Inf, true, false, "required",
     "multiplier operand width"},
};
inline constexpr AttributeSpec DummyAttrs[] = {TechNodeUnused};

} // namespace afc::components::detail::attributes

#endif // AFC_RUNTIME_COMPONENTS_ATTRIBUTETABLES_H
