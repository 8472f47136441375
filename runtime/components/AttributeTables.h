//===- AttributeTables.h - each model's attributes and actions --*- C++ -*-===//
//
// Internal to runtime/components: the attribute and action declarations of
// every built-in model (see afc/components/AttributeSpec.h), for the model
// table in ModelLibrary.cpp. Ranges are those the models enforce
// (component-models.md §5), so that a value is rejected, with the attribute
// named, before a model is built. The action lists name what each model's
// actionNames() returns, in the same order (a unit test holds them to it).
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

// --- Actions ---------------------------------------------------------------

inline constexpr ActionSpec DramActions[] = {
    {"read", "width", "one access of `width` bits"},
    {"write", "width", "priced as a read (the model's write calls read)"}};
inline constexpr ActionSpec SramActions[] = {
    {"read", "width", "one access of `width` bits (CACTI read energy)"},
    {"write", "width", "one access of `width` bits (CACTI write energy)"}};
inline constexpr ActionSpec SmartBufferActions[] = {
    {"read", "width",
     "an SRAM read of `width` bits, two address-register reads and an "
     "address add"},
    {"write", "width",
     "an SRAM write of `width` bits, an address-register write and read and "
     "an address add"}};
inline constexpr ActionSpec AdderActions[] = {
    {"add", "", "one addition"},
    {"read", "", "priced as add"},
    {"write", "", "free (the model library's default)"}};
inline constexpr ActionSpec RegisterActions[] = {
    {"read", "width", "read `width` bits; unlimited throughput"},
    {"write", "width", "write `width` bits; one per cycle"}};
inline constexpr ActionSpec ComparatorActions[] = {
    {"compare", "", "one comparison"},
    {"read", "", "priced as compare"},
    {"write", "", "free (the model library's default)"}};
inline constexpr ActionSpec MultiplierActions[] = {
    {"multiply", "", "one multiplication"},
    {"read", "", "priced as multiply"},
    {"write", "", "free (the model library's default)"}};
inline constexpr ActionSpec CounterActions[] = {
    {"count", "", "one count"},
    {"read", "", "priced as count"},
    {"write", "", "free (the model library's default)"}};
inline constexpr ActionSpec IntMacActions[] = {
    {"compute", "", "one multiply-accumulate: an add and a multiply"},
    {"mac", "", "priced as compute"},
    {"read", "", "priced as compute"},
    {"write", "", "free"}};
inline constexpr ActionSpec DummyStorageActions[] = {
    {"read", "", "free"}, {"write", "", "free"}};
inline constexpr ActionSpec DummyComputeActions[] = {
    {"compute", "", "free"}, {"read", "", "free"}, {"write", "", "free"}};

} // namespace afc::components::detail::attributes

#endif // AFC_RUNTIME_COMPONENTS_ATTRIBUTETABLES_H
