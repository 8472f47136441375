//===- SweepRunner.h - design points in parallel -------------------*- C++ -*-===//
//
// Runs the design points of a study in parallel with TBB. Each point writes
// its own row, so the results do not depend on the thread count or the
// order in which points finish. Progress goes to standard error: a bar on a
// terminal, a few plain lines otherwise. Ctrl-C stops the run cleanly: points
// not yet started are skipped and the caller keeps the rows finished so far.
//
//===----------------------------------------------------------------------===//
#ifndef AFC_STUDY_SWEEPRUNNER_H
#define AFC_STUDY_SWEEPRUNNER_H

#include <atomic>
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace afc::study {

struct RunOptions {
  unsigned threads = 0; ///< 0: every core
  bool quiet = false;
  std::string label = "points"; ///< what is counted in progress lines
};

struct RunSummary {
  size_t completed = 0;
  bool interrupted = false;
  double seconds = 0;
  /// Which points finished (an interrupted run leaves gaps).
  std::vector<bool> done;
};

/// Progress of a long computation on standard error: a redrawn bar on a
/// terminal once it has run for half a second, a line per quarter
/// otherwise. update() may be called from any thread. Counts of very
/// different magnitude (the mapper's estimated tile shapes) read better as a
/// percentage: `Show::Percent` prints "25% of LABEL" instead of "n/N LABEL".
class ProgressBar {
public:
  enum class Show { Count, Percent };
  ProgressBar(std::string label, bool quiet, Show show = Show::Count);
  ~ProgressBar();
  void update(size_t done, size_t total);
  /// Ends the bar's line; says so if the work was interrupted.
  void finish(size_t done, size_t total, bool interrupted);
  double elapsed() const;

private:
  struct State;
  State *state;
};

/// Calls `evaluate(point)` for every point in [0, numPoints), in parallel.
RunSummary runPoints(size_t numPoints,
                     const std::function<void(size_t)> &evaluate,
                     const RunOptions &options);

/// What a prepared point still has to do; empty when there is nothing to
/// run (or `prepare` asks to stop). It returns whether the point finished:
/// false when an interrupt cut it short, so that it is not counted.
using PointWork = std::function<bool()>;

/// Prepares the points one at a time in point order (`prepare` need not be
/// thread-safe) and runs the returned work in parallel. Only a few points
/// per thread are prepared ahead, and each is released once it has run,
/// so memory does not grow with the number of points. `stop()` (checked
/// before each preparation, from the preparing thread) ends the run early,
/// like an interrupt, but without marking it interrupted.
RunSummary runPreparedPoints(size_t numPoints,
                             const std::function<PointWork(size_t)> &prepare,
                             const std::function<bool()> &stop,
                             const RunOptions &options);

/// Installs a SIGINT and SIGTERM handler that asks running sweeps to stop;
/// a second signal exits at once.
void installInterruptHandler();
bool interruptRequested();
/// The flag the handler sets, for work that polls it (the mapper's
/// MapperSettings::cancel).
const std::atomic<bool> &interruptFlag();

} // namespace afc::study

#endif // AFC_STUDY_SWEEPRUNNER_H
