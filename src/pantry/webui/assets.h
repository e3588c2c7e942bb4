// The web UI's static files (pages, styles, scripts and Debian's Chart.js),
// compiled into the binary at build time by cmake/EmbedAssets.cmake so that
// `pantry serve` needs no network and no separate web server.
#ifndef PANTRY_WEBUI_ASSETS_H_
#define PANTRY_WEBUI_ASSETS_H_

#include <span>
#include <string_view>

namespace pantry::webui {

struct Asset {
  std::string_view path;          // the URL path it is served at ("/", "/ui/common.js")
  std::string_view content_type;  // from the file's extension
  std::string_view body;
};

// Every embedded file; static storage, valid for the whole process.
std::span<const Asset> EmbeddedAssets();

}  // namespace pantry::webui

#endif  // PANTRY_WEBUI_ASSETS_H_
