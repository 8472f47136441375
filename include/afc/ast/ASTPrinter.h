//===- ASTPrinter.h - the syntax tree as indented text ----------*- C++ -*-===//
//
// `afc --emit=ast` prints every node of every loaded file, one per line,
// indented by depth and followed by its position `@file:line:col`, as MLIR
// Toy's `-emit=ast` does. It shows what the parser built before anything is
// resolved, so parser tests can FileCheck it.
//
//===----------------------------------------------------------------------===//
#ifndef AFC_AST_ASTPRINTER_H
#define AFC_AST_ASTPRINTER_H

#include "afc/ast/AST.h"

#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

namespace afc::ast {

/// Prints `module` with positions resolved through `sm`, which owns its
/// buffer.
void dumpAST(const Module &module, const llvm::SourceMgr &sm,
             llvm::raw_ostream &os);

} // namespace afc::ast

#endif // AFC_AST_ASTPRINTER_H
