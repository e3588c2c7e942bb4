// The web UI end to end in a real browser: `pantry demo --exit` builds a
// small home (generated data, feature groups, both models), `pantry serve
// --token` serves it, and tests/webui/browser_check.py drives headless
// Chromium through chromedriver (Debian's chromium, chromium-driver and
// python3-selenium; scripts/install-deps installs them). The browser enters
// the token once, picks a shopper on the storefront, adds six healthy
// products to the cart and sees the recommendations re-rank toward health;
// on the console it looks up the shopper's record and runs SQL. The test
// fails (it does not skip) when the browser stack is missing. Screenshots
// land in <build>/webui-screenshots.
#include <unistd.h>

#include <filesystem>
#include <regex>

#include <gtest/gtest.h>

#include "pantry/common/json.h"
#include "pantry/testing/subprocess.h"
#include "pantry/testing/temp_dir.h"

namespace pantry {
namespace {

constexpr char kPython[] = "/usr/bin/python3";
constexpr char kToken[] = "webui-test-token";

// Empty when the browser stack is usable, else what is missing.
std::string MissingBrowserStack() {
  for (const char* path : {kPython, "/usr/bin/chromium", "/usr/bin/chromedriver"}) {
    if (access(path, X_OK) != 0) return std::string(path) + " is missing";
  }
  auto probe = testing::RunCommand(kPython, {"-c", "import selenium"});
  if (probe.exit_code != 0) return "/usr/bin/python3 cannot import selenium: " + probe.err;
  return "";
}

TEST(WebUiBrowserTest, StorefrontReRanksAfterHealthyClicksAndConsoleAnswers) {
  const std::string missing = MissingBrowserStack();
  ASSERT_TRUE(missing.empty()) << missing
                               << "\nInstall Debian's chromium, chromium-driver and "
                                  "python3-selenium (scripts/install-deps installs them).";
  testing::TempDir home;
  auto demo = testing::RunPantry({"--home", home.path().string(), "demo", "--exit", "--customers",
                                  "300", "--products", "500", "--click-rows", "20000"});
  ASSERT_EQ(demo.exit_code, 0) << demo.out << demo.err;
  // The demo's shopper has browsed already; the browser picks another.
  std::smatch shopper;
  std::string demo_shopper = "C1";
  if (std::regex_search(demo.out, shopper, std::regex("\\(shopper (C[0-9]+):"))) {
    demo_shopper = shopper[1];
  }

  testing::TempDir scratch;
  const std::vector<std::string> env = {"PATH=/usr/bin:/bin", "HOME=" + scratch.path().string(),
                                        std::string("PANTRY_TOKEN=") + kToken};
  testing::SubprocessOptions options;
  options.pipe_stdout = true;
  options.stderr_path = scratch / "serve.err";
  options.env = &env;
  testing::Subprocess serve(
      testing::PantryBinary(),
      {"--home", home.path().string(), "serve", "--port", "0", "--no-access-log"}, options);
  ASSERT_TRUE(serve.started()) << serve.error();
  std::optional<std::string> first = serve.ReadLine();
  ASSERT_TRUE(first.has_value());
  std::smatch url;
  ASSERT_TRUE(std::regex_search(*first, url, std::regex("(http://[0-9.]+:[0-9]+)"))) << *first;

  const std::filesystem::path shots = std::filesystem::path(PANTRY_BUILD_DIR) / "webui-screenshots";
  const std::vector<std::string> browser_env = {"PATH=/usr/bin:/bin",
                                                "HOME=" + scratch.path().string()};
  auto run = testing::RunCommand(
      kPython,
      {std::string(PANTRY_SOURCE_DIR) + "/tests/webui/browser_check.py", "--url", url[1], "--out",
       shots.string(), "--token", kToken, "--exclude", demo_shopper},
      &browser_env);
  EXPECT_EQ(serve.Stop(SIGTERM), 0);
  ASSERT_EQ(run.exit_code, 0) << "stdout: " << run.out << "\nstderr: " << run.err;

  auto seen = ParseJson(run.out, "browser_check output");
  ASSERT_TRUE(seen.ok()) << run.out;
  const Json& store = (*seen)["storefront"];
  EXPECT_NE(store["customer"], demo_shopper);
  EXPECT_NE(store["before"], store["after"]);
  EXPECT_GT(store["mean_after"].get<double>(), store["mean_before"].get<double>()) << run.out;
  EXPECT_GE(store["after"].size(), 5u);
  const Json& console = (*seen)["console"];
  EXPECT_GE(console["online_rows"].get<int>(), 5);
  EXPECT_GE(console["history_rows"].get<int>(), 1);
  EXPECT_GT(console["sql_rows"].get<int>(), 0);
  int open_windows = 0;
  for (const auto& n : console["open_windows"]) open_windows += n.get<int>();
  EXPECT_GE(open_windows, 1) << run.out;
  EXPECT_TRUE((*seen)["console_errors"].empty()) << run.out;
  for (const char* name : {"storefront-before.png", "storefront-after.png", "console.png"}) {
    EXPECT_GT(std::filesystem::file_size(shots / name), 10'000u) << name;
  }
}

}  // namespace
}  // namespace pantry
