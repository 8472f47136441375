//===- KernelTest.cpp - generated kernels agree with the interpreter ------===//
#include "afc/codegen/KernelCompiler.h"

#include "llvm/Support/raw_ostream.h"

#include "gtest/gtest.h"

#include <cmath>
#include <cstring>
#include <random>

using namespace afc::codegen;

namespace {

/// A random graph over `numPoint` design-point and `numTile` tile values.
CostGraph randomGraph(std::mt19937 &rng, unsigned numPoint, unsigned numTile,
                      unsigned numNodes) {
  CostGraph g(numPoint, numTile);
  std::vector<NodeId> ids;
  for (unsigned i = 0; i < numPoint; ++i)
    ids.push_back(g.point(i));
  for (unsigned i = 0; i < numTile; ++i)
    ids.push_back(g.tile(i));
  ids.push_back(g.constant(0.5 + rng() % 7));
  auto pick = [&] { return ids[rng() % ids.size()]; };
  for (unsigned i = 0; i < numNodes; ++i) {
    NodeId a = pick(), b = pick();
    NodeId n;
    switch (rng() % 10) {
    case 0: n = g.add(a, b); break;
    case 1: n = g.sub(a, b); break;
    case 2: n = g.mul(a, b); break;
    case 3: n = g.div(a, g.add(b, g.constant(1))); break;
    case 4: n = g.min(a, b); break;
    case 5: n = g.max(a, b); break;
    case 6: n = g.ceil(a); break;
    case 7: n = g.floor(a); break;
    case 8: n = g.selectLess(a, b, pick(), pick()); break;
    default: n = g.mul(g.add(a, g.constant(3)), b); break;
    }
    ids.push_back(n);
  }
  for (int k = 0; k < 3; ++k)
    g.output(ids[ids.size() - 1 - k]);
  return g;
}

} // namespace

TEST(Kernel, AgreesBitForBitWithTheInterpreter) {
  std::string error;
  auto kc = KernelCompiler::create(2, error);
  ASSERT_TRUE(kc) << error;
  std::mt19937 rng(7);
  for (int trial = 0; trial < 40; ++trial) {
    CostGraph g = randomGraph(rng, 3, 4, 30);
    KernelFn fn = kc->compile(g, "cost", error);
    ASSERT_TRUE(fn) << error;
    const int64_t n = 257; // not a multiple of any vector width
    std::vector<double> point = {1.5, 1e-12, 3e9};
    std::vector<double> tiles(n * 4), jit(n * 3), interp(n * 3);
    for (double &t : tiles)
      t = double(1 + rng() % 64);
    fn(point.data(), tiles.data(), jit.data(), n);
    g.interpretBatch(point.data(), tiles.data(), interp.data(), n);
    for (int64_t i = 0; i < n * 3; ++i) {
      if (std::isnan(interp[i])) {
        EXPECT_TRUE(std::isnan(jit[i]));
        continue;
      }
      ASSERT_EQ(std::memcmp(&jit[i], &interp[i], sizeof(double)), 0)
          << "trial " << trial << " element " << i << ": " << jit[i]
          << " vs " << interp[i];
    }
  }
}

TEST(Kernel, EqualGraphsShareOneKernel) {
  std::string error;
  auto kc = KernelCompiler::create(1, error);
  ASSERT_TRUE(kc) << error;
  auto build = [] {
    CostGraph g(1, 1);
    g.output(g.mul(g.point(0), g.ceil(g.div(g.constant(64), g.tile(0)))));
    return g;
  };
  KernelFn a = kc->compile(build(), "k", error);
  KernelFn b = kc->compile(build(), "k", error);
  EXPECT_EQ(a, b);
  EXPECT_EQ(kc->numCompiled(), 1u);
  // 64 / 5 -> 13 iterations at 2.0 each.
  double point = 2, tile = 5, out = 0;
  a(&point, &tile, &out, 1);
  EXPECT_EQ(out, 26);
  // An empty batch writes nothing.
  out = -1;
  a(&point, &tile, &out, 0);
  EXPECT_EQ(out, -1);
}

TEST(Kernel, PrintsItsIR) {
  CostGraph g(1, 1);
  g.output(g.min(g.point(0), g.tile(0)));
  std::string ir;
  llvm::raw_string_ostream os(ir);
  KernelCompiler::printIR(g, "score", os);
  os.flush();
  EXPECT_NE(ir.find("define void @score("), std::string::npos) << ir;
  EXPECT_NE(ir.find("llvm.minnum.f64"), std::string::npos) << ir;
}
