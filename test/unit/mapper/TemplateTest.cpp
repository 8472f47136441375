//===- TemplateTest.cpp - pmapping template enumeration -------------------===//
//
// Checks the template enumeration against docs/design/mapper.md §3.9: one
// matmul on eyeriss gives 16 templates (one per GlobalBuffer dataplacement),
// the example templates of that section, and the closed-form
// factorisation-space sizes (352,800 for 64^3, 16,595,124 for 4096^3).
//
//===----------------------------------------------------------------------===//

#include "StdlibProblems.h"

#include "afc/mapper/Mapper.h"
#include "afc/mapper/Template.h"
#include "afc/mapper/TileShapes.h"

#include <gtest/gtest.h>

#include <algorithm>

using namespace afc;
using namespace afc::mapper;

namespace {

MapperProblem eyerissMatmul(int64_t size) {
  MapperProblem p = afc::test::stdlibMapperProblem(
      "eyeriss", "basic/matmuls",
      {{"N_EINSUMS", 1}, {"M", double(size)}, {"KN", double(size)}});
  p.settings.unfused = true;
  return p;
}

std::vector<std::string> descriptions(const MapperProblem &p,
                                      double *total = nullptr) {
  EinsumView view = makeEinsumView(p, 0, p.problem.architectures[0]);
  std::vector<Template> tpls = enumerateTemplates(p, view, &p.rules[0]);
  std::vector<std::string> out;
  if (total)
    *total = 0;
  for (const Template &t : tpls) {
    out.push_back(describe(view, t));
    if (total)
      *total += countTileShapes(view, t);
  }
  return out;
}

TEST(Templates, EyerissSingleMatmulHasSixteen) {
  double total = 0;
  std::vector<std::string> d = descriptions(eyerissMatmul(64), &total);
  EXPECT_EQ(d.size(), 16u);
  EXPECT_EQ(total, 352800);
  // No duplicates.
  std::vector<std::string> sorted = d;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(std::unique(sorted.begin(), sorted.end()), sorted.end());
}

TEST(Templates, EyerissExamplesOfMapperMd) {
  std::vector<std::string> d = descriptions(eyerissMatmul(64));
  auto has = [&](const std::string &s) {
    return std::find(d.begin(), d.end(), s) != d.end();
  };
  const std::string pe = "sfor(reuse_weight) m sfor(reuse_output) n0 ";
  const std::string sp = "InputScratchpad:T0 for n1 WeightScratchpad:W0 for m "
                         "OutputScratchpad:T1 for n0";
  const std::string mm = "MainMemory:W0 MainMemory:T1 MainMemory:T0 ";
  EXPECT_TRUE(has(mm + "for m for n0 " + pe + sp));
  EXPECT_TRUE(has(mm + "for m for n0 GlobalBuffer:T0 " + pe + sp));
  EXPECT_TRUE(has(mm + "for m for n1 GlobalBuffer:T1 for n0 " + pe + sp));
  for (const std::string &s : d)
    SCOPED_TRACE(s);
}

TEST(Templates, FactorisationSpace4096) {
  double total = 0;
  descriptions(eyerissMatmul(4096), &total);
  EXPECT_EQ(total, 16595124);
}

} // namespace
