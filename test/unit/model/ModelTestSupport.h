//===- ModelTestSupport.h - inputs for the afcModel tests -------*- C++ -*-===//
//
// Hand-written C++ equivalents of the reference's example inputs
// (accelforge-examples: arches/simple.yaml, arches/eyeriss.yaml,
// workloads/basic/*.yaml, mappings/*.yaml), parameterised like their Jinja
// templates, plus helpers to read the expected-value JSON files copied into
// test/data/.
//
//===----------------------------------------------------------------------===//
#ifndef AFC_TEST_MODEL_SUPPORT_H
#define AFC_TEST_MODEL_SUPPORT_H

#include "afc/model/Model.h"

#include <nlohmann/json.hpp>

#include <map>
#include <string>
#include <vector>

namespace afc::model::test {

/// Jinja parameters of a reference key, e.g. "KN=32,M=64,N_EINSUMS=2".
using Params = std::map<std::string, std::string>;
Params parseParams(const std::string &text);
double param(const Params &p, const std::string &name, double fallback);

/// Reads test/data/<name>. Python's Infinity / NaN become the strings
/// "Infinity" / "NaN"; read numbers with number().
nlohmann::json loadData(const std::string &name);
double number(const nlohmann::json &value);

/// Splits a reference key such as "eyeriss|matmuls|M=64|unfused" at `sep`
/// (a trailing separator gives a trailing empty part).
std::vector<std::string> split(const std::string &s, char sep);

/// Splits "('Matmul0', 'MAC', 'None', 'compute')" into its strings.
std::vector<std::string> parseKey(const std::string &key);

// Workloads (workloads/basic/).
Workload makeMatmuls(int nEinsums, int64_t m, int64_t kn);
Workload makeMatvecs();
Workload makeThreeMatmulsAnnotated();

// Architectures (arches/).
FlattenedArch makeSimpleArch(double mainMemoryEnergy, double globalBufferSize,
                             double globalBufferThroughput);
/// Eyeriss with the component figures of hwcomponents_expected.json. The
/// PE array's may-reuse sets depend on the Einsum's weight and output, so
/// there is one architecture per Einsum: (einsum, weight, output) triples.
struct EinsumRoles {
  std::string einsum, weight, output;
};
std::vector<FlattenedArch>
makeEyerissArchs(const nlohmann::json &costs,
                 const std::vector<EinsumRoles> &roles);
/// tpu_v4i's MAC path (the ScalarUnit is off the path) with the figures of
/// hwcomponents_expected.json; `input` per Einsum is given in `inputs`.
std::vector<FlattenedArch>
makeTpuV4iArchs(const nlohmann::json &costs,
                const std::vector<EinsumRoles> &roles,
                const std::vector<std::string> &inputs);

/// simba (16 PEs x 64 vector lanes); AccumulationBuffer keeps outputs at
/// 3 x 8 bits.
std::vector<FlattenedArch>
makeSimbaArchs(const nlohmann::json &costs,
               const std::vector<EinsumRoles> &roles,
               const std::vector<std::string> &inputs);

// Mappings (mappings/*.yaml), for N_EINSUMS Einsums of matmuls.yaml.
Mapping unfusedMatmulsToSimple(int nEinsums);
Mapping fusedMatmulsToSimple(int nEinsums);
Mapping unfusedMatvecsToSimple();
Mapping fusedMatvecsToSimpleUntiled();
Mapping fusedMatvecsToSimpleTiled();
Mapping fusedMatvecsToSimpleTiledReuseA();

/// model.md §13.1: every tensor in MainMemory only, three tile-1 loops.
/// `einsums` lists (einsum, input, weight, output, rv of input column,
/// rv of output column).
struct MatmulNames {
  std::string einsum, input, weight, output, reduced, column;
};
Mapping allInMainMemory(const std::vector<MatmulNames> &einsums,
                        bool persistentWeights);
/// model.md §13.2 and §13.3 (M = KN = 64, two Einsums).
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

/// Relative comparison with a floor for exact zeros.
double relativeError(double actual, double expected);

} // namespace afc::model::test

#endif // AFC_TEST_MODEL_SUPPORT_H
