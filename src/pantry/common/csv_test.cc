#include <filesystem>
#include <fstream>
#include <random>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "pantry/common/csv.h"
#include "pantry/testing/temp_dir.h"

namespace pantry {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::vector<std::vector<std::string>> ReadAll(const std::string& data, CsvReadOptions options = {},
                                              Status* error = nullptr) {
  std::vector<std::vector<std::string>> rows;
  auto reader = CsvReader::FromString(data, "t.csv", options);
  if (!reader.ok()) {
    if (error) *error = reader.status();
    return rows;
  }
  CsvRecord record;
  while (true) {
    auto more = (*reader)->ReadRecord(&record);
    if (!more.ok()) {
      if (error) *error = more.status();
      break;
    }
    if (!*more) break;
    rows.emplace_back(record.fields().begin(), record.fields().end());
  }
  return rows;
}

CsvReadOptions NoHeader() {
  CsvReadOptions options;
  options.has_header = false;
  return options;
}

TEST(CsvReaderTest, HeaderMapsColumnNames) {
  auto reader = CsvReader::FromString("a,b,c\n1,2,3\n");
  ASSERT_TRUE(reader.ok());
  EXPECT_THAT((*reader)->header(), ElementsAre("a", "b", "c"));
  EXPECT_EQ((*reader)->ColumnIndex("c"), 2u);
  EXPECT_FALSE((*reader)->ColumnIndex("d").has_value());
  auto missing = (*reader)->RequireColumn("d");
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(missing.status().message(), HasSubstr("no column 'd'"));
  EXPECT_THAT(missing.status().message(), HasSubstr("a, b, c"));
}

TEST(CsvReaderTest, QuotedFieldsWithCommasQuotesAndNewlines) {
  auto rows = ReadAll("x,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\"\n", NoHeader());
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_THAT(rows[0], ElementsAre("x", "a,b", "say \"hi\"", "two\nlines"));
}

TEST(CsvReaderTest, CrlfAndLfLineEndingsAndNoFinalNewline) {
  EXPECT_EQ(ReadAll("a,b\r\n1,2\r\n3,4", NoHeader()),
            (std::vector<std::vector<std::string>>{{"a", "b"}, {"1", "2"}, {"3", "4"}}));
  EXPECT_EQ(ReadAll("a,b\n1,2\n", NoHeader()),
            (std::vector<std::vector<std::string>>{{"a", "b"}, {"1", "2"}}));
  EXPECT_EQ(ReadAll("\"a\r\nb\",c\r\n", NoHeader()),
            (std::vector<std::vector<std::string>>{{"a\r\nb", "c"}}));
}

TEST(CsvReaderTest, Utf8BomIsSkipped) {
  auto reader = CsvReader::FromString(
      "\xEF\xBB\xBF"
      "customer_id,name\nC1,x\n");
  ASSERT_TRUE(reader.ok());
  EXPECT_EQ((*reader)->header()[0], "customer_id");
}

TEST(CsvReaderTest, EmptyFieldsAndTrailingDelimiter) {
  EXPECT_EQ(ReadAll("a,,c\n,,\n\"\",x,\n", NoHeader()),
            (std::vector<std::vector<std::string>>{{"a", "", "c"}, {"", "", ""}, {"", "x", ""}}));
  EXPECT_EQ(ReadAll("a,", NoHeader()), (std::vector<std::vector<std::string>>{{"a", ""}}));
}

TEST(CsvReaderTest, BlankLinesAreSkipped) {
  EXPECT_EQ(ReadAll("a\n\n\r\nb\n\n", NoHeader()),
            (std::vector<std::vector<std::string>>{{"a"}, {"b"}}));
}

TEST(CsvReaderTest, QuoteInsideUnquotedFieldIsLiteral) {
  EXPECT_EQ(ReadAll("5\"2,x\n", NoHeader()),
            (std::vector<std::vector<std::string>>{{"5\"2", "x"}}));
}

TEST(CsvReaderTest, InvalidUtf8IsKeptAsBytes) {
  std::string bad = "\xff\xfe\xc3";
  auto rows = ReadAll("h\n" + bad + "\n");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0][0], bad);
}

