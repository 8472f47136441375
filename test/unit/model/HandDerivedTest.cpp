//===- HandDerivedTest.cpp - small mappings counted by hand ---------------===//
//
// Mappings small enough that every count can be derived on paper from the
// rules of docs/design/model.md §5. Each test states its derivation; the
// constants are the hand-derived results.
//
//===----------------------------------------------------------------------===//

#include "ModelTestSupport.h"
#include "ResultReaders.h"

#include <gtest/gtest.h>

using namespace afc::model;
using namespace afc::model::test;
using N = MappingNode;

namespace {

double actionCount(const Result &r, std::string_view component,
                   std::string_view tensor, std::string_view action) {
  double total = 0;
  bool found = false;
  for (const ActionCount &a : r.actions)
    if (a.component == component && a.tensor == tensor && a.action == action) {
      total += a.count;
      found = true;
    }
  EXPECT_TRUE(found) << component << " " << tensor << " " << action;
  return total;
}

ArchNode memory(std::string name, double size, double read = 1,
                double write = 1, double throughput = kInfinity) {
  ArchNode n;
  n.kind = NodeKind::Memory;
  n.name = std::move(name);
  n.size = size;
  n.actions = {{"read", read, throughput, 1, {}},
               {"write", write, throughput, 1, {}}};
  return n;
}

ArchNode mac(double energy = 1, double throughput = 1) {
  ArchNode n;
  n.kind = NodeKind::Compute;
  n.name = "MAC";
  n.actions = {{"compute", energy, throughput, 1, {}}};
  return n;
}

ArchNode container(std::string name, std::vector<SpatialDimension> dims) {
  ArchNode n;
  n.kind = NodeKind::Container;
  n.name = std::move(name);
  n.spatial = std::move(dims);
  return n;
}

/// Z[m, n] = A[m, k] * B[k, n] with M = 4, K = 3, N = 2, 8 bits per value.
Workload smallMatmul() {
  Workload w;
  w.rankVariables = {{"m", 4}, {"k", 3}, {"n", 2}};
  w.tensors = {{"A"}, {"B"}, {"Z"}};
  Einsum e;
  e.name = "Mm";
  auto acc = [&](TensorId t, std::vector<RankVariableId> rvs, bool out) {
    TensorAccess a;
    a.tensor = t;
    a.isOutput = out;
    for (RankVariableId rv : rvs)
      a.projection.push_back({"", {{rv, 1}}, 0});
    e.accesses.push_back(a);
  };
  acc(0, {0, 1}, false);
  acc(1, {1, 2}, false);
  acc(2, {0, 2}, true);
  w.einsums.push_back(e);
  return w;
}

TEST(HandDerived, SingleLevelMatmul) {
  // Only a MainMemory: every compute reads A and B and read-modify-writes Z
  // straight from it. read 1 J, write 2 J, 100 actions/s; MAC 3 J, 1/s.
  Problem p;
  p.workload = smallMatmul();
  FlattenedArch a;
  a.nodes = {memory("MainMemory", kInfinity, 1, 2, 100), mac(3, 1)};
  p.architectures.push_back(a);
  Mapping m;
  m.nodes = {N::storage("MainMemory", {"A", "B", "Z"}), N::temporal("m", 1),
             N::temporal("k", 1), N::temporal("n", 1), N::compute("Mm", "MAC")};
  Expected<Result> r = evaluate(p, m);
  ASSERT_TRUE(bool(r)) << r.error().message;

  // 4 * 3 * 2 = 24 computes; each reads one A and one B value (8 bits).
  EXPECT_DOUBLE_EQ(r->computes, 24);
  EXPECT_DOUBLE_EQ(actionCount(*r, "MAC", "None", "compute"), 24);
  EXPECT_DOUBLE_EQ(actionCount(*r, "MainMemory", "A", "read"), 192);
  EXPECT_DOUBLE_EQ(actionCount(*r, "MainMemory", "B", "read"), 192);
  EXPECT_DOUBLE_EQ(actionCount(*r, "MainMemory", "A", "write"), 0);
  // Z: 24 writes; 24 reads minus one skipped first read per Z element
  // (4 * 2 = 8): 16 values.
  EXPECT_DOUBLE_EQ(actionCount(*r, "MainMemory", "Z", "write"), 192);
  EXPECT_DOUBLE_EQ(actionCount(*r, "MainMemory", "Z", "read"), 128);
  // Energy: reads (192 + 192 + 128) * 1 + writes 192 * 2 + 24 * 3 = 968.
  EXPECT_DOUBLE_EQ(r->energy, 968);
  // Latency: MainMemory (512 + 192) / 100 = 7.04 s; MAC 24 s wins.
  EXPECT_DOUBLE_EQ(latencyOf(*r, "MainMemory"), 7.04);
  EXPECT_DOUBLE_EQ(latencyOf(*r, "MAC"), 24);
  EXPECT_DOUBLE_EQ(r->latency, 24);
  // Backing holders measure whole tensors: A 12, B 6, Z 8 values.
  double bits = 0;
  for (const TensorOccupancy &o : r->occupancies)
    bits += o.bits;
  EXPECT_DOUBLE_EQ(bits, (12 + 6 + 8) * 8);
  EXPECT_DOUBLE_EQ(r->iterationSpacePoints, 24);
  EXPECT_DOUBLE_EQ(r->perCompute().energy, 968.0 / 24);
}

TEST(HandDerived, LoopOrderDoesNotChangeSkippedFirstReads) {
  // The skip credit is one per Z element whatever the loop order.
  Problem p;
  p.workload = smallMatmul();
  FlattenedArch a;
  a.nodes = {memory("MainMemory", kInfinity), mac()};
  p.architectures.push_back(a);
  Mapping m;
  m.nodes = {N::storage("MainMemory", {"A", "B", "Z"}), N::temporal("k", 1),
             N::temporal("n", 1), N::temporal("m", 1), N::compute("Mm", "MAC")};
  Expected<Result> r = evaluate(p, m);
  ASSERT_TRUE(bool(r)) << r.error().message;
  EXPECT_DOUBLE_EQ(actionCount(*r, "MainMemory", "Z", "read"), 128);
}

TEST(HandDerived, PartialSumsBelowAnIrrelevantLoop) {
  // MainMemory [A, B, Z]; for k; GlobalBuffer [Z]; for m; for n; compute.
  // The GlobalBuffer holds the whole 4 x 2 Z tile and is refilled for each
  // of the 3 k iterations: k - 1 = 2 real read-backs of partial sums.
  Problem p;
  p.workload = smallMatmul();
  FlattenedArch a;
  a.nodes = {memory("MainMemory", kInfinity), memory("GlobalBuffer", 1000),
             mac()};
  p.architectures.push_back(a);
  Mapping m;
  m.nodes = {N::storage("MainMemory", {"A", "B", "Z"}),
             N::temporal("k", 1),
             N::storage("GlobalBuffer", {"Z"}),
             N::temporal("m", 1),
             N::temporal("n", 1),
             N::compute("Mm", "MAC")};
  Expected<Result> r = evaluate(p, m);
  ASSERT_TRUE(bool(r)) << r.error().message;
  // MainMemory Z: 3 fills of 8 values minus the first (skipped) = 16 values
  // read back; 3 write-backs of 8 values.
  EXPECT_DOUBLE_EQ(actionCount(*r, "MainMemory", "Z", "read"), 128);
  EXPECT_DOUBLE_EQ(actionCount(*r, "MainMemory", "Z", "write"), 192);
  // GlobalBuffer Z writes: fills 24 - skipped 8 + compute results 24 = 40.
  EXPECT_DOUBLE_EQ(actionCount(*r, "GlobalBuffer", "Z", "write"), 320);
  // GlobalBuffer Z reads: write-backs 24 + compute reads 24 - skipped 8 = 40.
  EXPECT_DOUBLE_EQ(actionCount(*r, "GlobalBuffer", "Z", "read"), 320);
  // A and B bypass the GlobalBuffer: one MainMemory read per compute.
  EXPECT_DOUBLE_EQ(actionCount(*r, "MainMemory", "A", "read"), 192);
  // Z's reservation is lowered through m and n (both index Z): 1 value,
  // below 3 loops.
  bool found = false;
  for (const TensorOccupancy &o : r->occupancies)
    if (o.memory == "GlobalBuffer") {
      found = true;
      EXPECT_DOUBLE_EQ(o.bits, 8);
      EXPECT_EQ(o.nLoopsAbove, 3);
    }
  EXPECT_TRUE(found);
  EXPECT_DOUBLE_EQ(r->usage("GlobalBuffer"), 8.0 / 1000);
}

/// Z[m] = A[k] * B[k, m], M = 4, K = 2; MainMemory, a PE array X (fanout
/// 4, every tensor may be reused across it), a Buffer per PE, a MAC.
Problem spatialProblem() {
  Problem p;
  Workload &w = p.workload;
  w.rankVariables = {{"m", 4}, {"k", 2}};
  w.tensors = {{"A"}, {"B"}, {"Z"}};
  Einsum e;
  e.name = "Mv";
  e.accesses = {{0, false, {{"", {{1, 1}}, 0}}, 8, false},
                {1, false, {{"", {{1, 1}}, 0}, {"", {{0, 1}}, 0}}, 8, false},
                {2, true, {{"", {{0, 1}}, 0}}, 8, false}};
  w.einsums.push_back(e);
  FlattenedArch a;
  SpatialDimension x{"X", 4, {}, /*mayReuseAll=*/true, 1, false};
  a.nodes = {memory("MainMemory", kInfinity), container("PE", {x}),
             memory("Buffer", 64), mac()};
  p.architectures.push_back(a);
  return p;
}

TEST(HandDerived, SpatialMulticast) {
  // Spatial m over X: A (not indexed by m) is multicast, B and Z are not.
  Problem p = spatialProblem();
  Mapping m;
  m.nodes = {N::storage("MainMemory", {"A", "B", "Z"}),
             N::spatial("m", 1, "PE", "X"),
             N::storage("Buffer", {"A", "B", "Z"}), N::temporal("k", 1),
             N::compute("Mv", "MAC")};
  Expected<Result> r = evaluate(p, m);
  ASSERT_TRUE(bool(r)) << r.error().message;
  // A: each Buffer is filled with both A values; one MainMemory read serves
  // all four PEs: 2 values. Buffers are written 4 * 2 = 8 values.
  EXPECT_DOUBLE_EQ(actionCount(*r, "MainMemory", "A", "read"), 16);
  EXPECT_DOUBLE_EQ(actionCount(*r, "Buffer", "A", "write"), 64);
  EXPECT_DOUBLE_EQ(actionCount(*r, "Buffer", "A", "read"), 64);
  // B: every PE gets its own column: 8 values.
  EXPECT_DOUBLE_EQ(actionCount(*r, "MainMemory", "B", "read"), 64);
  // Z: 4 write-backs, no read-back (first fill skipped).
  EXPECT_DOUBLE_EQ(actionCount(*r, "MainMemory", "Z", "write"), 32);
  EXPECT_DOUBLE_EQ(actionCount(*r, "MainMemory", "Z", "read"), 0);
  // Buffer Z: reads = write-backs 4 + compute reads 8 - skipped 4;
  // writes = fills 4 - skipped 4 + compute results 8.
  EXPECT_DOUBLE_EQ(actionCount(*r, "Buffer", "Z", "read"), 64);
  EXPECT_DOUBLE_EQ(actionCount(*r, "Buffer", "Z", "write"), 64);
  // 8 computes over 4 PEs: 2 per PE on the critical path.
  EXPECT_DOUBLE_EQ(latencyOf(*r, "MAC"), 2);
  ASSERT_EQ(r->spatialUsage.size(), 1u);
  EXPECT_DOUBLE_EQ(r->spatialUsage[0].used, 4);
  EXPECT_DOUBLE_EQ(r->spatialUsage[0].usage, 1);
}

TEST(HandDerived, SpatialReduction) {
  // Spatial k over X (2 of 4 instances): Z (not indexed by k) is reduced
  // on its way to MainMemory.
  Problem p = spatialProblem();
  Mapping m;
  m.nodes = {N::storage("MainMemory", {"A", "B", "Z"}),
             N::spatial("k", 1, "PE", "X"),
             N::storage("Buffer", {"A", "B", "Z"}), N::temporal("m", 1),
             N::compute("Mv", "MAC")};
  Expected<Result> r = evaluate(p, m);
  ASSERT_TRUE(bool(r)) << r.error().message;
  // Each PE writes back its 4 partial sums; reduced: 4 values reach memory.
  EXPECT_DOUBLE_EQ(actionCount(*r, "MainMemory", "Z", "write"), 32);
  // Each Buffer: fills 4 - skipped 4 + compute results 4, times 2 PEs.
  EXPECT_DOUBLE_EQ(actionCount(*r, "Buffer", "Z", "write"), 64);
  // A is indexed by k: each PE fetches its own value.
  EXPECT_DOUBLE_EQ(actionCount(*r, "MainMemory", "A", "read"), 16);
  ASSERT_EQ(r->spatialUsage.size(), 1u);
  EXPECT_DOUBLE_EQ(r->spatialUsage[0].usage, 0.5);
}

TEST(HandDerived, LoopBoundsEqualTileShapes) {
  Problem p;
  p.workload = smallMatmul();
  FlattenedArch a;
  a.nodes = {memory("MainMemory", kInfinity), memory("GlobalBuffer", 1000),
             mac()};
  p.architectures.push_back(a);
  Mapping byTile, byBound;
  byTile.nodes = {N::storage("MainMemory", {"A", "B", "Z"}),
                  N::temporal("m", 2),
                  N::storage("GlobalBuffer", {"A", "Z"}),
                  N::temporal("m", 1),
                  N::temporal("k", 1),
                  N::temporal("n", 1),
                  N::compute("Mm", "MAC")};
  byBound.nodes = {N::storage("MainMemory", {"A", "B", "Z"}),
                   N::temporalBound("m", 2),
                   N::storage("GlobalBuffer", {"A", "Z"}),
                   N::temporalBound("m", 2),
                   N::temporalBound("k", 3),
                   N::temporalBound("n", 2),
                   N::compute("Mm", "MAC")};
  Expected<Result> x = evaluate(p, byTile), y = evaluate(p, byBound);
  ASSERT_TRUE(bool(x)) << x.error().message;
  ASSERT_TRUE(bool(y)) << y.error().message;
  EXPECT_DOUBLE_EQ(x->energy, y->energy);
  EXPECT_DOUBLE_EQ(x->latency, y->latency);
  ASSERT_EQ(x->actions.size(), y->actions.size());
  for (size_t i = 0; i < x->actions.size(); ++i)
    EXPECT_DOUBLE_EQ(x->actions[i].count, y->actions[i].count);
}

TEST(HandDerived, ImperfectOutermostLoop) {
  // Z[m] = A[m] * B[k], M = 10, K = 3. The outer m loop has tile 4: 2.5
  // average iterations (computes stay exact, 10 * 3 = 30), but B, which m
  // does not index, sees ceil(10 / 4) = 3 iterations (docs/design/model.md §4).
  Problem p;
  Workload &w = p.workload;
  w.rankVariables = {{"m", 10}, {"k", 3}};
  w.tensors = {{"A"}, {"B"}, {"Z"}};
  Einsum e;
  e.name = "E";
  e.accesses = {{0, false, {{"", {{0, 1}}, 0}}, 8, false},
                {1, false, {{"", {{1, 1}}, 0}}, 8, false},
                {2, true, {{"", {{0, 1}}, 0}}, 8, false}};
  w.einsums.push_back(e);
  FlattenedArch a;
  a.nodes = {memory("MainMemory", kInfinity), memory("GlobalBuffer", 1000),
             mac()};
  p.architectures.push_back(a);
  Mapping m;
  m.nodes = {N::storage("MainMemory", {"A", "B", "Z"}),
             N::temporal("m", 4),
             N::storage("GlobalBuffer", {"B"}),
             N::temporal("m", 1),
             N::temporal("k", 1),
             N::compute("E", "MAC")};
  Expected<Result> r = evaluate(p, m);
  ASSERT_TRUE(bool(r)) << r.error().message;
  EXPECT_DOUBLE_EQ(r->computes, 30);
  EXPECT_DOUBLE_EQ(actionCount(*r, "MainMemory", "A", "read"), 240);
  // 3 fills of the 3 B values.
  EXPECT_DOUBLE_EQ(actionCount(*r, "MainMemory", "B", "read"), 72);
  // 3 residencies x (4 x 3) compute reads.
  EXPECT_DOUBLE_EQ(actionCount(*r, "GlobalBuffer", "B", "read"), 288);
}

TEST(HandDerived, TollChargesEveryValuePassingThrough) {
  // The reference's tests/test_toll.py: T1[m, n1] = T0[m, n0] * W0[n0, n1]
  // with M = 128, N0 = 64, N1 = 128 through a Toll (100 J per read) between
  // two free memories: 100 * (|T0| + |W0| + |T1|) * 8 bits, the downward
  // fill of T1 being skipped.
  Problem p;
  Workload &w = p.workload;
  w.rankVariables = {{"m", 128}, {"n0", 64}, {"n1", 128}};
  w.tensors = {{"T0"}, {"W0"}, {"T1"}};
  Einsum e;
  e.name = "Matmul1";
  e.accesses = {{0, false, {{"", {{0, 1}}, 0}, {"", {{1, 1}}, 0}}, 8, false},
                {1, false, {{"", {{1, 1}}, 0}, {"", {{2, 1}}, 0}}, 8, false},
                {2, true, {{"", {{0, 1}}, 0}, {"", {{2, 1}}, 0}}, 8, false}};
  w.einsums.push_back(e);
  FlattenedArch a;
  ArchNode toll;
  toll.kind = NodeKind::Toll;
  toll.name = "Toll";
  toll.actions = {{"read", 100, kInfinity, 1, {}}};
  a.nodes = {memory("main_memory", 1e9, 0, 0), toll,
             memory("LocalBuffer", 1e9, 0, 0), mac(0, kInfinity)};
  p.architectures.push_back(a);
  Mapping m;
  m.nodes = {N::storage("main_memory", {"T0", "W0", "T1"}),
             N::toll("Toll", {"T0", "W0", "T1"}),
             N::storage("LocalBuffer", {"T0", "W0", "T1"}),
             N::temporal("m", 1),
             N::temporal("n0", 1),
             N::temporal("n1", 1),
             N::compute("Matmul1", "MAC")};
  Expected<Result> r = evaluate(p, m);
  ASSERT_TRUE(bool(r)) << r.error().message;
  EXPECT_DOUBLE_EQ(r->energy, 26214400);
  EXPECT_DOUBLE_EQ(actionCount(*r, "Toll", "T1", "write"), 0);
}

TEST(HandDerived, CopyEinsumMovesTheSource) {
  // B[m] = A[m] as a copy, A in MainMemory, B in the GlobalBuffer: 4 values
  // read from MainMemory and written into the GlobalBuffer, both reported
  // under the copy's source tensor A; no computes (docs/design/model.md §5.7).
  Problem p;
  Workload &w = p.workload;
  w.rankVariables = {{"m", 4}};
  w.tensors = {{"A"}, {"B"}};
  Einsum e;
  e.name = "Copy";
  e.isCopy = true;
  e.accesses = {{0, false, {{"", {{0, 1}}, 0}}, 8, false},
                {1, true, {{"", {{0, 1}}, 0}}, 8, false}};
  w.einsums.push_back(e);
  p.architectures.push_back(simpleArch());
  Mapping m;
  m.nodes = {N::storage("MainMemory", {"A"}), N::storage("GlobalBuffer", {"B"}),
             N::temporal("m", 1), N::compute("Copy", "MAC")};
  Expected<Result> r = evaluate(p, m);
  ASSERT_TRUE(bool(r)) << r.error().message;
  EXPECT_DOUBLE_EQ(actionCount(*r, "MainMemory", "A", "read"), 32);
  EXPECT_DOUBLE_EQ(actionCount(*r, "GlobalBuffer", "A", "write"), 32);
  EXPECT_DOUBLE_EQ(actionCount(*r, "MAC", "None", "compute"), 0);
  EXPECT_DOUBLE_EQ(r->energy, 64);
  EXPECT_DOUBLE_EQ(r->computes, 0);
  // Copies still count as computes when normalising (quirk 7).
  EXPECT_DOUBLE_EQ(r->iterationSpacePoints, 4);
}

TEST(HandDerived, LeakChargedForEveryComponentAtEinsumLatency) {
  // Leak 2 W on the (unused) GlobalBuffer, 0.5 W per MAC under a PE array of
  // 4, and 1 W on an off-path unit; the Einsum takes 24 s (the MAC).
  Problem p;
  p.workload = smallMatmul();
  FlattenedArch a = simpleArch();
  a.nodes[1].leakPower = 2;
  a.nodes.insert(a.nodes.begin() + 2,
                 container("PE", {{"X", 4, {}, true, 1, false}}));
  a.nodes[3].leakPower = 0.5;
  a.nodes[3].area = 10;
  a.otherComponents.push_back({"Other", 3, 1, 1, 1});
  p.architectures.push_back(a);
  Mapping m;
  m.nodes = {N::storage("MainMemory", {"A", "B", "Z"}), N::temporal("m", 1),
             N::temporal("k", 1), N::temporal("n", 1), N::compute("Mm", "MAC")};
  Expected<Result> r = evaluate(p, m);
  ASSERT_TRUE(bool(r)) << r.error().message;
  EXPECT_DOUBLE_EQ(r->latency, 24);
  EXPECT_DOUBLE_EQ(energyOf(*r, "GlobalBuffer", "leak"), 48);
  EXPECT_DOUBLE_EQ(energyOf(*r, "MAC", "leak"), 0.5 * 4 * 24);
  EXPECT_DOUBLE_EQ(energyOf(*r, "Other", "leak"), 24);
  EXPECT_DOUBLE_EQ(energyOf(*r, "MainMemory", "leak"), 0);
  // Area: MAC 10 m^2 under a fanout of 4 counts 40 (the reference test).
  EXPECT_DOUBLE_EQ(r->area.totalArea, 40 + 3);
  EXPECT_DOUBLE_EQ(r->area.totalLeakPower, 2 + 2 + 1);
}

TEST(HandDerived, OwnFanoutQuirkIsOptional) {
  // A memory declaring its own fanout of 4 is counted once by default
  // (docs/design/model.md §10, quirk 2) and four times with the corrected
  // option.
  FlattenedArch a = simpleArch();
  a.nodes[1].area = 5;
  a.nodes[1].spatial = {{"Z", 4, {}, false, 1, false}};
  EXPECT_DOUBLE_EQ(computeArea(a).totalArea, 5);
  EXPECT_DOUBLE_EQ(computeArea(a, /*includeOwnFanout=*/true).totalArea, 20);
}

TEST(HandDerived, PowerGatedInstancesDoNotLeak) {
  // Spatial k uses 2 of the 4 power-gateable PEs: the MACs leak half.
  Problem p = spatialProblem();
  p.architectures[0].nodes[1].spatial[0].powerGateable = true;
  p.architectures[0].nodes[3].leakPower = 1;
  Mapping m;
  m.nodes = {N::storage("MainMemory", {"A", "B", "Z"}),
             N::spatial("k", 1, "PE", "X"),
             N::storage("Buffer", {"A", "B", "Z"}), N::temporal("m", 1),
             N::compute("Mv", "MAC")};
  Expected<Result> r = evaluate(p, m);
  ASSERT_TRUE(bool(r)) << r.error().message;
  // 4 computes per MAC at 1/s: 4 s; 4 MACs x 1 W x 0.5 x 4 s = 8 J.
  EXPECT_DOUBLE_EQ(r->latency, 4);
  EXPECT_DOUBLE_EQ(energyOf(*r, "MAC", "leak"), 8);
}

TEST(HandDerived, InstancesMultiplySummableResults) {
  Problem p;
  p.workload = smallMatmul();
  p.workload.nInstances = 2;
  p.workload.einsums[0].nInstances = 3;
  FlattenedArch a;
  a.nodes = {memory("MainMemory", kInfinity), mac()};
  p.architectures.push_back(a);
  Mapping m;
  m.nodes = {N::storage("MainMemory", {"A", "B", "Z"}), N::temporal("m", 1),
             N::temporal("k", 1), N::temporal("n", 1), N::compute("Mm", "MAC")};
  Expected<Result> r = evaluate(p, m);
  ASSERT_TRUE(bool(r)) << r.error().message;
  EXPECT_DOUBLE_EQ(r->computes, 24 * 6);
  EXPECT_DOUBLE_EQ(r->latency, 24 * 6);
  EXPECT_DOUBLE_EQ(actionCount(*r, "MainMemory", "A", "read"), 192 * 6);
}

TEST(HandDerived, TotalLatencyCallbackSeesPerInstanceCalls) {
  Problem p;
  p.workload = smallMatmul();
  FlattenedArch a;
  a.nodes = {memory("MainMemory", kInfinity), mac()};
  double seenReads = -1, seenWrites = -1;
  a.nodes[0].totalLatency = [&](const ComponentActivity &c) {
    seenReads = c.nCalls("read");
    seenWrites = c.nCalls("write");
    return 1000.0; // separate ports, 1 ms... anything non-default
  };
  a.nodes[0].actionsScale = 2;
  p.architectures.push_back(a);
  Mapping m;
  m.nodes = {N::storage("MainMemory", {"A", "B", "Z"}), N::temporal("m", 1),
             N::temporal("k", 1), N::temporal("n", 1), N::compute("Mm", "MAC")};
  Expected<Result> r = evaluate(p, m);
  ASSERT_TRUE(bool(r)) << r.error().message;
  // (192 + 192 + 128) reads and 192 writes, times actions_scale 2.
  EXPECT_DOUBLE_EQ(seenReads, 1024);
  EXPECT_DOUBLE_EQ(seenWrites, 384);
  EXPECT_DOUBLE_EQ(r->latency, 1000);
  EXPECT_DOUBLE_EQ(actionCount(*r, "MainMemory", "A", "read"), 384);
}

TEST(HandDerived, Float32RoundingOption) {
  Problem p;
  p.workload = smallMatmul();
  FlattenedArch a;
  a.nodes = {memory("MainMemory", kInfinity, 0.1), mac(0.1)};
  p.architectures.push_back(a);
  Mapping m;
  m.nodes = {N::storage("MainMemory", {"A", "B", "Z"}), N::temporal("m", 1),
             N::temporal("k", 1), N::temporal("n", 1), N::compute("Mm", "MAC")};
  EvaluateOptions o;
  o.roundToFloat32 = true;
  Expected<Result> r = evaluate(p, m, o);
  ASSERT_TRUE(bool(r)) << r.error().message;
  EXPECT_EQ(r->energy, double(float(r->energy)));
}

TEST(HandDerived, TotalsOnlyModeAgrees) {
  Problem p = eyerissMatmuls();
  Evaluator detailed(p);
  EvaluateOptions fast;
  fast.detailed = false;
  Evaluator totals(p, fast);
  Mapping m = eyerissUnfusedMatmuls();
  Result a, b;
  ASSERT_FALSE(detailed.evaluateInto(m, a).has_value());
  ASSERT_FALSE(totals.evaluateInto(m, b).has_value());
  EXPECT_DOUBLE_EQ(a.energy, b.energy);
  EXPECT_DOUBLE_EQ(a.latency, b.latency);
  EXPECT_TRUE(b.actions.empty());
  // A warm evaluator gives the same answer again.
  ASSERT_FALSE(totals.evaluateInto(m, b).has_value());
  EXPECT_DOUBLE_EQ(a.energy, b.energy);
}

} // namespace
