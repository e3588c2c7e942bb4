// The embedded EventLog backend: per shard, a directory of segment files
// named by their first sequence number (zero-padded, so names sort), each a
// run of frames:
//
//   u32 body_length | u32 crc32(body) | body
//   body = u64 sequence | i64 arrival_micros | u32 key_length | key | payload
//
// (little-endian, common/coding.h). Open scans every segment, builds a
// sparse in-memory index (sequence -> file position, one entry per ~64 KiB)
// and truncates a torn or corrupt tail of the newest segment.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "pantry/common/checksum.h"
#include "pantry/common/coding.h"
#include "pantry/common/file_util.h"
#include "pantry/common/json.h"
#include "pantry/common/logging.h"
#include "pantry/common/parallel_runner.h"
#include "pantry/stream/event_log.h"
#include "pantry/stream/kinesis_ids.h"

namespace pantry::stream {
namespace {

namespace fs = std::filesystem;

constexpr size_t kFrameHeader = 8;
constexpr size_t kBodyFixed = 8 + 8 + 4;
constexpr int64_t kIndexEvery = 64 << 10;
constexpr int64_t kMinuteMicros = 60'000'000;

std::string SegmentFileName(uint64_t first) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%020llu.log", static_cast<unsigned long long>(first));
  return buf;
}

struct Segment {
  uint64_t first = 0;
  fs::path path;
  int fd = -1;
  int64_t size = 0;  // bytes of valid frames (guarded by the shard mutex)
  uint64_t end = 0;  // one past the last sequence (guarded by the shard mutex)
  int64_t last_arrival = 0;
  std::vector<std::pair<uint64_t, int64_t>> index;  // (sequence, position)
  ~Segment() {
    if (fd >= 0) ::close(fd);
  }
};

// Parses one frame at `data` (with `avail` bytes). Returns the frame length,
// 0 if incomplete, or -1 if corrupt.
int64_t ParseFrame(const char* data, size_t avail, LogRecord* record, bool want_strings) {
  if (avail < kFrameHeader) return 0;
  uint32_t len = DecodeFixed32(data);
  uint32_t crc = DecodeFixed32(data + 4);
  if (len < kBodyFixed || len > (1u << 30)) return -1;
  if (avail < kFrameHeader + len) return 0;
  const char* body = data + kFrameHeader;
  if (Crc32(std::string_view(body, len)) != crc) return -1;
  uint32_t key_len = DecodeFixed32(body + 16);
  if (kBodyFixed + key_len > len) return -1;
  record->sequence = DecodeFixed64(body);
  record->arrival_micros = static_cast<int64_t>(DecodeFixed64(body + 8));
  if (want_strings) {
    record->partition_key.assign(body + kBodyFixed, key_len);
    record->payload.assign(body + kBodyFixed + key_len, len - kBodyFixed - key_len);
  }
  return static_cast<int64_t>(kFrameHeader + len);
}

Status PwriteAll(int fd, const std::string& data, int64_t offset, const fs::path& path) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::pwrite(fd, data.data() + done, data.size() - done, offset + done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoError("write " + path.string(), errno);
    }
    done += static_cast<size_t>(n);
  }
  return Status::Ok();
}

class FileEventLog final : public EventLog {
 public:
  FileEventLog(fs::path dir, std::string name, EventLogOptions options)
      : dir_(std::move(dir)), name_(std::move(name)), options_(options) {
    if (options_.clock == nullptr) options_.clock = Clock::Real();
  }

  ~FileEventLog() override {
    if (flusher_.joinable()) {
      {
        std::lock_guard<std::mutex> lock(flush_mu_);
        stop_ = true;
      }
      flush_cv_.notify_all();
      flusher_.join();
    }
    Sync().IgnoreError();
  }

