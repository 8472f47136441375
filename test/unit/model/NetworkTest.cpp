//===- NetworkTest.cpp - hops through Networks, counted by hand -----------===//
//
// Small mappings through a Network whose hop counts, energies and latencies
// are derived on paper from the topology rules (runtime/model/README.md,
// "Networks"). Values are 8 bits and a hop moves one bit unless stated.
//
//===----------------------------------------------------------------------===//

#include "ResultReaders.h"

#include "afc/model/Model.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace afc::model;
using namespace afc::model::test;
using N = MappingNode;

namespace {

double hops(const Result &r, std::string_view tensor) {
  for (const ActionCount &a : r.actions)
    if (a.component == "NoC" && a.tensor == tensor && a.action == "hop")
      return a.count;
  ADD_FAILURE() << "no hop count for " << tensor;
  return -1;
}

ArchNode memory(std::string name) {
  ArchNode n;
  n.name = std::move(name);
  n.actions = {{"read", 0, kInfinity, 1, {}}, {"write", 0, kInfinity, 1, {}}};
  return n;
}

ArchNode container(std::string name, std::string dim, double fanout) {
  ArchNode n;
  n.kind = NodeKind::Container;
  n.name = std::move(name);
  n.spatial = {{std::move(dim), fanout, {}, /*mayReuseAll=*/true, 1, false}};
  return n;
}

/// A network whose hops cost 2 J and run at 10 per second.
ArchNode network() {
  ArchNode n;
  n.kind = NodeKind::Network;
  n.name = "NoC";
  n.actions = {{"hop", 2, 10, 1, {}}};
  return n;
}

ArchNode mac() {
  ArchNode n;
  n.kind = NodeKind::Compute;
  n.name = "MAC";
  n.actions = {{"compute", 0, kInfinity, 1, {}}};
  return n;
}

/// Z[m] = A[k] * B[k, m] (or A[m + k] with `window`), K = 2.
Workload matvec(int64_t m, bool window = false) {
  Workload w;
  w.rankVariables = {{"m", m}, {"k", 2}};
  w.tensors = {{"A"}, {"B"}, {"Z"}};
  Einsum e;
  e.name = "Mv";
  RankProjection a = window ? RankProjection{"", {{0, 1}, {1, 1}}, 0}
                            : RankProjection{"", {{1, 1}}, 0};
  e.accesses = {{0, false, {a}, 8, false},
                {1, false, {{"", {{1, 1}}, 0}, {"", {{0, 1}}, 0}}, 8, false},
                {2, true, {{"", {{0, 1}}, 0}}, 8, false}};
  w.einsums.push_back(e);
  return w;
}

/// MainMemory -> NoC -> 4 PEs (X), each with a Buffer and a MAC.
Problem meshProblem(NetworkTopology topology = NetworkTopology::Mesh) {
  Problem p;
  p.workload = matvec(4);
  FlattenedArch a;
  ArchNode noc = network();
  noc.topology = topology;
  a.nodes = {memory("MainMemory"), noc, container("PE", "X", 4),
             memory("Buffer"), mac()};
  p.architectures.push_back(a);
  return p;
}

Mapping spreadM(double mTile = 1) {
  Mapping m;
  m.nodes = {N::storage("MainMemory", {"A", "B", "Z"}),
             N::spatial("m", mTile, "PE", "X"),
             N::storage("Buffer", {"A", "B", "Z"}), N::temporal("k", 1),
             N::compute("Mv", "MAC")};
  return m;
}

TEST(Network, MeshMulticastsSharedTilesAndUnicastsOwnTiles) {
  Problem p = meshProblem();
  Expected<Result> r = evaluate(p, spreadM());
  ASSERT_TRUE(bool(r)) << r.error().message;
  // Spatial m over 4 PEs, one apart. A (no m): its 2-value tile (16 bits)
  // is relayed along the axis, 3 hops per bit: 48. B and Z (indexed by m):
  // each PE's own tile travels 0 + 1 + 2 + 3 = 6 hops per bit: B 2 values,
  // 96; Z 1 value, 48.
  EXPECT_DOUBLE_EQ(hops(*r, "A"), 48);
  EXPECT_DOUBLE_EQ(hops(*r, "B"), 96);
  EXPECT_DOUBLE_EQ(hops(*r, "Z"), 48);
  EXPECT_DOUBLE_EQ(energyOf(*r, "NoC", "hop"), (48 + 96 + 48) * 2);
  // Longest route 4 hops at 0.1 s; busiest link: A once (16), B and Z for
  // the 3 PEs behind it (48 + 24): 88 hops at 10 per second = 8.8 s.
  EXPECT_DOUBLE_EQ(latencyOf(*r, "NoC"), 8.8);
}

TEST(Network, DeclaredHopLatencyBoundsTheLongestRoute) {
  Problem p = meshProblem();
  p.architectures[0].nodes[1].actions[0].latency = 3;
  Expected<Result> r = evaluate(p, spreadM());
  ASSERT_TRUE(bool(r)) << r.error().message;
  // 4 hops at 3 s beat the 8.8 s of the busiest link.
  EXPECT_DOUBLE_EQ(latencyOf(*r, "NoC"), 12);
  EXPECT_DOUBLE_EQ(r->latency, 12);
}

TEST(Network, AllToAllIsOneHopPerDestination) {
  Problem p = meshProblem(NetworkTopology::AllToAll);
  Expected<Result> r = evaluate(p, spreadM());
  ASSERT_TRUE(bool(r)) << r.error().message;
  // 3 destinations besides the source, one hop each: A 3 x 16, B 3 x 16,
  // Z 3 x 8. Every route is one hop; the source's link carries A once and
  // B and Z three times: 16 + 48 + 24 = 88.
  EXPECT_DOUBLE_EQ(hops(*r, "A"), 48);
  EXPECT_DOUBLE_EQ(hops(*r, "B"), 48);
  EXPECT_DOUBLE_EQ(hops(*r, "Z"), 24);
  EXPECT_DOUBLE_EQ(latencyOf(*r, "NoC"), 8.8);
}

TEST(Network, SpatialLoopsAboveTheNetworkReplicateIt) {
  // MainMemory, 4 PEs (X), a NoC in each PE, 2 lanes (Y) below it. M = 8:
  // spatial m over X (tile 2), then over Y (tile 1).
  Problem p;
  p.workload = matvec(8);
  FlattenedArch a;
  a.nodes = {memory("MainMemory"), container("PE", "X", 4), network(),
             container("Lane", "Y", 2), memory("Buffer"), mac()};
  p.architectures.push_back(a);
  Mapping m;
  m.nodes = {N::storage("MainMemory", {"A", "B", "Z"}),
             N::spatial("m", 2, "PE", "X"), N::spatial("m", 1, "Lane", "Y"),
             N::storage("Buffer", {"A", "B", "Z"}), N::temporal("k", 1),
             N::compute("Mv", "MAC")};
  Expected<Result> r = evaluate(p, m);
  ASSERT_TRUE(bool(r)) << r.error().message;
  // Each PE's NoC spreads over 2 lanes: A multicast 1 x 16, B unicast
  // 1 x 16, Z unicast 1 x 8; the 4 PEs each do so.
  EXPECT_DOUBLE_EQ(hops(*r, "A"), 64);
  EXPECT_DOUBLE_EQ(hops(*r, "B"), 64);
  EXPECT_DOUBLE_EQ(hops(*r, "Z"), 32);
  // Per NoC: the longest route 2 hops (0.2 s); the Y link 16 + 16 + 8 = 40
  // hops (4 s).
  EXPECT_DOUBLE_EQ(latencyOf(*r, "NoC"), 4);
}

TEST(Network, TemporalLoopsAboveTheSpreadRepeatIt) {
  Problem p = meshProblem();
  Mapping m;
  m.nodes = {N::storage("MainMemory", {"A", "B", "Z"}), N::temporal("k", 1),
             N::spatial("m", 1, "PE", "X"),
             N::storage("Buffer", {"A", "B", "Z"}), N::compute("Mv", "MAC")};
  Expected<Result> r = evaluate(p, m);
  ASSERT_TRUE(bool(r)) << r.error().message;
  // Per k (2 iterations): A's 1-value tile relayed 3 hops per bit, 24; B's
  // 1-value tiles 6 x 8 = 48; Z (no k) 6 x 8 = 48 each time as well.
  EXPECT_DOUBLE_EQ(hops(*r, "A"), 2 * 24);
  EXPECT_DOUBLE_EQ(hops(*r, "B"), 2 * 48);
  EXPECT_DOUBLE_EQ(hops(*r, "Z"), 2 * 48);
}

TEST(Network, WindowLoopSpreadAcrossANetworkIsRejected) {
  Problem p = meshProblem();
  p.workload = matvec(4, /*window=*/true);
  Expected<Result> r = evaluate(p, spreadM());
  ASSERT_FALSE(bool(r));
  EXPECT_EQ(r.error().kind, ErrorKind::UnsupportedTransfer);
  EXPECT_NE(r.error().message.find("only partly indexes"), std::string::npos)
      << r.error().message;
  // With one iteration there is nothing to spread.
  Mapping m = spreadM(4);
  m.nodes.insert(m.nodes.end() - 1, N::temporal("m", 1));
  Expected<Result> one = evaluate(p, m);
  ASSERT_TRUE(bool(one)) << one.error().message;
}

TEST(Network, HopsNeedAHopAction) {
  Problem p = meshProblem();
  p.architectures[0].nodes[1].actions.clear();
  Expected<Result> r = evaluate(p, spreadM());
  ASSERT_FALSE(bool(r));
  EXPECT_EQ(r.error().kind, ErrorKind::MissingAction);
}

TEST(Network, NoTransferWithoutAHolderAbove) {
  // A network above every memory carries nothing: no hops, no latency.
  Problem p = meshProblem();
  std::swap(p.architectures[0].nodes[0], p.architectures[0].nodes[1]);
  Expected<Result> r = evaluate(p, spreadM());
  ASSERT_TRUE(bool(r)) << r.error().message;
  for (const ActionCount &a : r->actions)
    EXPECT_NE(a.action, "hop");
  for (const ComponentLatency &l : r->latencies)
    EXPECT_NE(l.component, "NoC");
}

} // namespace
