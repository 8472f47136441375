//===- AST.cpp - syntax tree helpers --------------------------------------===//
#include "afc/ast/AST.h"

using namespace afc::ast;

std::string Name::spelling() const {
  if (isPlain())
    return pieces[0].text;
  return std::string(range.Start.getPointer(),
                     range.End.getPointer() - range.Start.getPointer());
}

std::string Path::spelling() const {
  std::string s;
  for (const Name &n : parts) {
    if (!s.empty())
      s += ".";
    s += n.spelling();
  }
  return s;
}

llvm::StringRef afc::ast::spell(BinaryOp op) {
  switch (op) {
  case BinaryOp::Pow: return "**";
  case BinaryOp::Mul: return "*";
  case BinaryOp::Div: return "/";
  case BinaryOp::Mod: return "%";
  case BinaryOp::Add: return "+";
  case BinaryOp::Sub: return "-";
  case BinaryOp::SetAnd: return "&";
  case BinaryOp::SetXor: return "^";
  case BinaryOp::SetOr: return "|";
  case BinaryOp::And: return "and";
  case BinaryOp::Or: return "or";
  }
  return "?";
}

llvm::StringRef afc::ast::spell(CompareOp op) {
  switch (op) {
  case CompareOp::Lt: return "<";
  case CompareOp::Le: return "<=";
  case CompareOp::Gt: return ">";
  case CompareOp::Ge: return ">=";
  case CompareOp::Eq: return "==";
  case CompareOp::Ne: return "!=";
  case CompareOp::In: return "in";
  case CompareOp::NotIn: return "not in";
  }
  return "?";
}