TEST(CsvReaderTest, UnterminatedQuoteNamesLineAndColumn) {
  Status error;
  ReadAll("a,b\n1,2\n3,\"oops\n4,5\n", {}, &error);
  EXPECT_EQ(error.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(error.message(), HasSubstr("t.csv:3:3: unterminated quoted field"));
}

TEST(CsvReaderTest, WrongFieldCountNamesLineAndColumn) {
  Status error;
  ReadAll("a,b\n1,2\n3,4,5\n", {}, &error);
  EXPECT_THAT(error.message(),
              HasSubstr("t.csv:3:5: expected 2 fields (as in the header), found 3"));
  ReadAll("a,b\n1\n", {}, &error);
  EXPECT_THAT(error.message(), HasSubstr("t.csv:2:1: expected 2 fields"));
}

TEST(CsvReaderTest, WithoutHeaderFirstRecordSetsWidth) {
  Status error;
  ReadAll("1,2\n3\n", NoHeader(), &error);
  EXPECT_THAT(error.message(), HasSubstr("t.csv:2:1: expected 2 fields, found 1"));
}

TEST(CsvReaderTest, GarbageAfterClosingQuoteIsAnError) {
  Status error;
  ReadAll("a,b\n\"x\"y,2\n", {}, &error);
  EXPECT_THAT(error.message(), HasSubstr("t.csv:2:4: unexpected character 'y'"));
}

TEST(CsvReaderTest, LineNumbersCountNewlinesInsideQuotes) {
  Status error;
  ReadAll("a,b\n\"multi\nline\nvalue\",1\n2\n", {}, &error);
  EXPECT_THAT(error.message(), HasSubstr("t.csv:5:1: expected 2 fields"));
}

TEST(CsvReaderTest, EmptyFileWithHeaderIsAnError) {
  auto reader = CsvReader::FromString("", "empty.csv");
  ASSERT_FALSE(reader.ok());
  EXPECT_THAT(reader.status().message(), HasSubstr("empty.csv:1:1: empty file"));
}

TEST(CsvReaderTest, LocationOfAFieldForCallers) {
  auto reader = CsvReader::FromString("id,age\nC1,12\n\"C\n2\",abc\n");
  ASSERT_TRUE(reader.ok());
  CsvRecord record;
  ASSERT_TRUE(*(*reader)->ReadRecord(&record));
  EXPECT_EQ((*reader)->Location(record, 1), "<string>:2:4");
  ASSERT_TRUE(*(*reader)->ReadRecord(&record));
  EXPECT_EQ(record.line(), 3);
  EXPECT_EQ((*reader)->Location(record, 1), "<string>:4:4");
}

class CsvFileTest : public ::testing::Test {
 protected:
  testing::TempDir tmp_{"pantry_csv_test"};
  const std::filesystem::path& dir_ = tmp_.path();
};

// Records much larger than the buffer, and records straddling every possible
// refill boundary, must parse exactly as from memory.
TEST_F(CsvFileTest, StreamingMatchesInMemoryAcrossBufferBoundaries) {
  std::mt19937 rng(7);
  std::vector<std::vector<std::string>> expected;
  auto path = dir_ / "data.csv";
  {
    auto writer = CsvWriter::Create(path, {.delimiter = ',', .crlf = true});
    ASSERT_TRUE(writer.ok());
    (*writer)->WriteRow({"a", "b", "c"});
    const std::string alphabet = "ab,\"\n\r xyz";
    for (int i = 0; i < 2000; ++i) {
      std::vector<std::string> row;
      for (int f = 0; f < 3; ++f) {
        std::string value;
        int length = static_cast<int>(rng() % (i % 100 == 0 ? 300 : 12));
        for (int k = 0; k < length; ++k) value.push_back(alphabet[rng() % alphabet.size()]);
        row.push_back(value);
      }
      (*writer)->WriteRow(row);
      expected.push_back(row);
    }
    ASSERT_TRUE((*writer)->Close().ok());
  }
  CsvReadOptions options;
  options.buffer_bytes = 16;  // forces refills and growth
  auto reader = CsvReader::Open(path, options);
  ASSERT_TRUE(reader.ok()) << reader.status();
  CsvRecord record;
  size_t i = 0;
  while (true) {
    auto more = (*reader)->ReadRecord(&record);
    ASSERT_TRUE(more.ok()) << more.status();
    if (!*more) break;
    ASSERT_LT(i, expected.size());
    ASSERT_EQ(std::vector<std::string>(record.fields().begin(), record.fields().end()), expected[i])
        << "record " << i;
    ++i;
  }
  EXPECT_EQ(i, expected.size());
}

TEST_F(CsvFileTest, RecordLongerThanLimitIsAnError) {
  auto path = dir_ / "long.csv";
  std::ofstream(path) << "a\n" << std::string(5000, 'x') << "\n";
  CsvReadOptions options;
  options.buffer_bytes = 64;
  options.max_record_bytes = 1024;
  auto reader = CsvReader::Open(path, options);
  ASSERT_TRUE(reader.ok());
  CsvRecord record;
  auto more = (*reader)->ReadRecord(&record);
  ASSERT_FALSE(more.ok());
  EXPECT_THAT(more.status().message(), HasSubstr("long.csv:2:1: record longer than 1024 bytes"));
}

TEST_F(CsvFileTest, MissingFileNamesThePath) {
  auto reader = CsvReader::Open(dir_ / "nope.csv");
  ASSERT_FALSE(reader.ok());
  EXPECT_EQ(reader.status().code(), StatusCode::kIOError);
  EXPECT_THAT(reader.status().message(), HasSubstr("nope.csv"));
}

TEST(CsvWriterTest, QuotesOnlyWhenNeeded) {
  std::string out;
  AppendCsvField(&out, "plain");
  out += ',';
  AppendCsvField(&out, "a,b");
  out += ',';
  AppendCsvField(&out, "say \"x\"");
  out += ',';
  AppendCsvField(&out, "l1\nl2");
  EXPECT_EQ(out, "plain,\"a,b\",\"say \"\"x\"\"\",\"l1\nl2\"");
}

TEST_F(CsvFileTest, WriterToUnwritablePathFails) {
  auto writer = CsvWriter::Create(dir_ / "missing-dir" / "x.csv");
  ASSERT_FALSE(writer.ok());
  EXPECT_THAT(writer.status().message(), HasSubstr("missing-dir"));
}

}  // namespace
}  // namespace pantry
