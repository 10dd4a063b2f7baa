#pragma once

// Notifications to the service manager (systemd's sd_notify protocol, sent
// by libsystemd): readiness, reloads, shutdown, a status line and watchdog
// pings.
//
// Every call is a no-op returning false when NOTIFY_SOCKET is unset (not run
// by systemd with Type=notify, or NotifyAccess does not reach us), so the
// daemon calls them unconditionally. Failures are not fatal either: the
// calls return false and the caller may log once. The environment is left
// as it is (sd_notify's unset_environment = 0).
//
// Thread safety: a Notifier holds no state; any thread may call it, and
// messages from several threads are separate datagrams.

#include <chrono>
#include <optional>
#include <string>

namespace schemad::service {

class Notifier {
 public:
  // "READY=1": start-up is over, or a reload (see reloading()) has finished.
  bool ready() const;

  // "RELOADING=1" with "MONOTONIC_USEC=<now>". ready() must follow when the
  // reload is done. systemd before 253 ignores MONOTONIC_USEC (the protocol
  // lets any assignment through); 253 and later need it for
  // Type=notify-reload, and the manager that reads it may be newer than the
  // libsystemd linked here (a container on a newer host).
  bool reloading() const;

  // "STOPPING=1": shutdown has begun.
  bool stopping() const;

  // "STATUS=<text>", shown by systemctl status. Newlines and other control
  // characters become spaces (one message, and no way to smuggle in another
  // assignment such as READY=1 through text from a model file); text over
  // 1024 bytes is cut at a UTF-8 character boundary.
  bool status(const std::string& text) const;

  // "WATCHDOG=1": a keep-alive ping; send one every watchdog_interval() / 2.
  bool watchdog() const;

  // WatchdogSec= of the unit, when the manager expects pings from this
  // process (WATCHDOG_USEC set, and WATCHDOG_PID unset or our pid);
  // nullopt otherwise or when the variables do not parse.
  std::optional<std::chrono::microseconds> watchdog_interval() const;
};

}  // namespace schemad::service
