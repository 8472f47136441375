//===- ModelTestSupport.h - inputs for the afcModel tests -------*- C++ -*-===//
//
// The problems of the model tests come from the stdlib .af files through the
// compiler (afcTestSupport's StdlibProblems); expected values come from the
// reference's files in test/data/ (ReferenceData). What stays here are the
// mappings: C++ equivalents of the reference's example mappings
// (mappings/*.yaml) and the ones docs/design/model.md §13 derives for the
// regression cases.
//
//===----------------------------------------------------------------------===//
#ifndef AFC_TEST_MODEL_SUPPORT_H
#define AFC_TEST_MODEL_SUPPORT_H

#include "ReferenceData.h"
#include "StdlibProblems.h"

#include "afc/model/Model.h"

#include <string>
#include <vector>

namespace afc::model::test {

using afc::test::loadData;
using afc::test::number;
using afc::test::param;
using afc::test::parseKey;
using afc::test::parseParams;
using afc::test::relativeError;
using afc::test::split;
using afc::test::stdlibProblem;
using KeyParams = afc::test::KeyParams;

/// stdlib/arches/simple.af (unit energies; `params` may set MainMemoryEnergy,
/// GlobalBufferSize, GlobalBufferThroughput) as an architecture for every
/// Einsum, for hand-derived workloads with Einsums of their own.
FlattenedArch simpleArch(const afc::test::StdlibParams &params = {});

/// stdlib eyeriss with two 64 x 64 x 64 matmuls (workloads/basic/matmuls.af),
/// the problem of docs/design/model.md §13.2 and §13.3.
const Problem &eyerissMatmuls();

// Mappings (mappings/*.yaml), for N_EINSUMS Einsums of matmuls.yaml.
Mapping unfusedMatmulsToSimple(int nEinsums);
Mapping fusedMatmulsToSimple(int nEinsums);
Mapping unfusedMatvecsToSimple();
Mapping fusedMatvecsToSimpleUntiled();
Mapping fusedMatvecsToSimpleTiled();
Mapping fusedMatvecsToSimpleTiledReuseA();

/// docs/design/model.md §13.1: every tensor in MainMemory only, three tile-1
/// loops. `einsums` lists (einsum, input, weight, output, rv of input column,
/// rv of output column).
struct MatmulNames {
  std::string einsum, input, weight, output, reduced, column;
};
Mapping allInMainMemory(const std::vector<MatmulNames> &einsums,
                        bool persistentWeights);
/// docs/design/model.md §13.2 and §13.3 (M = KN = 64, two Einsums).
Mapping eyerissUnfusedMatmuls();
Mapping eyerissFusedMatmuls();
/// tpu_v4i (M = KN = 64, two Einsums), derived from the reference's counts:
/// m across LocalBuffer.Z, the column across reuse_input, the reduced rank
/// variable across reuse_output, weights one value at a time in Register.
Mapping tpuV4iUnfusedMatmuls();
Mapping tpuV4iFusedMatmuls();
/// simba (M = KN = 64, two Einsums), derived from the reference's counts:
/// the PE array splits the reduced rank variable 8 ways and the column 2
/// ways; each vector lane handles one reduced index and two columns.
Mapping simbaUnfusedMatmuls();
Mapping simbaFusedMatmuls();

} // namespace afc::model::test

#endif // AFC_TEST_MODEL_SUPPORT_H
