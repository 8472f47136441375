//===- JSONWriter.h - deterministic JSON output ------------------*- C++ -*-===//
//
// A streaming JSON writer for results. Numbers print in their shortest
// round-trip form, and infinities as `Infinity` (as Python's json module
// writes and reads them), so afc's output compares value for value with the
// reference's files. Keys are written in the order given.
//
//===----------------------------------------------------------------------===//
#ifndef AFC_SUPPORT_JSONWRITER_H
#define AFC_SUPPORT_JSONWRITER_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdint>
#include <vector>

namespace afc {

class JSONWriter {
public:
  explicit JSONWriter(llvm::raw_ostream &os, unsigned indent = 2)
      : os(os), indentWidth(indent) {}

  /// A single-line object prints as `{"a": 1, "b": 2}` inside an indented
  /// document, for small records that read better on one line.
  void objectBegin(bool singleLine = false);
  void objectEnd();
  void arrayBegin();
  void arrayEnd();
  /// Starts a member of the current object; follow with a value.
  void key(llvm::StringRef k);
  void value(double v);
  void value(llvm::StringRef s);
  void value(bool b);
  /// A count, printed in full (a double would print 1.23457e+07).
  void integer(uint64_t v);
  void null();

  template <class T> void member(llvm::StringRef k, const T &v) {
    key(k);
    value(v);
  }
  void member(llvm::StringRef k, const char *v) {
    key(k);
    value(llvm::StringRef(v));
  }

private:
  void beforeValue();
  void newline();
  void writeString(llvm::StringRef s);

  llvm::raw_ostream &os;
  unsigned indentWidth;
  struct Level {
    bool isObject;
    bool singleLine = false;
    bool empty = true;
  };
  std::vector<Level> stack;
  bool afterKey = false;
};

} // namespace afc

#endif // AFC_SUPPORT_JSONWRITER_H
