#include "pantry/workshop/streams.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "pantry/common/file_util.h"
#include "pantry/common/json.h"

namespace pantry::workshop {
namespace {

namespace fs = std::filesystem;

TEST(WorkshopStreamsTest, BuiltinSpecsWriteTheWorkshopGroups) {
  EXPECT_EQ(BuiltinWindowSpecNames(), (std::vector<std::string>{"workshop", "workshop-live"}));
  auto stagger = BuiltinWindowSpec("workshop");
  ASSERT_TRUE(stagger.ok()) << stagger.status();
  EXPECT_EQ(stagger->source, kClickStream);
  EXPECT_EQ(stagger->sink_feature_group, "click_stream");
  auto live = BuiltinWindowSpec("workshop-live");
  ASSERT_TRUE(live.ok()) << live.status();
  EXPECT_EQ(live->sink_feature_group, "click_stream_live");
  auto unknown = BuiltinWindowSpec("workshop-weekly");
  EXPECT_EQ(unknown.status().code(), StatusCode::kNotFound);
  EXPECT_NE(unknown.status().message().find("workshop, workshop-live"), std::string::npos);
}

TEST(WorkshopStreamsTest, ShippedSpecFilesAreTheBuiltins) {
  // The JSON files next to this test are the documented copies.
  const fs::path specs = fs::path(PANTRY_WORKSHOP_SOURCE_DIR) / "specs";
  for (auto [file, name] : {std::pair{"workshop_stagger_2m.json", "workshop"},
                            std::pair{"workshop_live_2m.json", "workshop-live"}}) {
    auto from_file = LoadWindowSpec((specs / file).string());
    ASSERT_TRUE(from_file.ok()) << from_file.status();
    auto builtin = BuiltinWindowSpec(name);
    ASSERT_TRUE(builtin.ok());
    EXPECT_EQ(from_file->name, builtin->name);
    auto file_json = ReadJsonFile(specs / file);
    ASSERT_TRUE(file_json.ok());
    auto builtin_json =
        ParseJson(name == std::string("workshop") ? stream::WorkshopStaggerSpecJson()
                                                  : stream::WorkshopSlidingSpecJson(),
                  name);
    ASSERT_TRUE(builtin_json.ok());
    EXPECT_EQ(*file_json, *builtin_json) << file;
  }
}

TEST(WorkshopStreamsTest, LoadWindowSpecPrefersAnExistingFile) {
  auto builtin = LoadWindowSpec("workshop-live");
  ASSERT_TRUE(builtin.ok()) << builtin.status();
  EXPECT_EQ(builtin->name, "click_stream_live_2m");
  EXPECT_FALSE(LoadWindowSpec("/nonexistent/spec.json").ok());

  const fs::path dir = fs::path(::testing::TempDir()) / "pantry_workshop_streams_test";
  fs::create_directories(dir);
  const fs::path file = dir / "workshop";
  std::string text(stream::WorkshopStaggerSpecJson());
  text.replace(text.find("click_stream_stagger_2m"), 23, "my_own_spec");
  ASSERT_TRUE(WriteFileAtomic(file, text).ok());
  const fs::path cwd = fs::current_path();
  fs::current_path(dir);
  auto own = LoadWindowSpec("workshop");
  fs::current_path(cwd);
  ASSERT_TRUE(own.ok()) << own.status();
  EXPECT_EQ(own->name, "my_own_spec");
  fs::remove_all(dir);
}

TEST(WorkshopStreamsTest, StreamOptionsHaveBothSpecsAndASink) {
  auto options = WorkshopStreamOptions("/tmp/home", nullptr, nullptr);
  ASSERT_TRUE(options.ok()) << options.status();
  ASSERT_EQ(options->specs.size(), 2u);
  EXPECT_EQ(options->specs[0].name, "click_stream_stagger_2m");
  EXPECT_EQ(options->specs[1].name, "click_stream_live_2m");
  EXPECT_TRUE(static_cast<bool>(options->sink_factory));
}

}  // namespace
}  // namespace pantry::workshop
