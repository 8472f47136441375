//===- Compiled.h - compile .af text in memory for tests --------*- C++ -*-===//
//
// Parses and elaborates one in-memory file (which may import the stdlib) the
// way the afc driver does, collecting diagnostics in a string.
//
//===----------------------------------------------------------------------===//
#ifndef AFC_TEST_SUPPORT_COMPILED_H
#define AFC_TEST_SUPPORT_COMPILED_H

#include "afc/parse/ModuleLoader.h"
#include "afc/parse/Parser.h"
#include "afc/sema/Elaborator.h"

#include "llvm/Support/MemoryBuffer.h"

#include <memory>
#include <string>

namespace afc::test {

/// Compiles `text` as one in-memory file; collects diagnostics in `errors`.
struct Compiled {
  llvm::SourceMgr sm;
  std::string errors;
  llvm::raw_string_ostream errStream{errors};
  DiagnosticEngine diags{sm, errStream};
  std::unique_ptr<ModuleLoader> loader;
  std::unique_ptr<ir::Spec> spec;

  explicit Compiled(const std::string &text, ParamOverrides overrides = {}) {
    loader = std::make_unique<ModuleLoader>(
        diags, std::vector<std::string>{AFC_SOURCE_DIR "/stdlib"});
    if (loader->loadBuffer(
            llvm::MemoryBuffer::getMemBufferCopy(text, "test.af"))) {
      std::vector<const ast::Module *> modules;
      for (auto &m : loader->modules())
        modules.push_back(m.get());
      spec = elaborate(modules, overrides, diags);
    }
    errStream.flush();
  }
};

} // namespace afc::test

#endif // AFC_TEST_SUPPORT_COMPILED_H
