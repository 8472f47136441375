//===- SweepRunner.cpp - design points in parallel ------------------------===//
#include "afc/study/SweepRunner.h"

#include <tbb/parallel_pipeline.h>
#include <tbb/task_arena.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <memory>
#include <mutex>
#include <unistd.h>

using namespace afc::study;

static std::atomic<bool> stopRequested{false};

static void onInterrupt(int) {
  if (stopRequested.exchange(true))
    std::_Exit(130);
}

void afc::study::installInterruptHandler() {
  std::signal(SIGINT, onInterrupt);
  std::signal(SIGTERM, onInterrupt);
}

bool afc::study::interruptRequested() { return stopRequested.load(); }

const std::atomic<bool> &afc::study::interruptFlag() { return stopRequested; }

struct ProgressBar::State {
  std::string label;
  bool quiet = false;
  ProgressBar::Show show = ProgressBar::Show::Count;
  bool tty = isatty(STDERR_FILENO);
  std::chrono::steady_clock::time_point start =
      std::chrono::steady_clock::now();
  std::mutex mutex;
  double lastDraw = -1;
  size_t lastQuarter = 0;
  bool drew = false;
};

ProgressBar::ProgressBar(std::string label, bool quiet, Show show)
    : state(new State) {
  state->label = std::move(label);
  state->quiet = quiet;
  state->show = show;
}

namespace {
/// "3/32 points" or "25% of the search".
std::string amount(size_t done, size_t total, const std::string &label,
                   ProgressBar::Show show) {
  if (show == ProgressBar::Show::Percent)
    return std::to_string(int(100.0 * double(done) / double(total))) +
           "% of " + label;
  return std::to_string(done) + "/" + std::to_string(total) + " " + label;
}
} // namespace

ProgressBar::~ProgressBar() { delete state; }

double ProgressBar::elapsed() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                       state->start)
      .count();
}

void ProgressBar::update(size_t done, size_t total) {
  if (state->quiet || !total)
    return;
  std::lock_guard<std::mutex> lock(state->mutex);
  double t = elapsed();
  if (state->tty) {
    if (t < 0.5 && done < total)
      return;
    if (done < total && t - state->lastDraw < 0.1)
      return;
    state->lastDraw = t;
    const int width = 30;
    int filled = int(width * (double(done) / double(total)));
    double left = done ? t / double(done) * double(total - done) : 0;
    std::fprintf(stderr, "\r[%.*s%*s] %s  %.1f s elapsed, %.1f s left ",
                 filled, "##############################", width - filled, "",
                 amount(done, total, state->label, state->show).c_str(), t,
                 left);
    state->drew = true;
  } else if (total >= 4 && done * 4 / total != state->lastQuarter) {
    state->lastQuarter = done * 4 / total;
    std::string what = amount(done, total, state->label, state->show);
    if (done < total)
      std::fprintf(stderr, "afc: %s done (%.2f s, about %.1f s left)\n",
                   what.c_str(), t, t / double(done) * double(total - done));
    else
      std::fprintf(stderr, "afc: %s done (%.2f s)\n", what.c_str(), t);
  }
}

void ProgressBar::finish(size_t done, size_t total, bool interrupted) {
  if (state->quiet)
    return;
  if (state->tty && state->drew)
    std::fprintf(stderr, "\n");
  if (interrupted)
    std::fprintf(stderr,
                 "afc: interrupted after %zu of %zu %s; keeping the rows "
                 "finished so far\n",
                 done, total, state->label.c_str());
}

RunSummary afc::study::runPoints(size_t numPoints,
                                 const std::function<void(size_t)> &evaluate,
                                 const RunOptions &options) {
  return runPreparedPoints(
      numPoints,
      [&](size_t i) -> PointWork {
        return [&evaluate, i] {
          evaluate(i);
          return true;
        };
      },
      [] { return false; }, options);
}

RunSummary
afc::study::runPreparedPoints(size_t numPoints,
                              const std::function<PointWork(size_t)> &prepare,
                              const std::function<bool()> &stop,
                              const RunOptions &options) {
  RunSummary summary;
  summary.done.assign(numPoints, false);
  ProgressBar progress(options.label, options.quiet);
  std::atomic<size_t> completed{0};
  int threads = options.threads ? int(options.threads)
                                : tbb::task_arena::automatic;
  tbb::task_arena arena(threads);
  std::vector<char> done(numPoints, 0);
  struct Prepared {
    size_t index;
    PointWork work;
  };
  size_t next = 0;
  // Two tokens per thread keep every thread busy while the serial stage
  // prepares the next point, and bound how many prepared points are alive.
  size_t tokens = 2 * size_t(arena.max_concurrency());
  arena.execute([&] {
    tbb::parallel_pipeline(
        tokens,
        tbb::make_filter<void, Prepared *>(
            tbb::filter_mode::serial_in_order,
            [&](tbb::flow_control &fc) -> Prepared * {
              if (next == numPoints || stopRequested.load() || stop()) {
                fc.stop();
                return nullptr;
              }
              size_t i = next++;
              return new Prepared{i, prepare(i)};
            }) &
            tbb::make_filter<Prepared *, void>(
                tbb::filter_mode::parallel, [&](Prepared *p) {
                  std::unique_ptr<Prepared> owned(p);
                  if (stopRequested.load())
                    return;
                  if (p->work && !p->work())
                    return;
                  done[p->index] = 1;
                  progress.update(++completed, numPoints);
                }));
  });
  for (size_t i = 0; i < numPoints; ++i)
    summary.done[i] = done[i];
  summary.completed = completed.load();
  summary.interrupted = stopRequested.load() && summary.completed < numPoints;
  summary.seconds = progress.elapsed();
  progress.finish(summary.completed, numPoints, summary.interrupted);
  return summary;
}
