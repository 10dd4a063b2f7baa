#include "service/notify.hpp"

#include <systemd/sd-daemon.h>

#include <cstdint>
#include <ctime>

namespace schemad::service {

namespace {

constexpr std::size_t kMaxStatusBytes = 1024;

bool notify(const std::string& message) {
  return sd_notify(0, message.c_str()) > 0;
}

std::string status_line(const std::string& text) {
  std::string out = text;
  for (char& c : out) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) c = ' ';
  }
  if (out.size() > kMaxStatusBytes) {
    std::size_t cut = kMaxStatusBytes;
    // Back up over continuation bytes (10xxxxxx) so no character is split.
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xc0) == 0x80) --cut;
    out.resize(cut);
  }
  return out;
}

}  // namespace

bool Notifier::ready() const {
  return notify("READY=1");
}

bool Notifier::reloading() const {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  std::uint64_t usec = static_cast<std::uint64_t>(now.tv_sec) * 1000000u +
                       static_cast<std::uint64_t>(now.tv_nsec) / 1000u;
  return notify("RELOADING=1\nMONOTONIC_USEC=" + std::to_string(usec));
}

bool Notifier::stopping() const {
  return notify("STOPPING=1");
}

bool Notifier::status(const std::string& text) const {
  return notify("STATUS=" + status_line(text));
}

bool Notifier::watchdog() const {
  return notify("WATCHDOG=1");
}

std::optional<std::chrono::microseconds> Notifier::watchdog_interval() const {
  std::uint64_t usec = 0;
  if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0) return std::nullopt;
  return std::chrono::microseconds(usec);
}

}  // namespace schemad::service
