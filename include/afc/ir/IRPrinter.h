//===- IRPrinter.h - the IR as stable, readable text ------------*- C++ -*-===//
//
// `afc --emit=ir` prints what the files elaborate to; lit tests match it, so
// the printer is the IR's test interface.
//
//===----------------------------------------------------------------------===//
#ifndef AFC_IR_IRPRINTER_H
#define AFC_IR_IRPRINTER_H

#include "afc/ir/Spec.h"

#include "llvm/Support/raw_ostream.h"

namespace afc::ir {

/// Prints the IR in a stable, readable form (`afc --emit=ir`).
void print(const Spec &spec, llvm::raw_ostream &os);

} // namespace afc::ir

#endif // AFC_IR_IRPRINTER_H