  Status Init() {
    RETURN_IF_ERROR(EnsureWritableDirectory(dir_));
    fs::path meta = dir_ / "stream.json";
    int shards = options_.shards;
    if (fs::exists(meta)) {
      ASSIGN_OR_RETURN(Json j, ReadJsonFile(meta));
      ASSIGN_OR_RETURN(int64_t n, GetJsonInt(j, "shards"));
      shards = static_cast<int>(n);
    } else {
      if (shards < 1 || shards > 1024) {
        return InvalidArgumentError("stream shards must be 1..1024, got " + std::to_string(shards));
      }
      Json j = {{"format", 1}, {"shards", shards}};
      RETURN_IF_ERROR(WriteFileAtomic(meta, DumpJson(j, 2) + "\n"));
    }
    if (shards < 1 || shards > 1024) return CorruptionError(meta.string() + ": bad shard count");
    shards_.resize(shards);
    for (int i = 0; i < shards; ++i) {
      shards_[i] = std::make_unique<Shard>();
      shards_[i]->dir = dir_ / ("shard-" + std::to_string(i));
      RETURN_IF_ERROR(OpenShard(*shards_[i]));
      RETURN_IF_ERROR(RetainLocked(*shards_[i]));  // no other thread yet
    }
    if (options_.fsync == FsyncMode::kInterval) {
      flusher_ = std::thread([this] { FlushLoop(); });
    }
    return Status::Ok();
  }

  int shard_count() const override { return static_cast<int>(shards_.size()); }
  const std::string& name() const override { return name_; }

  StatusOr<std::vector<LogOffset>> Append(std::span<const AppendRecord> records) override {
    std::vector<LogOffset> offsets(records.size());
    const int n = shard_count();
    std::vector<std::vector<size_t>> by_shard(n);
    for (size_t i = 0; i < records.size(); ++i) {
      const AppendRecord& r = records[i];
      if (r.partition_key.empty()) {
        return InvalidArgumentError("record " + std::to_string(i) + ": empty partition key");
      }
      int64_t size = static_cast<int64_t>(r.partition_key.size() + r.payload.size());
      if (size > options_.max_record_bytes) {
        return InvalidArgumentError("record " + std::to_string(i) + " is " + std::to_string(size) +
                                    " bytes, over the limit of " +
                                    std::to_string(options_.max_record_bytes));
      }
      by_shard[ShardForKey(r.partition_key, n)].push_back(i);
    }
    const int64_t now = options_.clock->NowMicros();
    // (shard, the generation of this batch's write to it)
    std::vector<std::pair<int, uint64_t>> touched;
    for (int s = 0; s < n; ++s) {
      if (by_shard[s].empty()) continue;
      uint64_t generation = 0;
      RETURN_IF_ERROR(AppendToShard(s, records, by_shard[s], now, &offsets, &generation));
      touched.emplace_back(s, generation);
    }
    if (options_.fsync == FsyncMode::kEveryBatch && !touched.empty()) {
      // One fsync per touched shard, in parallel: a batch spread over four
      // shards then waits about as long as one fsync, not four.
      std::vector<Status> results(touched.size());
      sync_runner_.Run(touched.size(), [&](size_t i) {
        results[i] = SyncShard(*shards_[touched[i].first], touched[i].second);
      });
      for (const Status& st : results) RETURN_IF_ERROR(st);
    }
    return offsets;
  }

