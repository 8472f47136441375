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


/// Every perfect divisor chain of the innermost `depth` loops, as prefixes
/// (tiles in template order): loops are assigned inner to outer, a loop's
/// tile is a multiple of the next inner loop's of its rank variable (1 for
/// the innermost) that divides the rank's bound.
void innermostPrefixes(const EinsumView &view,
                       const std::vector<uint32_t> &rankOf, size_t depth,
                       std::vector<int64_t> &prefix,
                       std::vector<std::vector<int64_t>> &out) {
  const size_t n = rankOf.size(), assigned = prefix.size();
  if (assigned == depth) {
    out.emplace_back(prefix.rbegin(), prefix.rend());
    return;
  }
  const size_t loop = n - 1 - assigned;
  const uint32_t r = rankOf[loop];
  int64_t inner = 0;
  for (size_t k = 0; k < assigned && !inner; ++k)
    if (rankOf[n - 1 - k] == r)
      inner = prefix[k];
  for (int64_t t = inner ? inner : 1; t <= view.bounds[r];
       t += inner ? inner : 1) {
    if (view.bounds[r] % t || (!inner && t != 1))
      continue;
    prefix.push_back(t);
    innermostPrefixes(view, rankOf, depth, prefix, out);
    prefix.pop_back();
  }
}

// Progress weighs each piece of the search by countCompletions of its
// prefix; over all prefixes of a depth the weights add up to the whole
// factorisation space.
TEST(Templates, CompletionsOfAllPrefixesAddUpToTheSpace) {
  MapperProblem p = eyerissMatmul(64);
  EinsumView view = makeEinsumView(p, 0, p.problem.architectures[0]);
  for (const Template &t : enumerateTemplates(p, view, &p.rules[0])) {
    std::vector<uint32_t> rankOf;
    for (const TemplateNode &n : t.nodes)
      if (n.kind != TemplateNodeKind::Storage)
        rankOf.push_back(n.rankVariable);
    for (size_t depth = 0; depth <= std::min<size_t>(4, rankOf.size());
         ++depth) {
      std::vector<int64_t> prefix;
      std::vector<std::vector<int64_t>> all;
      innermostPrefixes(view, rankOf, depth, prefix, all);
      double sum = 0;
      for (const std::vector<int64_t> &pre : all)
        sum += countCompletions(view, t, pre);
      EXPECT_EQ(sum, countTileShapes(view, t))
          << describe(view, t) << " at depth " << depth;
    }
  }
}

} // namespace

// tensor_order_options on the GlobalBuffer of mapper.md §3.9's example: its
// |S|! orders per kept subset S become those some option allows. With
// [T1, T0 | W0] alone: 1 + 3 + (1 + 1 + 2) + 2 = 10. Adding [T0, T1] (W0
// unplaced, so free) allows both orders of every pair and, of the six
// orders of all three, those with T0 above T1 too: 1 + 3 + 6 + 5 = 15. On
// the outermost memory an option changes nothing.
TEST(Templates, TensorOrderOptionsKeepAllowedOrders) {
  auto withOptions = [](const std::string &memory,
                        std::vector<std::vector<TensorSet>> options) {
    MapperProblem p = eyerissMatmul(64);
    p.rules[0].memories.push_back({memory, {}, std::move(options)});
    return p;
  };
  std::vector<std::string> d =
      descriptions(withOptions("GlobalBuffer", {{{"T1"}, {"T0", "W0"}}}));
  EXPECT_EQ(d.size(), 10u);
  for (const std::string &s : d) {
    size_t t1 = s.find("GlobalBuffer:T1");
    size_t t0 = s.find("GlobalBuffer:T0"), w0 = s.find("GlobalBuffer:W0");
    if (t1 != std::string::npos) {
      EXPECT_TRUE(t0 == std::string::npos || t1 < t0) << s;
      EXPECT_TRUE(w0 == std::string::npos || t1 < w0) << s;
    }
  }
  EXPECT_EQ(descriptions(withOptions("GlobalBuffer",
                                     {{{"T1"}, {"T0", "W0"}},
                                      {{"T0"}, {"T1"}}}))
                .size(),
            15u);
  EXPECT_EQ(
      descriptions(withOptions("MainMemory", {{{"T1"}, {"T0", "W0"}}})).size(),
      16u);
}
