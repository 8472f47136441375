//===- ResultStore.h - finished design points in SQLite --------*- C++ -*-===//
//
// The rows of finished design points, kept in an SQLite database beside the
// reports (`afc-results.sqlite`) so that a killed study resumes where it
// stopped and several processes can fill one study. A row is keyed by the
// study, a digest of the inputs its result depends on (computed by the
// caller) and the point's swept values as text; each is committed in its
// own transaction as soon as the point finishes, so a kill loses at most
// the points still running. docs/design/study-store.md gives the design.
//
// A point is first `claimed` by one process (its owner, host:pid) and then
// `done`. A claim whose owner has died (same host, no such process) or is
// older than the lease (another host) may be taken over.
//
// The store is thread-safe: calls are serialised on one connection.
//
//===----------------------------------------------------------------------===//
#ifndef AFC_STUDY_RESULTSTORE_H
#define AFC_STUDY_RESULTSTORE_H

#include "afc/study/ResultTable.h"

#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

struct sqlite3;
struct sqlite3_stmt;

namespace afc::study {

/// One result row: its cells in the order they were set.
using Row = std::vector<std::pair<std::string, Cell>>;

/// The row as JSON text (an object whose members keep the row's order;
/// non-finite numbers are written 1e999, -1e999 and NaN), and back.
std::string encodeRow(const Row &row);
std::optional<Row> decodeRow(const std::string &text);

class ResultStore {
public:
  /// The database's file name inside an output folder.
  static constexpr const char *kFileName = "afc-results.sqlite";

  /// Opens (creating if needed) the store at `path`; null and a message in
  /// `error` if it cannot.
  static std::unique_ptr<ResultStore> open(const std::string &path,
                                           std::string &error);
  ~ResultStore();
  ResultStore(const ResultStore &) = delete;
  ResultStore &operator=(const ResultStore &) = delete;

  /// This process as a claim's owner: "host:pid".
  static std::string processOwner();

  /// Removes the study's rows whose inputs are not `inputs`, and its rows
  /// with `inputs` too when `keepCurrent` is false (a run that does not
  /// resume starts afresh). False on a database error (see error()).
  bool forget(const std::string &study, const std::string &inputs,
              bool keepCurrent);

  /// A finished point as stored.
  struct Stored {
    size_t idx = 0;      ///< its index when it was computed
    std::string failure; ///< why it failed; empty if it did not
    Row row;
  };

  enum class Claim {
    Mine,  ///< claimed for this process: run it
    Done,  ///< already finished
    Taken, ///< another live process is running it
    Error, ///< a database error (see error())
  };
  /// Claims point `key` for this process unless it is done or claimed by a
  /// live owner (one transaction).
  Claim claim(const std::string &study, const std::string &inputs,
              const std::string &key, size_t idx);

  /// Commits a finished point as done. The store's writer thread commits
  /// it in the next transaction, with the points that finished while the
  /// one in progress was written (group commit): the caller never waits
  /// for the disk, and a point is committed as soon as the transaction in
  /// progress ends. False after a database error (an earlier commit's).
  bool commit(const std::string &study, const std::string &inputs,
              const std::string &key, size_t idx, const Row &row,
              const std::string &failure);

  /// Waits until every point given to commit() is committed; false after a
  /// database error.
  bool flush();

  /// Runs many find() calls in one read transaction (a consistent view,
  /// and no lock taken per call); nests are not supported.
  void beginReading();
  void endReading();

  /// The finished point `key`, if the store has it; sets `failed` on a
  /// database error or an unreadable row.
  std::optional<Stored> find(const std::string &study,
                             const std::string &inputs, const std::string &key,
                             bool &failed);

  /// Drops this process's claims that it did not finish (an interrupted
  /// run), so that a resumed run need not wait for them.
  void releaseClaims();

  /// How long a claim by a process on another host is honoured (seconds).
  void setLease(double seconds) { lease = seconds; }

  /// The last database error, "afc-results.sqlite: <SQLite's message>".
  std::string error() const;

private:
  ResultStore() = default;
  bool exec(const char *sql);
  bool fail(const char *what);
  sqlite3_stmt *prepare(const char *sql);
  /// Whether a claim by `owner` at `claimedAt` may be taken over.
  bool stale(const std::string &owner, double claimedAt) const;

  /// Writes `batch` in one transaction (under `mutex`).
  bool writeBatch(const std::vector<std::vector<std::string>> &batch);

  sqlite3 *db = nullptr;
  std::string path, owner, lastError;
  double lease = 3600;
  /// Guards the connection and lastError.
  mutable std::mutex mutex;
  void writerLoop();

  /// Guards the rows waiting for the writer thread and its state.
  std::mutex queueMutex;
  std::condition_variable wake, idle;
  std::vector<std::vector<std::string>> pending;
  bool writing = false, stopping = false, commitFailed = false;
  std::thread writer;
  sqlite3_stmt *deleteOther = nullptr, *deleteAll = nullptr,
               *selectState = nullptr, *insertClaim = nullptr,
               *insertDone = nullptr, *selectDone = nullptr,
               *deleteClaims = nullptr;
};

} // namespace afc::study

#endif // AFC_STUDY_RESULTSTORE_H