  StatusOr<std::vector<LogRecord>> Read(int shard, uint64_t from,
                                        size_t max_records) const override {
    if (shard < 0 || shard >= shard_count()) {
      return InvalidArgumentError("no shard " + std::to_string(shard) + " in stream " + name_);
    }
    std::vector<LogRecord> out;
    struct Snap {
      std::shared_ptr<Segment> seg;
      int64_t size;
      uint64_t end;
      int64_t start_pos;
    };
    std::vector<Snap> snaps;
    {
      Shard& sh = *shards_[shard];
      std::lock_guard<std::mutex> lock(sh.mu);
      for (const auto& seg : sh.segments) {
        if (seg->end <= from || seg->size == 0) continue;
        int64_t pos = 0;
        auto it = std::upper_bound(
            seg->index.begin(), seg->index.end(), from,
            [](uint64_t v, const std::pair<uint64_t, int64_t>& e) { return v < e.first; });
        if (it != seg->index.begin()) pos = std::prev(it)->second;
        snaps.push_back({seg, seg->size, seg->end, pos});
        if (snaps.size() >= 4) break;
      }
    }
    std::string buf;
    for (const Snap& snap : snaps) {
      int64_t pos = snap.start_pos;
      while (pos < snap.size && out.size() < max_records) {
        size_t want = static_cast<size_t>(std::min<int64_t>(snap.size - pos, 256 << 10));
        buf.resize(want);
        ssize_t got = ::pread(snap.seg->fd, buf.data(), want, pos);
        if (got < 0) {
          if (errno == EINTR) continue;
          return ErrnoError("read " + snap.seg->path.string(), errno);
        }
        if (static_cast<size_t>(got) < want) {
          return CorruptionError(snap.seg->path.string() + ": short read at " +
                                 std::to_string(pos));
        }
        size_t off = 0;
        bool progressed = false;
        while (off < want && out.size() < max_records) {
          LogRecord rec;
          // Peek the sequence first so that skipped records cost no copies.
          if (want - off >= kFrameHeader + 8 &&
              DecodeFixed64(buf.data() + off + kFrameHeader) < from) {
            uint32_t len = DecodeFixed32(buf.data() + off);
            if (off + kFrameHeader + len > want) break;
            off += kFrameHeader + len;
            progressed = true;
            continue;
          }
          int64_t flen = ParseFrame(buf.data() + off, want - off, &rec, true);
          if (flen == 0) break;
          if (flen < 0) {
            return CorruptionError(snap.seg->path.string() + ": corrupt frame at byte " +
                                   std::to_string(pos + off));
          }
          off += static_cast<size_t>(flen);
          progressed = true;
          out.push_back(std::move(rec));
        }
        if (!progressed) {
          // A frame bigger than the chunk: read exactly it.
          uint32_t len = DecodeFixed32(buf.data());
          buf.resize(kFrameHeader + len);
          if (::pread(snap.seg->fd, buf.data(), buf.size(), pos) !=
              static_cast<ssize_t>(buf.size())) {
            return CorruptionError(snap.seg->path.string() + ": short read");
          }
          LogRecord rec;
          if (ParseFrame(buf.data(), buf.size(), &rec, true) <= 0) {
            return CorruptionError(snap.seg->path.string() + ": corrupt frame");
          }
          off = buf.size();
          if (rec.sequence >= from) out.push_back(std::move(rec));
        }
        pos += static_cast<int64_t>(off);
      }
      if (out.size() >= max_records) break;
    }
    return out;
  }

  uint64_t EndSequence(int shard) const override {
    std::lock_guard<std::mutex> lock(shards_[shard]->mu);
    return shards_[shard]->next_seq;
  }

  uint64_t BeginSequence(int shard) const override {
    std::lock_guard<std::mutex> lock(shards_[shard]->mu);
    return shards_[shard]->segments.front()->first;
  }

  Status CommitConsumerOffset(std::string_view consumer, int shard, uint64_t next) override {
    if (!IsValidStreamName(consumer))
      return InvalidArgumentError("bad consumer name '" + std::string(consumer) + "'");
    if (shard < 0 || shard >= shard_count()) return InvalidArgumentError("bad shard");
    fs::path dir = shards_[shard]->dir / "consumers";
    RETURN_IF_ERROR(EnsureWritableDirectory(dir));
    return WriteFileAtomic(dir / (std::string(consumer) + ".offset"), std::to_string(next) + "\n");
  }

