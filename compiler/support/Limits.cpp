//===- Limits.cpp - resource limits on hostile or mistaken input ----------===//
#include "afc/support/Limits.h"

using namespace afc;

Limits &afc::limits() {
  static Limits l;
  return l;
}

std::string afc::limitFlag(const char *name, uint64_t value) {
  return std::string("--") + name + "=" + std::to_string(value);
}
