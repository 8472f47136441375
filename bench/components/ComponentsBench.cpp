//===- ComponentsBench.cpp - cost of component model evaluations ----------===//
//
// How long one component evaluation takes once the CACTI table is loaded
// (the DSE loop evaluates every component of every design point), and how
// long loading the table takes.
//
//===----------------------------------------------------------------------===//

#include "afc/components/ModelLibrary.h"

#include <benchmark/benchmark.h>

#include <cstdlib>
#include <string>

using namespace afc::components;

namespace {

const std::string CactiCsv =
    std::string(AFC_SOURCE_DIR) + "/stdlib/data/sram_cacti7.csv";

const ModelLibrary &library() {
  static const ModelLibrary lib = [] {
    auto loaded = ModelLibrary::load(CactiCsv);
    if (!loaded)
      std::abort();
    return std::move(*loaded);
  }();
  return lib;
}

ComponentRequest memory(const char *cls, Attributes attrs, double bits) {
  ComponentRequest r;
  r.name = "Buffer";
  r.componentClass = cls;
  r.attributes = std::move(attrs);
  ActionRequest read, write;
  read.name = "read";
  read.bitsPerAction = bits;
  write.name = "write";
  write.bitsPerAction = bits;
  r.actions = {read, write};
  return r;
}

/// eyeriss's GlobalBuffer: area, leak, read and write of a SmartBufferSRAM.
void BM_SmartBufferSramEvaluate(benchmark::State &state) {
  const ModelLibrary &lib = library();
  ComponentRequest r = memory(
      "SmartBufferSRAM",
      {{"size", 1024 * 1024}, {"n_banks", 32}, {"tech_node", 65e-9}}, 64);
  for (auto _ : state) {
    auto costs = lib.evaluate(r);
    benchmark::DoNotOptimize(costs);
  }
}
BENCHMARK(BM_SmartBufferSramEvaluate);

/// The same at 28 nm: two CACTI rows and a technology interpolation.
void BM_SmartBufferSramEvaluate28nm(benchmark::State &state) {
  const ModelLibrary &lib = library();
  ComponentRequest r = memory(
      "SmartBufferSRAM",
      {{"size", 1024 * 1024}, {"n_banks", 32}, {"tech_node", 28e-9}}, 64);
  for (auto _ : state) {
    auto costs = lib.evaluate(r);
    benchmark::DoNotOptimize(costs);
  }
}
BENCHMARK(BM_SmartBufferSramEvaluate28nm);

/// Alternating between two nodes defeats the per-thread memo of the
/// technology factors: the cost of a first evaluation at a node.
void BM_SmartBufferSramEvaluateNewNode(benchmark::State &state) {
  const ModelLibrary &lib = library();
  ComponentRequest a = memory(
      "SmartBufferSRAM",
      {{"size", 1024 * 1024}, {"n_banks", 32}, {"tech_node", 65e-9}}, 64);
  ComponentRequest b = a;
  b.attributes.set("tech_node", 45e-9);
  bool flip = false;
  for (auto _ : state) {
    auto costs = lib.evaluate(flip ? a : b);
    flip = !flip;
    benchmark::DoNotOptimize(costs);
  }
}
BENCHMARK(BM_SmartBufferSramEvaluateNewNode);

/// A missing CACTI row, estimated by interpolation.
void BM_SramEvaluateInterpolated(benchmark::State &state) {
  const ModelLibrary &lib = library();
  ComponentRequest r =
      memory("SRAM", {{"width", 24}, {"depth", 1000}, {"tech_node", 65e-9}}, 8);
  for (auto _ : state) {
    auto costs = lib.evaluate(r);
    benchmark::DoNotOptimize(costs);
  }
}
BENCHMARK(BM_SramEvaluateInterpolated);

void BM_IntMacEvaluate(benchmark::State &state) {
  const ModelLibrary &lib = library();
  ComponentRequest r;
  r.name = "MAC";
  r.componentClass = "IntMAC";
  r.attributes = {
      {"multiplier_width", 8}, {"adder_width", 16}, {"tech_node", 65e-9}};
  ActionRequest compute;
  compute.name = "compute";
  r.actions = {compute};
  for (auto _ : state) {
    auto costs = lib.evaluate(r);
    benchmark::DoNotOptimize(costs);
  }
}
BENCHMARK(BM_IntMacEvaluate);

void BM_LoadCactiTable(benchmark::State &state) {
  for (auto _ : state) {
    auto table = CactiTable::load(CactiCsv);
    if (!table)
      state.SkipWithError(table.error().message.c_str());
    benchmark::DoNotOptimize(table);
  }
}
BENCHMARK(BM_LoadCactiTable)->Unit(benchmark::kMillisecond);

} // namespace
