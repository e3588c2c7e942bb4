#include "pantry/cli/command.h"

int main(int argc, char** argv) { return pantry::cli::RunMain(argc, argv); }
