// The flat scan is a shortcut only: for every payload, EventParser::Parse
// (scan first) must give exactly what the DOM path (ParseJson +
// ParseJsonValue) gives. Checked over hand-picked edge cases and random
// mutations of a workshop event.
#include "pantry/stream/flat_event.h"

#include <random>

#include <gtest/gtest.h>

#include "pantry/stream/event.h"

namespace pantry::stream {
namespace {

constexpr std::string_view kEventTimeSpec = R"({
  "name": "et", "partition_by": ["customer_id", "FLOOR(event_time TO MINUTE) AS minute"],
  "time_basis": "event_time", "window": {"type": "tumbling", "size": "1m"},
  "aggregations": ["SUM(activity_weight) AS w", "MAX(product_health_index) AS h"],
  "strict": true,
  "fields": {"customer_id": "any", "activity_weight": "number", "product_health_index": "number",
             "event_time": "time", "n": "integer", "s": "string"}})";

struct Outcome {
  bool accepted = false;
  ParsedEvent event;
  Rejection rejection;
};

Outcome ViaParse(const EventParser& parser, std::string_view payload) {
  Outcome o;
  o.accepted = parser.Parse(payload, 77, &o.event, &o.rejection);
  return o;
}

Outcome ViaDom(const EventParser& parser, std::string_view payload) {
  Outcome o;
  auto json = ParseJson(payload, "event");
  if (!json.ok()) {
    o.rejection.reason = RejectReason::kNotJson;
    return o;
  }
  o.accepted = parser.ParseJsonValue(*json, 77, &o.event, &o.rejection);
  return o;
}

void ExpectSame(const WindowSpec& spec, std::string_view payload) {
  EventParser parser(spec);
  Outcome fast = ViaParse(parser, payload);
  Outcome dom = ViaDom(parser, payload);
  ASSERT_EQ(fast.accepted, dom.accepted) << payload;
  if (!dom.accepted) {
    EXPECT_EQ(fast.rejection.reason, dom.rejection.reason) << payload;
    return;
  }
  EXPECT_EQ(fast.event.key, dom.event.key) << payload;
  EXPECT_EQ(fast.event.time_micros, dom.event.time_micros) << payload;
  for (size_t i = 0; i < spec.value_fields.size(); ++i) {
    EXPECT_EQ(fast.event.values[i], dom.event.values[i]) << payload;
  }
}

std::vector<WindowSpec> Specs() {
  return {*WindowSpec::FromString(WorkshopStaggerSpecJson(), "stagger"),
          *WindowSpec::FromString(WorkshopSlidingSpecJson(), "sliding"),
          *WindowSpec::FromString(kEventTimeSpec, "et")};
}

TEST(FlatEventTest, ScansTopLevelMembers) {
  FlatEvent flat;
  ASSERT_TRUE(flat.Scan(R"( {"a": "x", "b": -12, "c": 1.5e2, "d": [1, {"e": null}], "f": true} )"));
  ASSERT_EQ(flat.fields().size(), 5u);
  EXPECT_EQ(flat.Find("a")->text, "x");
  EXPECT_EQ(flat.Find("b")->kind, FlatField::Kind::kInteger);
  EXPECT_EQ(flat.Find("b")->number, -12.0);
  EXPECT_EQ(flat.Find("c")->number, 150.0);
  EXPECT_EQ(flat.Find("d")->kind, FlatField::Kind::kArray);
  EXPECT_EQ(flat.Find("f")->kind, FlatField::Kind::kBool);
  EXPECT_EQ(flat.Find("z"), nullptr);
  // Unsure or invalid: the full parser decides.
  for (std::string_view text :
       {R"({"a": "\n"})", R"({"a": 1, "a": 2})", R"({"a": 01})", R"({"a": 1} x)", R"([1])",
        R"({"a": -0})", R"({"a": 12345678901234567890})", R"({"a": "é"})", R"({"a": 1e999})",
        R"({"a": tru})", R"({"a": 1,})", "{\"a\": \"\x01\"}", ""}) {
    EXPECT_FALSE(flat.Scan(text)) << text;
  }
}

TEST(FlatEventTest, EdgeCasesMatchTheDomPath) {
  const std::vector<std::string> payloads = {
      R"({"customer_id": "C1", "activity_weight": 2, "product_health_index": 0.3})",
      R"({"customer_id": 17, "activity_weight": 2, "product_health_index": 0.3})",
      R"({"customer_id": -17, "activity_weight": 2, "product_health_index": 3e-1})",
      R"({"customer_id": "", "activity_weight": 2, "product_health_index": 0.3})",
      R"({"customer_id": null, "activity_weight": 2, "product_health_index": 0.3})",
      R"({"customer_id": 1.5, "activity_weight": 2, "product_health_index": 0.3})",
      R"({"customer_id": "C1", "activity_weight": "2", "product_health_index": 0.3})",
      R"({"customer_id": "C1", "activity_weight": 2})",
      R"({"customer_id": "C1", "activity_weight": 2, "product_health_index": 0.3, "x": [1]})",
      R"({"customer_id": "C\u0031", "activity_weight": 2, "product_health_index": 0.3})",
      R"({"customer_id": "C1", "activity_weight": 9007199254740993, "product_health_index": 1})",
      R"({"customer_id": "C1", "activity_weight": 2, "product_health_index": 0.1, "event_time":
          "2026-11-27T03:17:42.123456Z", "n": 3, "s": "x"})",
      R"({"customer_id": "C1", "activity_weight": 2, "product_health_index": 0.1, "event_time":
          1795000000.25, "n": 3.5})",
      R"({"customer_id": "C1", "activity_weight": 2, "product_health_index": 0.1, "event_time":
          "yesterday"})",
      R"({"customer_id": "C1", "activity_weight": 2, "product_health_index": 0.1, "event_time":
          1795000000, "other": 1})",
      R"({"customer_id": "C1", "activity_weight": 2, "product_health_index": 0.1, "event_time":
          1e12})",
      R"({"customer_id": "C1", "activity_weight": 2, "product_health_index": 0.1, "event_time":
          1795000000, "_arrival_time": 5, "s": null})",
      R"("just a string")",
      R"({"customer_id": "C1", "activity_weight": 2, "product_health_index": 0.3)",
  };
  for (const WindowSpec& spec : Specs()) {
    for (const std::string& p : payloads) ExpectSame(spec, p);
  }
}

TEST(FlatEventTest, RandomMutationsMatchTheDomPath) {
  const std::string base =
      R"({"event_time": 1795000000.5, "customer_id": "C12", "product_id": "P7",)"
      R"( "activity_type": "liked", "activity_weight": 1, "product_health_index": 0.35})";
  const std::string alphabet = "{}[]\",:.-+eE0123456789 \\tnul_xC";
  std::mt19937 rng(11);
  const std::vector<WindowSpec> specs = Specs();
  for (int i = 0; i < 20000; ++i) {
    std::string p = base;
    const int edits = 1 + static_cast<int>(rng() % 3);
    for (int e = 0; e < edits; ++e) {
      const size_t at = rng() % p.size();
      const char c = alphabet[rng() % alphabet.size()];
      switch (rng() % 3) {
        case 0:
          p[at] = c;
          break;
        case 1:
          p.insert(p.begin() + static_cast<std::ptrdiff_t>(at), c);
          break;
        default:
          p.erase(at, 1);
      }
    }
    for (const WindowSpec& spec : specs) ExpectSame(spec, p);
  }
}

}  // namespace
}  // namespace pantry::stream
