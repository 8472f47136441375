//===- Output.h - shared helpers of the afc subcommands -----------*- C++ -*-===//
#ifndef AFC_TOOLS_AFC_OUTPUT_H
#define AFC_TOOLS_AFC_OUTPUT_H

#include "Commands.h"

#include "afc/components/ModelLibrary.h"
#include "afc/lower/LatencyKernel.h"
#include "afc/lower/LowerToModel.h"
#include "afc/lower/TemplateKernel.h"

#include "llvm/Support/raw_ostream.h"

#include <functional>
#include <string>
#include <vector>

namespace afc::driver {

/// A text table with columns padded to their widest cell.
class Table {
public:
  explicit Table(std::vector<std::string> header) : header(std::move(header)) {}
  void addRow(std::vector<std::string> row) { rows.push_back(std::move(row)); }
  void print(llvm::raw_ostream &os) const;

private:
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
};

/// A number for an aligned table: six significant digits ("inf" too).
std::string tableNumber(double v);

/// Writes to the -o file (kept only if the writer finishes) or stdout.
int withOutput(const CommonOptions &options, DiagnosticEngine &diags,
               const std::function<void(llvm::raw_ostream &)> &write);

/// The component models with the stdlib's CACTI table, loaded once.
const components::ModelLibrary *loadModelLibrary(const CommonOptions &options,
                                                 DiagnosticEngine &diags);

/// Loads the component models and lowers `arch` and `workload` to the
/// model's problem; nullopt after reporting an error.
std::optional<model::Problem> lowerProblem(const ir::Arch &arch,
                                           const ir::Workload &workload,
                                           const CommonOptions &options,
                                           DiagnosticEngine &diags);

/// How generated kernels run, from --no-jit.
inline lower::KernelOptions kernelOptions(const CommonOptions &options) {
  return {options.jit ? lower::sharedKernelCompiler() : nullptr};
}

/// The mapper's per-template cost kernels, compiled or (--no-jit)
/// interpreted.
inline mapper::TemplateKernelFactory
templateKernels(const CommonOptions &options) {
  return lower::templateKernelFactory(kernelOptions(options));
}

} // namespace afc::driver

#endif
