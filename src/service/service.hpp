#pragma once

// `schemad run`: the long-running service. It owns the event loop
// (Boost.Asio): signals, the model watcher, the interval timer, the HTTP
// server and the systemd watchdog. Reconciles run on the worker thread, so
// the loop never waits on the database and probes answer during a run.

#include "config/config.hpp"
#include "config/resolve.hpp"

namespace schemad::service {

struct ServiceOptions {
  config::Config config;        // in force at start-up
  config::Overrides overrides;  // the command line's, applied again on SIGHUP
};

// Runs until SIGTERM or SIGINT; returns the process exit code: 0 after a
// clean stop, 1 when the service could not start (the HTTP listener).
int run_service(const ServiceOptions& options);

}  // namespace schemad::service
