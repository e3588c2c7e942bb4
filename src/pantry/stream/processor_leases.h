// ProcessorLeases: lets replicas that share an event log (Redis Streams) run
// each stream processor in exactly one live replica at a time, and keep the
// processors' checkpoints where any replica can resume from them.
//
// A lease is a Redis key set with SET NX PX to the holder's id and renewed
// (PEXPIRE, only by its holder) while the holder polls; a holder that dies
// stops renewing and the key expires after `lease_ms`, when another replica
// takes it. A clean shutdown deletes it, so a standby takes over at its next
// attempt. Checkpoints are Redis strings, written only while the writer
// holds the lease (checked in the same Lua script), so a replica that lost
// its lease cannot overwrite the new holder's progress.
//
// Exactly-once into the feature groups does not depend on the lease: the
// new holder restores the last checkpoint, replays the log from its
// positions (processing is a function of the log, so the same rows with the
// same emission ids come out) and the sink skips rows up to its delivered
// mark, which is written in the same offline transaction as each batch.
//
// Thread-safe.
#ifndef PANTRY_STREAM_PROCESSOR_LEASES_H_
#define PANTRY_STREAM_PROCESSOR_LEASES_H_

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "pantry/common/status.h"

namespace pantry::stream {

struct ProcessorLeaseOptions {
  std::string redis_url;       // redis:// or redis+cluster://
  std::string redis_password;  // used when the URL has none
  // This replica's id in the lease keys; empty: "<hostname>:<pid>:<random>".
  std::string holder;
  // How long a lease outlives its holder's last renewal; the holder renews
  // every lease_ms / 3, and a standby retries every retry_ms.
  int64_t lease_ms = 5000;
  int64_t retry_ms = 500;
};

class ProcessorLeases {
 public:
  // Connects to Redis (Unavailable if it cannot).
  static StatusOr<std::unique_ptr<ProcessorLeases>> OpenRedis(const ProcessorLeaseOptions& options);
  virtual ~ProcessorLeases() = default;

  virtual const std::string& holder() const = 0;
  virtual const ProcessorLeaseOptions& options() const = 0;

  enum class Hold { kNotHeld, kRenewed, kTaken };
  // Takes lease `name` if it is free (kTaken) or renews it if this replica
  // holds it (kRenewed); kNotHeld if another replica holds it. kTaken while
  // the caller thought it held the lease means the lease lapsed in between
  // (expired, or Redis lost it in a restart): the caller must reload from
  // the saved checkpoint. Unavailable if Redis cannot answer (the caller
  // keeps its state and tries again).
  virtual StatusOr<Hold> Take(std::string_view name) = 0;
  // Gives lease `name` up if this replica holds it.
  virtual Status Release(std::string_view name) = 0;

  // The checkpoint saved under lease `name`, or nullopt.
  virtual StatusOr<std::optional<std::string>> LoadCheckpoint(std::string_view name) = 0;
  // Saves it; FailedPrecondition if this replica does not hold lease
  // `name` (any more).
  virtual Status SaveCheckpoint(std::string_view name, std::string_view bytes) = 0;
};

}  // namespace pantry::stream

#endif  // PANTRY_STREAM_PROCESSOR_LEASES_H_
