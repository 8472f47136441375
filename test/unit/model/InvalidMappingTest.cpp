//===- InvalidMappingTest.cpp - every kind of invalid mapping -------------===//
//
// Each test breaks one rule and checks the error kind, that the message names
// the problem, and that the error carries the SourceLocation of the node to
// blame, so that the compiler can point at it.
//
//===----------------------------------------------------------------------===//

#include "ModelTestSupport.h"

#include <gtest/gtest.h>

using namespace afc::model;
using namespace afc::model::test;
using N = MappingNode;

namespace {

SourceLocation at(uint32_t id) { return SourceLocation{id}; }

/// Two matmuls (M = KN = 8) on the simple architecture with a 1,000-bit
/// GlobalBuffer.
Problem simpleProblem(double globalBufferSize = 1000) {
  return stdlibProblem("simple", "basic/matmuls",
                       {{"N_EINSUMS", 2},
                        {"M", 8},
                        {"KN", 8},
                        {"GlobalBufferSize", globalBufferSize}});
}

/// A valid unfused mapping whose nodes carry location ids: Einsum i's
/// GlobalBuffer node is 10 * (i + 1), its loops 10 * (i + 1) + 1..3 and its
/// Compute 10 * (i + 1) + 4.
Mapping simpleMapping() {
  Mapping m;
  m.nodes.push_back(
      N::storage("MainMemory", {"T0", "T1", "T2", "W0", "W1"}, at(1)));
  std::vector<N> branches;
  for (int i = 0; i < 2; ++i) {
    std::string a = std::to_string(i), b = std::to_string(i + 1);
    uint32_t base = 10 * (i + 1);
    branches.push_back(N::nested({
        N::storage("GlobalBuffer", {"T" + a, "W" + a, "T" + b}, at(base)),
        N::temporal("m", 1, at(base + 1)),
        N::temporal("n" + a, 1, at(base + 2)),
        N::temporal("n" + b, 1, at(base + 3)),
        N::compute("Matmul" + a, "MAC", at(base + 4)),
    }));
  }
  m.nodes.push_back(N::sequential(branches, at(2)));
  return m;
}

ModelError expectError(const Problem &p, const Mapping &m, ErrorKind kind) {
  Expected<Result> r = evaluate(p, m);
  EXPECT_FALSE(bool(r)) << "the mapping was accepted";
  if (r)
    return {};
  EXPECT_EQ(int(r.error().kind), int(kind)) << r.error().message;
  return r.error();
}

TEST(InvalidMapping, ValidBaseline) {
  Expected<Result> r = evaluate(simpleProblem(1e9), simpleMapping());
  ASSERT_TRUE(bool(r)) << r.error().message;
}

TEST(InvalidMapping, RankVariableNotTiledToOne) {
  // The reference's test_model.py: no `m` loop of tile 1.
  Mapping m = simpleMapping();
  m.nodes[1].children[0].children[1].tileShape = 2;
  ModelError e = expectError(simpleProblem(), m, ErrorKind::NotTiledToOne);
  EXPECT_EQ(e.location, at(14)); // the Compute of Matmul0
  EXPECT_NE(e.message.find("'m'"), std::string::npos) << e.message;
  EXPECT_EQ(e.einsum, "Matmul0");
}

TEST(InvalidMapping, CapacityOverflowListsEveryMemory) {
  // The GlobalBuffer holds all of T0 and W0 (no loop above), 2 x 512 bits,
  // plus one T1 row: 1,088 bits > 1,000.
  ModelError e = expectError(simpleProblem(1000), simpleMapping(),
                             ErrorKind::CapacityExceeded);
  EXPECT_EQ(e.location, at(10));
  ASSERT_EQ(e.overflows.size(), 1u);
  EXPECT_EQ(e.overflows[0].memory, "GlobalBuffer");
  EXPECT_DOUBLE_EQ(e.overflows[0].usedBits, 1088);
  EXPECT_DOUBLE_EQ(e.overflows[0].sizeBits, 1000);
  EXPECT_DOUBLE_EQ(e.overflows[0].overBits(), 88);
  EXPECT_NE(e.message.find("1088 bits of GlobalBuffer"), std::string::npos)
      << e.message;
}

TEST(InvalidMapping, FanoutExceeded) {
  // Eyeriss's reuse_weight has 14 PEs; 16 instances of m do not fit.
  Problem p = eyerissMatmuls();
  Mapping m = eyerissUnfusedMatmuls();
  N &spatial = m.nodes[0].children[0].children[2];
  ASSERT_EQ(spatial.kind, MappingNodeKind::Spatial);
  spatial.tileShape = 4;
  spatial.location = at(77);
  ModelError e = expectError(p, m, ErrorKind::FanoutExceeded);
  EXPECT_EQ(e.location, at(77));
  EXPECT_NE(e.message.find("16 spatial instances"), std::string::npos)
      << e.message;
}

TEST(InvalidMapping, UnknownComponent) {
  Mapping m = simpleMapping();
  m.nodes[1].children[1].children[0].component = "GlobalBufer";
  ModelError e =
      expectError(simpleProblem(1e9), m, ErrorKind::UnknownComponent);
  EXPECT_EQ(e.location, at(20));
  EXPECT_NE(e.message.find("GlobalBufer"), std::string::npos);
}

TEST(InvalidMapping, UnknownComputeUnit) {
  Mapping m = simpleMapping();
  m.nodes[1].children[0].children[4].component = "ALU";
  ModelError e =
      expectError(simpleProblem(1e9), m, ErrorKind::UnknownComponent);
  EXPECT_EQ(e.location, at(14));
}

TEST(InvalidMapping, UnknownEinsum) {
  Mapping m = simpleMapping();
  m.nodes[1].children[1].children[4].einsum = "Matmul7";
  ModelError e = expectError(simpleProblem(1e9), m, ErrorKind::UnknownEinsum);
  EXPECT_EQ(e.location, at(24));
}

TEST(InvalidMapping, UnknownRankVariable) {
  Mapping m = simpleMapping();
  m.nodes[1].children[0].children[2].rankVariable = "q";
  ModelError e =
      expectError(simpleProblem(1e9), m, ErrorKind::UnknownRankVariable);
  EXPECT_EQ(e.location, at(12));
}

TEST(InvalidMapping, RankVariableOfAnotherEinsum) {
  // n2 belongs to Matmul1 only.
  Mapping m = simpleMapping();
  m.nodes[1].children[0].children[2].rankVariable = "n2";
  ModelError e =
      expectError(simpleProblem(1e9), m, ErrorKind::UnknownRankVariable);
  EXPECT_EQ(e.location, at(12));
  EXPECT_NE(e.message.find("Matmul0"), std::string::npos);
}

TEST(InvalidMapping, UnknownTensor) {
  Mapping m = simpleMapping();
  m.nodes[0].tensors.push_back("T9");
  ModelError e = expectError(simpleProblem(1e9), m, ErrorKind::UnknownTensor);
  EXPECT_EQ(e.location, at(1));
}

TEST(InvalidMapping, UnknownSpatialDimension) {
  Problem p = eyerissMatmuls();
  Mapping m = eyerissUnfusedMatmuls();
  N &spatial = m.nodes[0].children[1].children[3];
  ASSERT_EQ(spatial.kind, MappingNodeKind::Spatial);
  spatial.dimension = "reuse_inputs";
  spatial.location = at(5);
  ModelError e = expectError(p, m, ErrorKind::UnknownSpatialDimension);
  EXPECT_EQ(e.location, at(5));
}

TEST(InvalidMapping, StorageOnAComputeUnit) {
  Mapping m = simpleMapping();
  m.nodes[1].children[0].children[0].component = "MAC";
  ModelError e =
      expectError(simpleProblem(1e9), m, ErrorKind::WrongComponentKind);
  EXPECT_EQ(e.location, at(10));
}

TEST(InvalidMapping, TensorStoredWhereNotAllowed) {
  Problem p = simpleProblem(1e9);
  p.architectures[0].nodes[1].restrictTensors = true;
  p.architectures[0].nodes[1].allowedTensors = {"T0", "T1", "T2"};
  ModelError e = expectError(p, simpleMapping(), ErrorKind::TensorNotAllowed);
  EXPECT_EQ(e.location, at(10));
  EXPECT_NE(e.message.find("'W0'"), std::string::npos);
}

TEST(InvalidMapping, TensorStoredTwiceInOneComponent) {
  Mapping m = simpleMapping();
  m.nodes[1].children[0].children.insert(
      m.nodes[1].children[0].children.begin() + 2,
      N::storage("GlobalBuffer", {"T0"}, at(99)));
  ModelError e =
      expectError(simpleProblem(1e9), m, ErrorKind::DuplicateStorage);
  EXPECT_EQ(e.location, at(99));
}

TEST(InvalidMapping, EinsumMappedTwice) {
  Mapping m = simpleMapping();
  m.nodes[1].children[1].children[4].einsum = "Matmul0";
  ModelError e = expectError(simpleProblem(1e9), m, ErrorKind::DuplicateEinsum);
  EXPECT_EQ(e.location, at(24));
}

TEST(InvalidMapping, EinsumNotMapped) {
  Mapping m = simpleMapping();
  m.nodes[1].children.pop_back();
  ModelError e = expectError(simpleProblem(1e9), m, ErrorKind::UnmappedEinsum);
  EXPECT_EQ(e.einsum, "Matmul1");
  // The mapper evaluates one Einsum at a time.
  EvaluateOptions partial;
  partial.requireEveryEinsum = false;
  EXPECT_TRUE(bool(evaluate(simpleProblem(1e9), m, partial)));
}

TEST(InvalidMapping, ChildrenMustComeLast) {
  Mapping m = simpleMapping();
  m.nodes.push_back(N::temporal("m", 1, at(3)));
  ModelError e =
      expectError(simpleProblem(1e9), m, ErrorKind::MalformedMapping);
  EXPECT_EQ(e.location, at(2));
}

TEST(InvalidMapping, BranchWithoutCompute) {
  Mapping m = simpleMapping();
  m.nodes[1].children[1].children.pop_back();
  ModelError e =
      expectError(simpleProblem(1e9), m, ErrorKind::MalformedMapping);
  EXPECT_EQ(e.location, at(23));
}

TEST(InvalidMapping, NonPositiveTileShape) {
  Mapping m = simpleMapping();
  m.nodes[1].children[0].children[2].tileShape = 0;
  ModelError e =
      expectError(simpleProblem(1e9), m, ErrorKind::InvalidTileShape);
  EXPECT_EQ(e.location, at(12));
}

TEST(InvalidMapping, TileShapeAndLoopBoundTogether) {
  Mapping m = simpleMapping();
  m.nodes[1].children[0].children[2].loopBound = 8;
  ModelError e =
      expectError(simpleProblem(1e9), m, ErrorKind::InvalidTileShape);
  EXPECT_EQ(e.location, at(12));
}

TEST(InvalidMapping, SpatialLoopCannotPassADependentTemporalLoop) {
  // Z[m] = A[m]: a spatial loop over m on the PE array sits above a
  // temporal m loop and a Buffer storage node (Buffer is above the array).
  // Placing the spatial loop next to the storage it replicates would move
  // it below the temporal m loop, which the reference rejects.
  Problem p;
  p.workload.rankVariables = {{"m", 8}};
  p.workload.tensors = {{"A"}, {"Z"}};
  Einsum e;
  e.name = "E";
  e.accesses = {{0, false, {{"", {{0, 1}}, 0}}, 8, false},
                {1, true, {{"", {{0, 1}}, 0}}, 8, false}};
  p.workload.einsums.push_back(e);
  FlattenedArch a = simpleArch();
  ArchNode pe;
  pe.kind = NodeKind::Container;
  pe.name = "PE";
  pe.spatial = {{"X", 4, {}, true, 1, false}};
  a.nodes.insert(a.nodes.begin() + 2, pe);
  p.architectures.push_back(a);
  Mapping m;
  m.nodes = {N::storage("MainMemory", {"A", "Z"}),
             N::spatial("m", 2, "PE", "X", at(41)), N::temporal("m", 1, at(42)),
             N::storage("GlobalBuffer", {"Z"}), N::compute("E", "MAC")};
  ModelError err = expectError(p, m, ErrorKind::SpatialTemporalConflict);
  EXPECT_TRUE(err.location == at(41) || err.location == at(42));
}

TEST(InvalidMapping, MissingAction) {
  Problem p = simpleProblem(1e9);
  p.architectures[0].nodes[1].actions.pop_back(); // no GlobalBuffer write
  ModelError e = expectError(p, simpleMapping(), ErrorKind::MissingAction);
  EXPECT_EQ(e.location, at(10));
}

TEST(InvalidMapping, InvalidProblem) {
  // A copy Einsum must have exactly one input.
  Problem p = simpleProblem(1e9);
  p.workload.einsums[0].isCopy = true;
  ModelError e = expectError(p, simpleMapping(), ErrorKind::InvalidProblem);
  EXPECT_FALSE(e.location.isValid());
}

} // namespace
