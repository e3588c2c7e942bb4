// Test-only (header-only, so it is compiled into the workshop tests and
// never into pantry_workshop): a fresh temporary home per test and a tiny
// generated dataset (datagen::GenerateDataset) in it.
#ifndef PANTRY_WORKSHOP_TEST_DATASET_H_
#define PANTRY_WORKSHOP_TEST_DATASET_H_

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "pantry/datagen/generator.h"

namespace pantry::workshop {

class WorkshopTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = std::filesystem::path(::testing::TempDir()) /
            ("pantry_workshop_" + std::to_string(getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(root_);
    std::filesystem::create_directories(home());
  }
  void TearDown() override { std::filesystem::remove_all(root_); }

  std::filesystem::path home() const { return root_ / "home"; }
  std::filesystem::path data() const { return root_ / "data"; }

  // 60 customers, 100 products, 3000 click rows (about a fifth held out) by
  // default.
  void Generate(int customers = 60, int products = 100, int click_rows = 3000,
                int eval_customers = 20) {
    datagen::GenerateOptions o;
    o.out = data();
    o.customers = customers;
    o.products = products;
    o.click_rows = click_rows;
    o.eval_customers = eval_customers;
    o.threads = 1;
    auto summary = datagen::GenerateDataset(o);
    ASSERT_TRUE(summary.ok()) << summary.status();
  }

  std::filesystem::path root_;
};

}  // namespace pantry::workshop

#endif  // PANTRY_WORKSHOP_TEST_DATASET_H_