  StatusOr<uint64_t> ConsumerOffset(std::string_view consumer, int shard) const override {
    if (!IsValidStreamName(consumer))
      return InvalidArgumentError("bad consumer name '" + std::string(consumer) + "'");
    if (shard < 0 || shard >= shard_count()) return InvalidArgumentError("bad shard");
    fs::path path = shards_[shard]->dir / "consumers" / (std::string(consumer) + ".offset");
    if (!fs::exists(path)) return uint64_t{0};
    ASSIGN_OR_RETURN(std::string text, ReadFileToString(path));
    try {
      return static_cast<uint64_t>(std::stoull(text));
    } catch (...) {
      return CorruptionError(path.string() + ": not a sequence number");
    }
  }

  Status Sync() override {
    for (auto& sh : shards_) {
      if (!sh) continue;
      uint64_t written;
      {
        std::lock_guard<std::mutex> lock(sh->mu);
        written = sh->written_gen;
      }
      RETURN_IF_ERROR(SyncShard(*sh, written));
    }
    return Status::Ok();
  }

  Status ApplyRetention() override {
    for (auto& sh : shards_) {
      std::lock_guard<std::mutex> lock(sh->mu);
      RETURN_IF_ERROR(RetainLocked(*sh));
    }
    return Status::Ok();
  }

 private:
  struct Shard {
    mutable std::mutex mu;
    fs::path dir;
    std::vector<std::shared_ptr<Segment>> segments;  // never empty after open
    uint64_t next_seq = 0;
    int64_t last_arrival = 0;
    // When time-based retention was last checked: besides each roll, an
    // append checks it once a minute, so a shard whose segments are
    // large enough to never roll under a slow trickle still ages out.
    int64_t retention_checked_micros = 0;
    // Durability by generation: every append takes the next written_gen; a
    // writer is acknowledged once synced_gen reaches its own generation,
    // by its fsync or one that started after its write. One fsync runs at a
    // time per shard (sync_running); the others wait on sync_cv and either
    // find their generation covered or start the next fsync. A failed fsync
    // fails every generation written before it returned, for good,
    // (failed_after, failed_through] with sync_error: after a failed fsync the kernel may
    // have dropped those pages, so a later successful fsync proves nothing
    // about them. (Two failures widen the range to their hull: an error
    // too many, never an acknowledgement too many.)
    uint64_t written_gen = 0;
    uint64_t synced_gen = 0;
    uint64_t failed_after = 0;
    uint64_t failed_through = 0;
    Status sync_error;
    bool sync_running = false;
    std::condition_variable sync_cv;
  };

  Status OpenSegmentFile(Segment& seg, bool create) {
    int flags = O_RDWR | O_CLOEXEC | (create ? O_CREAT | O_EXCL : 0);
    seg.fd = ::open(seg.path.c_str(), flags, 0600);
    if (seg.fd < 0) return ErrnoError("open " + seg.path.string(), errno);
    return Status::Ok();
  }

