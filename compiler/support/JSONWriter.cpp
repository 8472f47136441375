//===- JSONWriter.cpp - deterministic JSON output -------------------------===//
#include "afc/support/JSONWriter.h"
#include "afc/support/Units.h"

#include "llvm/Support/Format.h"

#include <cmath>

using namespace afc;

void JSONWriter::newline() {
  if (!indentWidth)
    return;
  os << "\n";
  os.indent(stack.size() * indentWidth);
}

void JSONWriter::beforeValue() {
  if (afterKey) {
    afterKey = false;
    return;
  }
  if (!stack.empty()) {
    bool first = stack.back().empty;
    if (!first)
      os << ",";
    stack.back().empty = false;
    if (!stack.back().singleLine)
      newline();
    else if (!first)
      os << " ";
  }
}

void JSONWriter::objectBegin(bool singleLine) {
  beforeValue();
  os << "{";
  stack.push_back({true, singleLine});
}

void JSONWriter::objectEnd() {
  bool empty = stack.back().empty;
  bool singleLine = stack.back().singleLine;
  stack.pop_back();
  if (!empty && !singleLine)
    newline();
  os << "}";
  if (stack.empty() && indentWidth)
    os << "\n";
}

void JSONWriter::arrayBegin() {
  beforeValue();
  os << "[";
  // Inside a single-line object an array stays on the line too.
  stack.push_back({false, !stack.empty() && stack.back().singleLine});
}

void JSONWriter::arrayEnd() {
  bool empty = stack.back().empty;
  bool singleLine = stack.back().singleLine;
  stack.pop_back();
  if (!empty && !singleLine)
    newline();
  os << "]";
  if (stack.empty() && indentWidth)
    os << "\n";
}

void JSONWriter::key(llvm::StringRef k) {
  beforeValue();
  writeString(k);
  os << (indentWidth ? ": " : ":");
  afterKey = true;
}

void JSONWriter::value(double v) {
  beforeValue();
  if (std::isnan(v))
    os << "NaN";
  else if (std::isinf(v))
    os << (v > 0 ? "Infinity" : "-Infinity");
  else
    os << formatNumber(v);
}

void JSONWriter::value(llvm::StringRef s) {
  beforeValue();
  writeString(s);
}

void JSONWriter::value(bool b) {
  beforeValue();
  os << (b ? "true" : "false");
}

void JSONWriter::integer(uint64_t v) {
  beforeValue();
  os << v;
}

void JSONWriter::null() {
  beforeValue();
  os << "null";
}

void JSONWriter::writeString(llvm::StringRef s) {
  os << '"';
  for (char c : s) {
    switch (c) {
    case '"': os << "\\\""; break;
    case '\\': os << "\\\\"; break;
    case '\n': os << "\\n"; break;
    case '\t': os << "\\t"; break;
    default:
      if ((unsigned char)c < 0x20)
        os << llvm::format("\\u%04x", c);
      else
        os << c;
    }
  }
  os << '"';
}
