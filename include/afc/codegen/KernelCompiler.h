//===- KernelCompiler.h - cost graphs to JIT-compiled kernels -----*- C++ -*-===//
//
// Lowers a CostGraph to an LLVM IR function that loops over a batch of
// tile-shape candidates, optimises it and compiles it with ORC's LLJIT.
// Design-point values are kernel arguments, so one compiled kernel serves
// every point of a sweep; kernels are cached by the graph's structure.
//
// LLVM stays inside this library: its users see plain function pointers.
//
//===----------------------------------------------------------------------===//
#ifndef AFC_CODEGEN_KERNELCOMPILER_H
#define AFC_CODEGEN_KERNELCOMPILER_H

#include "afc/codegen/CostGraph.h"

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

namespace llvm {
class raw_ostream;
namespace orc {
class LLJIT;
}
} // namespace llvm

namespace afc::codegen {

using KernelFn = void (*)(const double *point, const double *tiles,
                          double *out, int64_t numCandidates);

class KernelCompiler {
public:
  /// Creates a JIT for the host. On failure returns null and sets `error`.
  static std::unique_ptr<KernelCompiler> create(unsigned optLevel,
                                                std::string &error);
  ~KernelCompiler();

  /// Compiles `graph` (or returns the cached kernel of an equal graph).
  /// Thread-safe. Returns null and sets `error` on failure.
  KernelFn compile(const CostGraph &graph, const std::string &name,
                   std::string &error);
  /// Compiles several graphs at once (one LLVM module for all new ones,
  /// which is much faster than one module each). On failure returns an
  /// empty vector and sets `error`.
  std::vector<KernelFn> compile(std::span<const CostGraph *const> graphs,
                                const std::string &name, std::string &error);

  unsigned numCompiled() const { return compiledCount; }
  /// The kernel compiled before of a graph whose structuralKey() is `key`;
  /// null if none. Thread-safe.
  KernelFn cached(const std::string &key);
  /// Counts `n` more candidates costed by graphs with structural key `key`
  /// while they were not compiled; returns the count so far (n = 0 reads
  /// it). Callers compile only graphs in use long enough to pay for it,
  /// across the searches of a sweep. Thread-safe.
  int64_t countUses(const std::string &key, int64_t n);

  /// Prints the kernel's LLVM IR before (or after) optimisation.
  static void printIR(const CostGraph &graph, const std::string &name,
                      llvm::raw_ostream &os, unsigned optLevel = 0);

private:
  KernelCompiler() = default;
  std::unique_ptr<llvm::orc::LLJIT> jit;
  unsigned optLevel = 2;
  std::mutex mutex;
  std::map<std::string, KernelFn> cache;
  std::map<std::string, int64_t> uses;
  unsigned compiledCount = 0;
};

} // namespace afc::codegen

#endif // AFC_CODEGEN_KERNELCOMPILER_H
