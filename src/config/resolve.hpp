#pragma once

// Where the configuration in force comes from, in order of precedence: the
// command line (Overrides), then the environment, then the configuration
// file (--config, else SCHEMAD_CONFIG), then the defaults. The one-shot
// commands resolve it once; the daemon again on every SIGHUP.

#include <string>

#include "config/config.hpp"

namespace schemad::config {

// Options given on the command line; "" = not given.
struct Overrides {
  std::string config_file;
  std::string database_url;
  std::string model;
  std::string model_format;
  std::string model_schema;
  std::string scratch_database;
  std::string scratch_url;
  std::string log_level;
  std::string log_format;
  std::string versions_dir;
};

// Reads the file (if any), applies the environment, then `overrides`, and
// validates the result. Throws ConfigError.
Config resolve(const Overrides& overrides, const Getenv& getenv);

}  // namespace schemad::config
