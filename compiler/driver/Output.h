//===- Output.h - shared helpers of the afc subcommands ---------*- C++ -*-===//
//
// Choosing the one declaration a command works on, aligned text tables,
// writing to -o files that are kept only when complete, and loading the
// component models once per process.
//
//===----------------------------------------------------------------------===//
#ifndef AFC_DRIVER_OUTPUT_H
#define AFC_DRIVER_OUTPUT_H

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

/// Picks the declaration named `name`, or the only one; reports otherwise.
template <class T>
bool selectOne(const std::vector<T> &all, const std::string &name,
               const char *kind, const T *&out, DiagnosticEngine &diags) {
  if (!name.empty()) {
    for (const T &x : all)
      if (x.name == name)
        out = &x;
    if (!out)
      diags.error(std::string("no ") + kind + " named '" + name + "'");
    return out != nullptr;
  }
  if (all.size() == 1) {
    out = &all[0];
    return true;
  }
  if (all.empty())
    diags.error(std::string("the files define no ") + kind);
  else
    diags.error(std::string("the files define several ") + kind +
                "s; choose one with --" + kind + "=NAME");
  return false;
}

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

/// Writes to `file` (kept only if the writer finishes) or, for "" and "-",
/// to the invocation's output stream.
int withOutput(Context &ctx, const std::string &file,
               const std::function<void(llvm::raw_ostream &)> &write);

/// Writes to the -o file or the output stream.
inline int withOutput(Context &ctx,
                      const std::function<void(llvm::raw_ostream &)> &write) {
  return withOutput(ctx, ctx.options.outputFile, write);
}

/// The component models with the stdlib's CACTI table, loaded once.
const components::ModelLibrary *loadModelLibrary(Context &ctx);

/// Loads the component models and lowers `arch` and `workload` to the
/// model's problem; nullopt after reporting an error.
std::optional<model::Problem>
lowerProblem(const ir::Arch &arch, const ir::Workload &workload, Context &ctx);

/// How generated kernels run, from --no-jit.
inline lower::KernelOptions kernelOptions(const Options &options) {
  return {options.jit ? lower::sharedKernelCompiler() : nullptr};
}

/// The mapper's per-template cost kernels, compiled or (--no-jit)
/// interpreted.
inline mapper::TemplateKernelFactory templateKernels(const Options &options) {
  return lower::templateKernelFactory(kernelOptions(options));
}

} // namespace afc::driver

#endif // AFC_DRIVER_OUTPUT_H
