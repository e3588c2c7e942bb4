// The record list writers against the reference, DumpJson of the Json
// value RecordToJsonList builds, on thousands of random records: every
// value type, text that needs escaping or is not (valid) UTF-8, lengths
// around the 16-byte blocks the writers copy, and feature selections.
#include <gtest/gtest.h>

#include <bit>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "pantry/featurestore/online_record.h"
#include "pantry/featurestore/record_json.h"

namespace pantry::featurestore {
namespace {

class RandomRecords {
 public:
  explicit RandomRecords(uint64_t seed) : rng_(seed) {}

  // Mostly plain ASCII (the fast path); one in four strings carries
  // escapes, UTF-8 (valid or not) or both.
  std::string Text() {
    static const std::vector<std::string> kSpecial = {"\"",
                                                      "\\",
                                                      "\n",
                                                      "\t",
                                                      "\b",
                                                      "\f",
                                                      "\r",
                                                      std::string(1, '\0'),
                                                      "\x01",
                                                      "\x1f",
                                                      "\x7f",
                                                      "/",
                                                      "\xC3\xA9",
                                                      "\xE6\x97\xA5",
                                                      "\xF0\x9F\x98\x80",
                                                      "\xFF",
                                                      "\x80",
                                                      "\xC3",
                                                      "\xC0\xAF",
                                                      "\xED\xA0\x80",
                                                      "\xE6\x97",
                                                      "\xF4\x90\x80\x80"};
    const size_t length = Pick(4) == 0 ? Pick(70) : Pick(20);
    const bool special = Pick(4) == 0;
    std::string text;
    while (text.size() < length) {
      if (special && Pick(6) == 0) {
        text += kSpecial[Pick(kSpecial.size())];
      } else {
        text.push_back(static_cast<char>(' ' + 1 + Pick(94)));  // printable, no space
        if (text.back() == '"' || text.back() == '\\') text.back() = 'x';
      }
    }
    return text;
  }

  double Double() {
    switch (Pick(8)) {
      case 0:
        return std::bit_cast<double>(rng_());  // anything, NaN and infinities included
      case 1:
        return static_cast<double>(static_cast<int64_t>(rng_()) >> Pick(64));  // integral
      case 2:
        return (Pick(2) == 0 ? 1 : -1) * static_cast<double>(Pick(1000000)) / 1000;
      case 3:
        return std::ldexp(static_cast<double>(rng_() >> 11), static_cast<int>(Pick(200)) - 150);
      case 4:
        return 1.7e9 + static_cast<double>(Pick(1000000000)) / 1e6;  // timestamps
      case 5:
        return Pick(2) == 0 ? 0.0 : -0.0;
      default:
        return static_cast<double>(Pick(100)) / 100;
    }
  }

  FeatureValue Value() {
    switch (Pick(5)) {
      case 0:
        return FeatureValue();
      case 1: {
        const int64_t edges[] = {0, -1, std::numeric_limits<int64_t>::min(),
                                 std::numeric_limits<int64_t>::max()};
        return FeatureValue::Int(Pick(4) == 0 ? edges[Pick(4)]
                                              : static_cast<int64_t>(rng_()) >> Pick(64));
      }
      case 2:
        return FeatureValue::Double(Double());
      default:
        return FeatureValue::String(Text());
    }
  }

  Record Make() {
    Record record;
    const size_t fields = Pick(12);
    for (size_t i = 0; i < fields; ++i) record.Add(Pick(8) == 0 ? Text() : Name(), Value());
    return record;
  }

  // A selection: some of the record's names, maybe one it lacks; empty
  // (all fields) half the time.
  std::vector<std::string> Selection(const Record& record) {
    std::vector<std::string> names;
    if (Pick(2) == 0) return names;
    for (const Record::Field& field : record.fields()) {
      if (Pick(2) == 0) names.push_back(field.name);
    }
    if (Pick(3) == 0) names.push_back("not_stored");
    return names;
  }

  size_t Pick(size_t n) { return static_cast<size_t>(rng_() % n); }
  std::mt19937_64& rng() { return rng_; }

 private:
  std::string Name() {
    static const std::vector<std::string> kNames = {
        "customer_id", "age",        "name",
        "state",       "event_time", "customer_health_index",
        "is_married",  "x",          "a_feature_name_longer_than_sixteen_bytes"};
    return kNames[Pick(kNames.size())];
  }

  std::mt19937_64 rng_;
};

TEST(RecordJsonRandomTest, WritersMatchTheDumpedJsonList) {
  RandomRecords random(20261201);
  for (int i = 0; i < 20000; ++i) {
    const Record record = random.Make();
    const std::vector<std::string> names = random.Selection(record);
    std::string encoded;
    EncodeOnlineRecord({.event_time_micros = i}, record, &encoded);

    Record decoded;
    ASSERT_TRUE(DecodeOnlineRecord(encoded, names, &decoded).ok());
    const std::string expected = DumpJson(RecordToJsonList(decoded));

    // Appends after what the string holds, as the response bodies do.
    const std::string prefix = random.Pick(2) == 0 ? "" : "{\"Record\":";
    std::string from_record = prefix;
    AppendRecordJsonList(decoded, &from_record);
    ASSERT_EQ(from_record, prefix + expected) << "record " << i;

    std::string from_encoding = prefix;
    ASSERT_TRUE(AppendOnlineRecordJsonList(encoded, names, &from_encoding).ok());
    ASSERT_EQ(from_encoding, prefix + expected) << "record " << i;
  }
}

// Damaged encodings: the writer fails exactly when the decoder does, and
// writes the decoded record's list when it succeeds.
TEST(RecordJsonRandomTest, DamagedEncodingsFailLikeTheDecoder) {
  RandomRecords random(7);
  for (int i = 0; i < 20000; ++i) {
    const Record record = random.Make();
    std::string encoded;
    EncodeOnlineRecord({}, record, &encoded);
    const int flips = 1 + static_cast<int>(random.Pick(3));
    for (int k = 0; k < flips; ++k) {
      encoded[random.Pick(encoded.size())] = static_cast<char>(random.rng()());
    }
    if (random.Pick(4) == 0) encoded.resize(random.Pick(encoded.size() + 1));

    Record decoded;
    const Status decode = DecodeOnlineRecord(encoded, {}, &decoded);
    std::string written;
    const Status write = AppendOnlineRecordJsonList(encoded, {}, &written);
    ASSERT_EQ(write.code(), decode.code()) << "record " << i;
    if (decode.ok()) {
      ASSERT_EQ(written, DumpJson(RecordToJsonList(decoded))) << "record " << i;
    }
  }
}

}  // namespace
}  // namespace pantry::featurestore
