#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "fleet/shard.hpp"

using namespace schemad;

namespace {

// parse_shard's message, or "<parsed>".
std::string shard_error(const std::string& text, const std::string& hostname = "schemad-0") {
  try {
    fleet::parse_shard(text, hostname);
  } catch (const fleet::ShardError& e) {
    return e.what();
  }
  return "<parsed>";
}

std::string key_of(int i) {
  return "db" + std::to_string(i % 7) + "/tenant_" + std::to_string(i);
}

}  // namespace

TEST_CASE("parse_shard reads i/n and ordinal/n", "[fleet]") {
  auto check = [](const std::string& text, const std::string& hostname, int index, int count) {
    INFO(text << " on " << hostname);
    fleet::Shard shard = fleet::parse_shard(text, hostname);
    CHECK(shard.index == index);
    CHECK(shard.count == count);
  };
  check("", "web", 0, 1);
  check("0/1", "web", 0, 1);
  check("2/3", "web", 2, 3);
  check("007/10", "web", 7, 10);
  check("999999/1000000", "web", 999999, 1000000);
  check("ordinal/3", "schemad-2", 2, 3);
  check("ordinal/3", "schemad-fleet-0", 0, 3);
  check("ordinal/12", "a-b-11", 11, 12);
}

TEST_CASE("parse_shard names the text and what was expected", "[fleet]") {
  const std::string expected =
      "expected \"<index>/<count>\" or \"ordinal/<count>\" (decimal numbers, as in \"0/3\")";
  CHECK(shard_error("3/3") == "fleet.shard: \"3/3\": the index must be below the count");
  CHECK(shard_error("5/3") == "fleet.shard: \"5/3\": the index must be below the count");
  CHECK(shard_error("0/0") == "fleet.shard: \"0/0\": the count must be at least 1");
  CHECK(shard_error("0/1000001") ==
        "fleet.shard: \"0/1000001\": the count must be at most 1000000");
  CHECK(shard_error("0/99999999999999999999999") ==
        "fleet.shard: \"0/99999999999999999999999\": the count must be at most 1000000");
  CHECK(shard_error("99999999999999999999/3") ==
        "fleet.shard: \"99999999999999999999/3\": the index must be below the count");
  for (const std::string text : {"3", "/3", "1/", "-1/3", "+1/3", "1/-3", " 1/3", "1/3 ", "1 /3",
                                 "1/3/4", "a/b", "1.0/3", "ordinal", "Ordinal/3", "0x1/3"}) {
    INFO(text);
    CHECK(shard_error(text) == "fleet.shard: \"" + text + "\": " + expected);
  }
  for (const std::string host : {"web", "schemad-", "schemad-2.example"}) {
    INFO(host);
    CHECK(shard_error("ordinal/3", host) ==
          "fleet.shard: \"ordinal/3\": the host name \"" + host +
              "\" does not end in -<number> (a StatefulSet pod's name does)");
  }
  CHECK(shard_error("ordinal/3", "schemad-3") ==
        "fleet.shard: \"ordinal/3\": the host name \"schemad-3\" gives the index 3, which must "
        "be below the count");
  CHECK(shard_error("ordinal/0", "schemad-0") ==
        "fleet.shard: \"ordinal/0\": the count must be at least 1");
}

TEST_CASE("owner is deterministic and in range", "[fleet]") {
  CHECK(fleet::owner("db/t", 1) == 0);
  CHECK(fleet::owner("", 1) == 0);
  for (int i = 0; i < 1000; ++i) {
    const std::string key = key_of(i);
    const int o = fleet::owner(key, 7);
    CHECK(o >= 0);
    CHECK(o < 7);
    CHECK(fleet::owner(key, 7) == o);
    CHECK(fleet::owns({o, 7}, key));
    CHECK_FALSE(fleet::owns({(o + 1) % 7, 7}, key));
  }
}

TEST_CASE("owner spreads keys evenly and moves few when a replica is added", "[fleet]") {
  const int keys = 10000;
  std::vector<int> per_replica(4, 0);
  int moved = 0;
  for (int i = 0; i < keys; ++i) {
    const std::string key = key_of(i);
    const int before = fleet::owner(key, 4);
    ++per_replica[before];
    const int after = fleet::owner(key, 5);
    if (after != before) {
      ++moved;
      // Only to the new replica: the others' weights did not change.
      CHECK(after == 4);
    }
  }
  for (int replica = 0; replica < 4; ++replica) {
    INFO("replica " << replica << ": " << per_replica[replica] << " keys");
    CHECK(per_replica[replica] >= keys * 20 / 100);
    CHECK(per_replica[replica] <= keys * 30 / 100);
  }
  INFO(moved << " keys moved");
  CHECK(moved >= keys * 15 / 100);
  CHECK(moved <= keys * 25 / 100);
}

TEST_CASE("owner's hash never changes: replicas of different versions must agree", "[fleet]") {
  CHECK(fleet::owner("main/tenant_42", 10) == 2);
  CHECK(fleet::owner("orders/globex", 1000) == 608);
  CHECK(fleet::owner("db", 1000) == 121);
}