  // Scans a segment, filling index/end/size. Returns the byte length of the
  // valid prefix and whether a bad or torn frame followed it.
  Status ScanSegment(Segment& seg, bool* torn) {
    struct stat st;
    if (::fstat(seg.fd, &st) != 0) return ErrnoError("stat " + seg.path.string(), errno);
    const int64_t file_size = st.st_size;
    int64_t pos = 0;
    int64_t last_indexed = -kIndexEvery;
    uint64_t expect = seg.first;
    std::string buf;
    *torn = false;
    while (pos < file_size) {
      size_t want = static_cast<size_t>(std::min<int64_t>(file_size - pos, 1 << 20));
      buf.resize(want);
      ssize_t got = ::pread(seg.fd, buf.data(), want, pos);
      if (got != static_cast<ssize_t>(want)) return ErrnoError("read " + seg.path.string(), errno);
      size_t off = 0;
      while (off < want) {
        LogRecord rec;
        int64_t flen = ParseFrame(buf.data() + off, want - off, &rec, false);
        if (flen == 0 && pos + static_cast<int64_t>(want) < file_size) break;  // read more
        if (flen <= 0 || rec.sequence != expect) {
          *torn = true;
          seg.size = pos + static_cast<int64_t>(off);
          seg.end = expect;
          return Status::Ok();
        }
        if (pos + static_cast<int64_t>(off) - last_indexed >= kIndexEvery) {
          last_indexed = pos + static_cast<int64_t>(off);
          seg.index.emplace_back(rec.sequence, last_indexed);
        }
        seg.last_arrival = std::max(seg.last_arrival, rec.arrival_micros);
        ++expect;
        off += static_cast<size_t>(flen);
      }
      if (off == 0) {  // a single frame larger than the chunk
        uint32_t len = DecodeFixed32(buf.data());
        if (pos + static_cast<int64_t>(kFrameHeader + len) > file_size) {
          *torn = true;
          break;
        }
        buf.resize(kFrameHeader + len);
        if (::pread(seg.fd, buf.data(), buf.size(), pos) != static_cast<ssize_t>(buf.size())) {
          return ErrnoError("read " + seg.path.string(), errno);
        }
        LogRecord rec;
        if (ParseFrame(buf.data(), buf.size(), &rec, false) <= 0 || rec.sequence != expect) {
          *torn = true;
          break;
        }
        seg.index.emplace_back(rec.sequence, pos);
        last_indexed = pos;
        seg.last_arrival = std::max(seg.last_arrival, rec.arrival_micros);
        ++expect;
        off = buf.size();
      }
      pos += static_cast<int64_t>(off);
    }
    seg.size = pos;
    seg.end = expect;
    return Status::Ok();
  }

  Status OpenShard(Shard& sh) {
    RETURN_IF_ERROR(EnsureWritableDirectory(sh.dir));
    std::vector<uint64_t> firsts;
    for (const auto& entry : fs::directory_iterator(sh.dir)) {
      std::string fname = entry.path().filename().string();
      if (fname.size() == 24 && fname.ends_with(".log")) {
        try {
          firsts.push_back(std::stoull(fname.substr(0, 20)));
        } catch (...) {
          PANTRY_LOG_WARN("ignoring {}: not a segment name", entry.path().string());
        }
      }
    }
    std::sort(firsts.begin(), firsts.end());
    if (firsts.empty()) return RollLocked(sh, 0);
    for (size_t i = 0; i < firsts.size(); ++i) {
      auto seg = std::make_shared<Segment>();
      seg->first = firsts[i];
      seg->path = sh.dir / SegmentFileName(firsts[i]);
      RETURN_IF_ERROR(OpenSegmentFile(*seg, false));
      bool torn = false;
      RETURN_IF_ERROR(ScanSegment(*seg, &torn));
      const bool last = i + 1 == firsts.size();
      if (torn) {
        if (last) {
          PANTRY_LOG_WARN("{}: truncating a torn tail at byte {} (after sequence {})",
                          seg->path.string(), seg->size, seg->end);
          if (::ftruncate(seg->fd, seg->size) != 0) {
            return ErrnoError("truncate " + seg->path.string(), errno);
          }
          if (::fdatasync(seg->fd) != 0) return ErrnoError("sync " + seg->path.string(), errno);
        } else {
          PANTRY_LOG_ERROR(
              "{}: corrupt frame at byte {}; records after sequence {} in this "
              "segment are unreadable",
              seg->path.string(), seg->size, seg->end);
        }
      }
      sh.last_arrival = std::max(sh.last_arrival, seg->last_arrival);
      sh.next_seq = std::max(sh.next_seq, seg->end);
      sh.segments.push_back(std::move(seg));
    }
    return Status::Ok();
  }

