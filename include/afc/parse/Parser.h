//===- Parser.h - .af text to AST ---------------------------------*- C++ -*-===//
//
// The parser only checks syntax. It runs the ANTLR-generated parser over one
// buffer of a SourceMgr and converts the parse tree into an ast::Module.
// Syntax errors are reported through the DiagnosticEngine with the location
// of the offending token; binary or non-UTF-8 input and pathological nesting
// are rejected before ANTLR sees them.
//
//===----------------------------------------------------------------------===//
#ifndef AFC_PARSE_PARSER_H
#define AFC_PARSE_PARSER_H

#include "afc/ast/AST.h"
#include "afc/support/Diagnostics.h"

#include <memory>

namespace afc {

/// Parses buffer `bufferId` of the engine's SourceMgr. Returns null when the
/// file has syntax errors (they have been reported).
std::unique_ptr<ast::Module> parseModule(unsigned bufferId,
                                         DiagnosticEngine &diags);

/// Parses a standalone expression, e.g. the value of `-D NAME=VALUE`.
/// The text must live in a buffer of the SourceMgr so errors can point at it.
ast::ExprPtr parseExpression(unsigned bufferId, DiagnosticEngine &diags);

} // namespace afc

#endif // AFC_PARSE_PARSER_H
