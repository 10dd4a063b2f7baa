#pragma once

// Sharding the fleet's targets across replicas of schemad: each replica
// works on the targets it owns, by rendezvous (highest random weight)
// hashing of the target's key. No coordination: every replica computes the
// same owner from the key and the replica count alone, and a change of
// count moves only the keys the new or removed replica wins or held.

#include <stdexcept>
#include <string>

namespace schemad::fleet {

// This replica's index in [0, count).
struct Shard {
  int index = 0;
  int count = 1;
};

class ShardError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The most replicas a shard text may name: owner() costs one hash per
// replica and key.
inline constexpr int kMaxShardCount = 1000000;

// "i/n" (0 <= i < n, 1 <= n <= kMaxShardCount, decimal, no sign, no
// spaces) or "ordinal/n": i is the trailing number of `hostname` after its
// last '-' (a Kubernetes StatefulSet pod "schemad-2" -> 2). "" means {0, 1}.
// Throws ShardError naming the text and what was expected:
//   fleet.shard: "3/3": the index must be below the count
//   fleet.shard: "ordinal/3": the host name "web" does not end in -<number>
//   (a StatefulSet pod's name does)
Shard parse_shard(const std::string& text, const std::string& hostname);

// This machine's host name (gethostname; a Kubernetes pod's is its name);
// "" when it cannot be had.
std::string host_name();

// The replica (0..count-1) that owns `key`: the one with the highest weight
// hash(key, replica), the lowest index on a tie. Stable: going from n to
// n + 1 replicas moves only the keys the new replica wins, ~1/(n + 1) of
// them. The hash is fixed (FNV-1a 64 of the key's bytes, mixed with the
// replica number through splitmix64's finaliser) and must never change:
// replicas of different versions must agree on every owner. count < 1
// counts as 1.
int owner(const std::string& key, int count);

inline bool owns(const Shard& shard, const std::string& key) {
  return owner(key, shard.count) == shard.index;
}

}  // namespace schemad::fleet
