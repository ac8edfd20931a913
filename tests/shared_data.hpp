#pragma once
// Tests that read the public traces and measurements in ../shared/data skip, with a message, on a
// checkout that has no shared/ beside it; CI and development machines have it.
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#define XPUSIM_REQUIRE_SHARED_DATA()                                                      \
  do {                                                                                    \
    if (!std::filesystem::exists(std::string(XPUSIM_SHARED_DIR) + "/data/traces"))        \
      GTEST_SKIP() << "../shared/data not found beside the checkout";                    \
  } while (0)
