// `pantry info`: where pantry keeps its state and what is there.
#include <iostream>

#include "pantry/cli/command.h"

namespace pantry::cli {
namespace {

Status RunInfo(const GlobalOptions& globals) {
  ASSIGN_OR_RETURN(std::filesystem::path home, globals.RequireHome());
  std::cout << "home: " << std::filesystem::absolute(home).string() << "\n";
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(home, ec)) {
    std::cout << "  " << entry.path().filename().string() << (entry.is_directory() ? "/" : "")
              << "\n";
  }
  if (ec) return IOError("cannot list " + home.string() + ": " + ec.message());
  return Status::Ok();
}

void Setup(CLI::App& app, const GlobalOptions& globals) {
  CLI::App* info = app.add_subcommand("info", "Show the home directory and what it holds");
  SetAction(info, [&globals] { return RunInfo(globals); });
}

}  // namespace

PANTRY_REGISTER_COMMANDS(info, Setup);

}  // namespace pantry::cli
