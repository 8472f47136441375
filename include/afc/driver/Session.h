//===- Session.h - afc in process: load once, call many times ---*- C++ -*-===//
//
// The commands of `afc` as calls that return data instead of printing it,
// for the Python module and other embedders. A Session parses its .af
// sources once and keeps them; each call elaborates them with its own
// parameters (like -D) and component fields (like a study's sweep of
// `GlobalBuffer.size`), runs the same code as the matching command, and
// returns plain structs. Generated kernels live in the process-wide kernel
// cache, so a later call with the same templates compiles nothing.
//
// User errors throw SessionError, which carries every diagnostic's text
// (with source lines and carets) and where the first one was.
//
//===----------------------------------------------------------------------===//
#ifndef AFC_DRIVER_SESSION_H
#define AFC_DRIVER_SESSION_H

#include "afc/study/ResultTable.h"
#include "afc/support/Diagnostics.h"

#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace afc::driver {

/// Errors in the input of a session call; what() is the diagnostics' text.
class SessionError : public std::runtime_error {
public:
  SessionError(const std::string &text, DiagnosticLocation first)
      : std::runtime_error(text), first(std::move(first)) {}
  /// The first error: file (empty if it has none), line, column, message.
  const DiagnosticLocation &location() const { return first; }

private:
  DiagnosticLocation first;
};

struct SessionOptions {
  std::vector<std::string> includeDirs;
  std::string stdlibDir; ///< empty: defaultStdlibDir()
  bool jit = true;       ///< compile generated kernels (else interpret)
};

/// What one call sets; everything is optional.
struct CallOptions {
  /// NAME=VALUE, .af expression text, after (and winning over) the
  /// session's own.
  std::vector<std::string> defines;
  /// `Component.field`, `Component.model_attribute` or
  /// `Component.action.field` with .af expression text: the value at this
  /// call, as a study's sweep sets it.
  std::vector<std::pair<std::string, std::string>> fields;
  /// Which declaration to use when the sources define several.
  std::string arch, workload, mapping, mapper, study;
  /// A mapping in .af text to evaluate, added to the sources for this call.
  std::string mappingText;
  std::string metric; ///< energy, latency or edp; empty: the settings' own
  bool unfused = false;
  double maxTime = -1;    ///< seconds; negative: the settings' own
  int maxFusedLoops = -1; ///< negative: the settings' own
  unsigned threads = 0;   ///< 0: all
  /// Called from worker threads as pieces of a search finish.
  std::function<void(size_t done, size_t total)> onProgress;
};

/// One row of `afc components`: a component and one of its actions.
struct ComponentRow {
  std::string arch, component, componentClass, action;
  double instances = 1, area = 0, leakPower = 0; ///< m^2, W per instance
  double energy = 0, throughput = 0;             ///< J and 1/s per action
  bool approximate = false;
};

/// A model result with owned names, in SI units.
struct ModelFigures {
  struct Energy {
    std::string einsum, component, action;
    double energy; ///< J
  };
  struct Latency {
    std::string einsum, component;
    double latency; ///< s
  };
  struct Actions {
    std::string einsum, component, tensor, action;
    double count;
    double bitsPerAction; ///< the word counted; NaN for computes
  };
  struct Named {
    std::string name;
    double value;
  };
  std::string arch, workload;
  double energy = 0, latency = 0, computes = 0, area = 0;
  std::vector<Energy> energies;   ///< per (Einsum, component, action)
  std::vector<Latency> latencies; ///< per (Einsum, component)
  std::vector<Actions> actions;   ///< per (Einsum, component, tensor, action)
  std::vector<Named> usage;       ///< memory -> fraction of its size
  std::vector<Named> areas;       ///< component -> m^2, all instances
};

/// The best mapping and how the search went.
struct MapFigures : ModelFigures {
  std::string mapping;  ///< .af text, as `afc map --save-mapping` writes it
  /// The same mapping as an indented loop nest, one node a line.
  std::string loopNest;
  bool complete = true; ///< false: stopped at the time limit
  unsigned long long templates = 0, pmappingsEvaluated = 0, paretoPmappings = 0;
  std::vector<std::string> onChipTensors;
  double seconds = 0;
};

class Session {
public:
  explicit Session(SessionOptions options = {});
  ~Session();
  Session(const Session &) = delete;
  Session &operator=(const Session &) = delete;

  /// Adds a file (and its imports); throws SessionError.
  void addFile(const std::string &path);
  /// Adds .af text named `name` in diagnostics; imports resolve against
  /// the search path.
  void addSource(const std::string &text, const std::string &name);
  /// Sets parameters for every later call (NAME=VALUE); checked now.
  void setDefines(std::vector<std::string> defines);

  /// The standard library searched for imports.
  const std::string &stdlibDir() const;

  /// `afc components`: one row per (component, action) of every arch.
  std::vector<ComponentRow> components(const CallOptions &call);
  /// `afc eval`: the selected (or given) mapping evaluated.
  ModelFigures evaluate(const CallOptions &call);
  /// `afc map`: the optimal mapping.
  MapFigures map(const CallOptions &call);
  /// `afc run` without reports and plots: the selected (or only) study's
  /// table, one row per design point.
  study::ResultTable run(const CallOptions &call);

private:
  struct Impl;
  std::unique_ptr<Impl> impl;
};

} // namespace afc::driver

#endif // AFC_DRIVER_SESSION_H
