//===- Manual.h - the man page and shell completion of afc ------*- C++ -*-===//
//
// Generated from what the help is generated from: the table of commands in
// afc.cpp and the registered cl::opt declarations (name, value description,
// help text, category, enum values). docs/afc.1 and
// tools/completion/afc.bash are this output, committed; tests regenerate
// both and fail when they differ.
//
//===----------------------------------------------------------------------===//
#ifndef AFC_TOOLS_AFC_MANUAL_H
#define AFC_TOOLS_AFC_MANUAL_H

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/raw_ostream.h"

#include <string>
#include <utility>
#include <vector>

namespace afc::tool {

struct CommandDoc {
  std::string name, help;
  std::string operands; ///< "FILE.af...", "CLASS..."
  const llvm::cl::OptionCategory *category;
};

/// An option that takes one of a fixed set of values, with each value's
/// description.
struct EnumOption {
  const llvm::cl::Option *option = nullptr;
  std::vector<std::pair<std::string, std::string>> values;
};

template <class T, bool External, class Parser>
EnumOption enumValues(llvm::cl::opt<T, External, Parser> &o) {
  EnumOption e;
  e.option = &o;
  Parser &p = o.getParser();
  for (unsigned i = 0; i < p.getNumOptions(); ++i)
    e.values.push_back({p.getOption(i).str(), p.getDescription(i).str()});
  return e;
}

struct ManualSource {
  std::string version;
  std::vector<CommandDoc> commands;
  /// Categories every command takes (common options, resource limits).
  std::vector<const llvm::cl::OptionCategory *> common;
  std::vector<EnumOption> enums;
  /// Completions of `afc describe`.
  std::vector<std::string> classNames;
};

/// The man page, in roff (man(7) macros).
void printManPage(const ManualSource &src, llvm::raw_ostream &os);

/// A bash completion script defining `_afc` and registering it for `afc`.
void printBashCompletion(const ManualSource &src, llvm::raw_ostream &os);

} // namespace afc::tool

#endif // AFC_TOOLS_AFC_MANUAL_H
