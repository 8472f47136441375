//===- ModuleLoader.h - files and imports to ASTs -----------------*- C++ -*-===//
//
// Loads the files named on the command line and, transitively, the files
// they import. An import is looked up next to the importing file, then in
// each `-I` directory, then in the standard library. Each file is parsed
// once; an import cycle is an error that shows the chain.
//
//===----------------------------------------------------------------------===//
#ifndef AFC_PARSE_MODULELOADER_H
#define AFC_PARSE_MODULELOADER_H

#include "afc/ast/AST.h"
#include "afc/support/Diagnostics.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace afc {

class ModuleLoader {
public:
  ModuleLoader(DiagnosticEngine &diags, std::vector<std::string> searchPaths)
      : diags(diags), searchPaths(std::move(searchPaths)) {}

  /// Loads a file named by the user; "-" is standard input. Returns false
  /// on any error.
  bool loadRoot(llvm::StringRef path);
  /// Loads an in-memory buffer (tests, `-e` snippets).
  bool loadBuffer(std::unique_ptr<llvm::MemoryBuffer> buffer);

  /// The modules in dependency order: every import before its importer.
  const std::vector<std::unique_ptr<ast::Module>> &modules() const {
    return ordered;
  }

private:
  bool load(const std::string &canonical, llvm::SMRange importRange);
  bool processImports(ast::Module &m, const std::string &canonical);
  std::string resolve(llvm::StringRef spec, llvm::StringRef fromDir);
  std::unique_ptr<llvm::MemoryBuffer> readSource(const std::string &path,
                                                 llvm::SMRange where);

  DiagnosticEngine &diags;
  std::vector<std::string> searchPaths;
  std::vector<std::unique_ptr<ast::Module>> ordered;
  std::map<std::string, bool> state; ///< false: loading, true: done
  std::vector<std::pair<std::string, llvm::SMRange>> stack;
};

} // namespace afc

#endif // AFC_PARSE_MODULELOADER_H
