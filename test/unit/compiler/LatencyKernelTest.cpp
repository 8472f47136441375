//===- LatencyKernelTest.cpp - total_latency kernels agree with the AST ---===//
//
// For every total_latency expression of the stdlib architectures, the
// generated kernel (compiled and interpreted) returns the same double as the
// AST interpreter, over random activities.
//
//===----------------------------------------------------------------------===//
#include "TestUtil.h"

#include "afc/lower/LatencyKernel.h"

#include "gtest/gtest.h"

#include <cstring>
#include <set>
#include <random>

using namespace afc;
using namespace afc::ir;

namespace {

double interpretAst(const Field &f, const model::ComponentActivity &act) {
  auto scope = std::make_shared<Scope>(f.expr.scope);
  std::vector<Value> actions;
  for (const model::ActionActivity &a : act.actions)
    actions.push_back(Value::record(
        {{"name", Value::string(std::string(a.name))},
         {"n_calls", Value::number(a.nCalls)},
         {"throughput", Value::number(a.throughput, dim::frequency)},
         {"energy", Value::number(a.energy, dim::energy)},
         {"bits_per_action", Value::number(a.bitsPerAction, dim::bits)}}));
  scope->define("actions", Value::list(std::move(actions)));
  ExprEvaluator eval(nullptr);
  return eval.eval(*f.expr.expr, *scope)->asNumber();
}

} // namespace

TEST(LatencyKernel, MatchesTheInterpreterForStdlibExpressions) {
  ParamOverrides ov;
  afc::test::Compiled c(R"(
import "arches/eyeriss.af";
import "arches/tpu_v4i.af";
import "arches/nvdla.af";
arch extra {
  memory Main { size = inf; total_latency = max(actions["read"].n_calls / 10, 2 * sum(a.n_calls * a.energy for a in actions) / 1 J); }
  compute MAC {}
})");
  ASSERT_TRUE(c.spec) << c.errors;
  std::mt19937 rng(3);
  std::set<const ArchNode *> checked;
  for (const Arch &arch : c.spec->arches)
    for (const Arch::Path &p : arch.paths())
      for (const Arch::PathNode &pn : p.nodes) {
        const ArchNode &n = *pn.node;
        const Field *tl = n.field("total_latency");
        if (!tl || !checked.insert(&n).second)
          continue;
        auto graph = lower::latencyGraph(tl->expr, n, {});
        ASSERT_TRUE(graph) << arch.name << "." << n.name;
        std::vector<std::string> names;
        for (const Action &a : n.actions)
          names.push_back(a.name);
        auto shared = std::make_shared<codegen::CostGraph>(*graph);
        lower::KernelOptions jit{lower::sharedKernelCompiler()};
        ASSERT_TRUE(jit.compiler);
        auto compiled = lower::latencyFunction(shared, names, jit);
        auto interpreted = lower::latencyFunction(shared, names, {});
        ASSERT_TRUE(compiled && interpreted);
        for (int trial = 0; trial < 200; ++trial) {
          std::vector<model::ActionActivity> acts;
          for (const Action &a : n.actions) {
            model::ActionActivity x;
            x.name = a.name;
            x.nCalls = double(rng() % 100000);
            x.throughput = trial % 7 == 0 ? INFINITY : 1e6 + rng() % 1000000;
            x.energy = (rng() % 1000) * 1e-12;
            x.bitsPerAction = 1 + rng() % 64;
            acts.push_back(x);
          }
          model::ComponentActivity activity;
          activity.actions = acts;
          double want = interpretAst(*tl, activity);
          double got = compiled(activity), alt = interpreted(activity);
          ASSERT_EQ(std::memcmp(&want, &got, sizeof want), 0)
              << arch.name << "." << n.name << ": " << want << " vs " << got;
          ASSERT_EQ(std::memcmp(&want, &alt, sizeof want), 0);
        }
      }
  // eyeriss GlobalBuffer and MAC, tpu_v4i GlobalBuffer, nvdla GlobalBuffer,
  // and the extra expression.
  EXPECT_EQ(checked.size(), 5u);
}
