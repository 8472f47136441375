//===- FuzzFrontEnd.cpp - libFuzzer over parse and elaboration ------------===//
//
// Each input is one .af file, held in memory: it is parsed, its imports are
// loaded (from the standard library, or read-only from disk; the loader
// reads only regular files, bounded in size), elaborated with the checks of
// studies, and its AST and IR are printed to nowhere. Nothing is searched or
// written. A diagnostic is a normal outcome; a crash, a sanitizer report,
// an internal error (an uncaught exception aborts) or a timeout is a bug.
//
// The limits are lowered so that each input stays fast; the lit tests check
// the same limits at their defaults.
//
//===----------------------------------------------------------------------===//
#include "afc/ast/ASTPrinter.h"
#include "afc/ir/IRPrinter.h"
#include "afc/parse/ModuleLoader.h"
#include "afc/sema/Elaborator.h"
#include "afc/support/Limits.h"

#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdint>
#include <string>

using namespace afc;

static std::string stdlibDir() {
  if (auto env = llvm::sys::Process::GetEnv("AFC_STDLIB"))
    return *env;
  return AFC_DEFAULT_STDLIB_DIR;
}

extern "C" int LLVMFuzzerInitialize(int *, char ***) {
  Limits &l = limits();
  l.maxListLength = 100'000;
  l.maxEvalSteps = 1'000'000;
  l.maxSweepPoints = 100'000;
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static const std::string stdlib = stdlibDir();
  llvm::SourceMgr sm;
  DiagnosticEngine diags(sm, llvm::nulls());
  ModuleLoader loader(diags, {stdlib});
  loader.loadBuffer(llvm::MemoryBuffer::getMemBufferCopy(
      llvm::StringRef(reinterpret_cast<const char *>(data), size), "fuzz.af"));
  if (diags.hadError())
    return 0;
  std::vector<const ast::Module *> modules;
  for (const auto &m : loader.modules()) {
    ast::dumpAST(*m, sm, llvm::nulls());
    modules.push_back(m.get());
  }
  std::unique_ptr<ir::Spec> spec = elaborate(modules, {}, diags);
  if (spec)
    ir::print(*spec, llvm::nulls());
  return 0;
}