  // Starts a new segment whose first sequence is `first`. Caller holds mu
  // (or is single-threaded in Open).
  Status RollLocked(Shard& sh, uint64_t first) {
    if (!sh.segments.empty()) {
      Segment& cur = *sh.segments.back();
      if (::fdatasync(cur.fd) != 0) return ErrnoError("sync " + cur.path.string(), errno);
    }
    auto seg = std::make_shared<Segment>();
    seg->first = first;
    seg->end = first;
    seg->path = sh.dir / SegmentFileName(first);
    RETURN_IF_ERROR(OpenSegmentFile(*seg, true));
    RETURN_IF_ERROR(SyncDirectory(sh.dir));
    sh.segments.push_back(std::move(seg));
    return RetainLocked(sh);
  }

  Status RetainLocked(Shard& sh) {
    const int64_t now = options_.clock->NowMicros();
    sh.retention_checked_micros = now;
    int64_t total = 0;
    for (const auto& seg : sh.segments) total += seg->size;
    while (sh.segments.size() > 1) {
      const Segment& oldest = *sh.segments.front();
      bool too_big = options_.retention_bytes > 0 && total > options_.retention_bytes;
      bool too_old =
          options_.retention_micros > 0 && oldest.last_arrival < now - options_.retention_micros;
      if (!too_big && !too_old) break;
      std::error_code ec;
      fs::remove(oldest.path, ec);
      if (ec) return IOError("remove " + oldest.path.string() + ": " + ec.message());
      PANTRY_LOG_INFO("retention: removed {} (sequences {}..{})", oldest.path.string(),
                      oldest.first, oldest.end);
      total -= oldest.size;
      sh.segments.erase(sh.segments.begin());  // readers keep their own reference
    }
    return Status::Ok();
  }

  Status AppendToShard(int s, std::span<const AppendRecord> records,
                       const std::vector<size_t>& which, int64_t now,
                       std::vector<LogOffset>* offsets, uint64_t* generation) {
    Shard& sh = *shards_[s];
    std::lock_guard<std::mutex> lock(sh.mu);
    Segment* seg = sh.segments.back().get();
    if (seg->size >= options_.segment_bytes) {
      RETURN_IF_ERROR(RollLocked(sh, sh.next_seq));
      seg = sh.segments.back().get();
    } else if (options_.retention_micros > 0 &&
               now - sh.retention_checked_micros >= kMinuteMicros) {
      RETURN_IF_ERROR(RetainLocked(sh));
    }
    std::string buf;
    uint64_t seq = sh.next_seq;
    int64_t last_arrival = sh.last_arrival;
    std::vector<std::pair<uint64_t, int64_t>> new_index;
    int64_t last_indexed = seg->index.empty() ? -kIndexEvery : seg->index.back().second;
    std::string body;
    for (size_t i : which) {
      const AppendRecord& r = records[i];
      // Strictly increasing per shard, so that two records never share an
      // arrival time (a sliding row per record then has its own event time).
      int64_t arrival =
          std::max(r.arrival_micros != 0 ? std::min(r.arrival_micros, now) : now, last_arrival + 1);
      last_arrival = arrival;
      int64_t pos = seg->size + static_cast<int64_t>(buf.size());
      if (pos - last_indexed >= kIndexEvery) {
        new_index.emplace_back(seq, pos);
        last_indexed = pos;
      }
      body.clear();
      PutFixed64(&body, seq);
      PutFixed64(&body, static_cast<uint64_t>(arrival));
      PutFixed32(&body, static_cast<uint32_t>(r.partition_key.size()));
      body.append(r.partition_key);
      body.append(r.payload);
      PutFixed32(&buf, static_cast<uint32_t>(body.size()));
      PutFixed32(&buf, Crc32(body));
      buf.append(body);
      (*offsets)[i] = LogOffset{s, seq};
      ++seq;
    }
    Status st = PwriteAll(seg->fd, buf, seg->size, seg->path);
    if (!st.ok()) {
      // Leave no partial frame behind for the next append to follow.
      if (::ftruncate(seg->fd, seg->size) != 0) {
        PANTRY_LOG_ERROR("cannot truncate {} after a failed write", seg->path.string());
      }
      return st;
    }
    seg->size += static_cast<int64_t>(buf.size());
    seg->end = seq;
    seg->last_arrival = last_arrival;
    seg->index.insert(seg->index.end(), new_index.begin(), new_index.end());
    sh.next_seq = seq;
    sh.last_arrival = last_arrival;
    *generation = ++sh.written_gen;
    return Status::Ok();
  }

