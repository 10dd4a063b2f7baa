#include "fleet/shard.hpp"

#include <unistd.h>

#include <cstdint>
#include <optional>
#include <string_view>

namespace schemad::fleet {

namespace {

// A decimal number of digits only, or nothing; above kMaxShardCount it is
// kMaxShardCount + 1, however many digits follow (no overflow).
std::optional<long> decimal(std::string_view text) {
  if (text.empty()) return std::nullopt;
  long value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    if (value <= kMaxShardCount) value = value * 10 + (c - '0');
  }
  return value > kMaxShardCount ? kMaxShardCount + 1L : value;
}

[[noreturn]] void refuse(const std::string& text, const std::string& problem) {
  throw ShardError("fleet.shard: \"" + text + "\": " + problem);
}

// These constants are part of the owner of every key: changing any of
// them reassigns targets between replicas of different versions.
constexpr std::uint64_t kFnvOffset = 14695981039346656037ULL;
constexpr std::uint64_t kFnvPrime = 1099511628211ULL;
constexpr std::uint64_t kGolden = 0x9E3779B97F4A7C15ULL;

std::uint64_t fnv1a64(std::string_view bytes) {
  std::uint64_t h = kFnvOffset;
  for (char c : bytes) {
    h ^= static_cast<unsigned char>(c);
    h *= kFnvPrime;
  }
  return h;
}

// splitmix64's finaliser: FNV-1a alone leaves similar keys ("db/t1",
// "db/t2") with similar high bits.
std::uint64_t mix64(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

std::uint64_t weight(std::uint64_t key_hash, int replica) {
  return mix64(key_hash ^ mix64(static_cast<std::uint64_t>(replica) * kGolden + kGolden));
}

}  // namespace

Shard parse_shard(const std::string& text, const std::string& hostname) {
  if (text.empty()) return {};
  const std::size_t slash = text.find('/');
  const std::string_view first =
      std::string_view(text).substr(0, slash == std::string::npos ? text.size() : slash);
  std::optional<long> count;
  if (slash != std::string::npos) count = decimal(std::string_view(text).substr(slash + 1));
  const bool ordinal = first == "ordinal";
  std::optional<long> index = ordinal ? std::optional<long>(0) : decimal(first);
  if (!count || !index) {
    refuse(text,
           "expected \"<index>/<count>\" or \"ordinal/<count>\" (decimal numbers, as in "
           "\"0/3\")");
  }
  if (*count < 1) refuse(text, "the count must be at least 1");
  if (*count > kMaxShardCount) {
    refuse(text, "the count must be at most " + std::to_string(kMaxShardCount));
  }
  if (ordinal) {
    const std::size_t dash = hostname.rfind('-');
    index = dash == std::string::npos ? std::nullopt : decimal(hostname.substr(dash + 1));
    if (!index) {
      refuse(text, "the host name \"" + hostname +
                       "\" does not end in -<number> (a StatefulSet pod's name does)");
    }
    if (*index >= *count) {
      refuse(text,
             "the host name \"" + hostname + "\" gives the index " +
                 (*index > kMaxShardCount ? hostname.substr(dash + 1) : std::to_string(*index)) +
                 ", which must be below the count");
    }
  }
  if (*index >= *count) refuse(text, "the index must be below the count");
  return {static_cast<int>(*index), static_cast<int>(*count)};
}

int owner(const std::string& key, int count) {
  const std::uint64_t key_hash = fnv1a64(key);
  int best = 0;
  std::uint64_t best_weight = weight(key_hash, 0);
  for (int replica = 1; replica < count; ++replica) {
    const std::uint64_t w = weight(key_hash, replica);
    if (w > best_weight) {
      best = replica;
      best_weight = w;
    }
  }
  return best;
}

std::string host_name() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0) return "";
  return name;
}

}  // namespace schemad::fleet