  // Returns once every write up to `generation` is on disk, or with the
  // error of the fsync that covered it.
  Status SyncShard(Shard& sh, uint64_t generation) {
    std::unique_lock<std::mutex> lock(sh.mu);
    auto failed = [&] { return generation > sh.failed_after && generation <= sh.failed_through; };
    while (true) {
      if (failed()) return sh.sync_error;
      if (sh.synced_gen >= generation) return Status::Ok();
      if (!sh.sync_running) break;
      sh.sync_cv.wait(lock);
    }
    // This writer runs the next fsync; it covers every write so far, since
    // all of them went to the last segment or to older ones a roll synced.
    sh.sync_running = true;
    const uint64_t covers = sh.written_gen;
    const uint64_t durable_before = sh.synced_gen;
    std::shared_ptr<Segment> seg = sh.segments.back();
    lock.unlock();
    // Outside the lock so appends proceed while the disk works.
    const int rc =
        options_.fsync_for_testing ? options_.fsync_for_testing(seg->fd) : ::fdatasync(seg->fd);
    const int err = errno;
    lock.lock();
    sh.sync_running = false;
    if (rc == 0) {
      sh.synced_gen = std::max(sh.synced_gen, covers);
    } else {
      sh.failed_after =
          sh.failed_through == 0 ? durable_before : std::min(sh.failed_after, durable_before);
      // Writes that landed while the failed fsync ran may have lost their
      // pages too: they fail with it.
      sh.failed_through = std::max(sh.failed_through, sh.written_gen);
      sh.sync_error = ErrnoError("sync " + seg->path.string(), err);
    }
    sh.sync_cv.notify_all();
    if (failed()) return sh.sync_error;
    return Status::Ok();
  }

  void FlushLoop() {
    std::unique_lock<std::mutex> lock(flush_mu_);
    while (!stop_) {
      flush_cv_.wait_for(lock, std::chrono::milliseconds(options_.fsync_interval_ms));
      if (stop_) break;
      lock.unlock();
      Status st = Sync();
      if (!st.ok()) PANTRY_LOG_ERROR("event log {}: background fsync: {}", name_, st.message());
      lock.lock();
    }
  }

  fs::path dir_;
  std::string name_;
  EventLogOptions options_;
  std::vector<std::unique_ptr<Shard>> shards_;
  std::mutex flush_mu_;
  std::condition_variable flush_cv_;
  bool stop_ = false;
  std::thread flusher_;
  ParallelRunner sync_runner_;  // the shards' fsyncs of one Append, in parallel
};

}  // namespace

int ShardForKey(std::string_view partition_key, int shards) {
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : partition_key) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return static_cast<int>(h % static_cast<uint64_t>(shards));
}

StatusOr<std::unique_ptr<EventLog>> EventLog::OpenFile(const std::filesystem::path& home,
                                                       std::string_view name,
                                                       const EventLogOptions& options) {
  if (!IsValidStreamName(name)) {
    return InvalidArgumentError("stream name '" + std::string(name) +
                                "' must be 1 to 128 letters, digits, '_', '-' or '.'");
  }
  auto log = std::make_unique<FileEventLog>(home / "stream" / std::string(name), std::string(name),
                                            options);
  Status st = log->Init();
  if (!st.ok()) return st.WithContext("opening stream " + std::string(name));
  return std::unique_ptr<EventLog>(std::move(log));
}

}  // namespace pantry::stream
