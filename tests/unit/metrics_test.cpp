#define CATCH_CONFIG_ENABLE_OPTIONAL_STRINGMAKER
#include <catch2/catch.hpp>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <map>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "metrics/metrics.hpp"

using schemad::metrics::Metrics;

namespace {

// A strict reader of the Prometheus text format 0.0.4, enough to check what
// prometheus-cpp writes and to read values back. Throws std::runtime_error
// naming the line on anything malformed.
struct Sample {
  std::string name;
  std::map<std::string, std::string> labels;
  double value = 0;
};

struct Exposition {
  std::map<std::string, std::string> types;  // family -> counter, gauge, ...
  std::map<std::string, std::string> helps;  // family -> help text
  std::vector<Sample> samples;

  std::optional<double> value(const std::string& name,
                              const std::map<std::string, std::string>& labels = {}) const {
    for (const Sample& s : samples) {
      if (s.name == name && s.labels == labels) return s.value;
    }
    return std::nullopt;
  }
};

// [a-zA-Z_:][a-zA-Z0-9_:]* for metric names; labels have no ':'.
bool is_name(const std::string& s, bool colon_allowed) {
  if (s.empty()) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    bool letter =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (colon_allowed && c == ':');
    bool digit = c >= '0' && c <= '9';
    if (!letter && !(digit && i > 0)) return false;
  }
  return true;
}
bool is_metric_name(const std::string& s) {
  return is_name(s, true);
}
bool is_label_name(const std::string& s) {
  return is_name(s, false);
}

[[noreturn]] void fail(std::size_t number, const std::string& line, const std::string& why) {
  throw std::runtime_error("line " + std::to_string(number) + " \"" + line + "\": " + why);
}

double parse_value(const std::string& text, std::size_t number, const std::string& line) {
  if (text.empty()) fail(number, line, "no value");
  errno = 0;
  char* end = nullptr;
  double v = std::strtod(text.c_str(), &end);
  if (*end != '\0' || errno == ERANGE) fail(number, line, "value is not a number: " + text);
  return v;
}

// Reads `{name="value",...}` from line[pos], leaves pos after the '}'.
std::map<std::string, std::string> parse_labels(const std::string& line, std::size_t& pos,
                                                std::size_t number) {
  std::map<std::string, std::string> labels;
  ++pos;  // '{'
  while (pos < line.size() && line[pos] != '}') {
    std::size_t eq = line.find('=', pos);
    if (eq == std::string::npos) fail(number, line, "label without '='");
    std::string name = line.substr(pos, eq - pos);
    if (!is_label_name(name)) fail(number, line, "bad label name " + name);
    pos = eq + 1;
    if (pos >= line.size() || line[pos] != '"') fail(number, line, "label value not quoted");
    ++pos;
    std::string value;
    for (;; ++pos) {
      if (pos >= line.size()) fail(number, line, "unterminated label value");
      char c = line[pos];
      if (c == '"') break;
      if (c == '\\') {
        if (++pos >= line.size()) fail(number, line, "dangling escape");
        char e = line[pos];
        if (e == 'n') {
          value += '\n';
        } else if (e == '\\' || e == '"') {
          value += e;
        } else {
          fail(number, line, "bad escape");
        }
      } else {
        value += c;
      }
    }
    ++pos;  // closing quote
    if (!labels.emplace(name, value).second) fail(number, line, "duplicate label " + name);
    if (pos < line.size() && line[pos] == ',') ++pos;
  }
  if (pos >= line.size()) fail(number, line, "unterminated label set");
  ++pos;  // '}'
  return labels;
}

// The family a sample belongs to: itself, or for histograms and summaries
// the name without its _bucket/_sum/_count suffix.
std::string family_of(const std::string& name, const Exposition& e) {
  if (e.types.count(name)) return name;
  for (const char* suffix : {"_bucket", "_sum", "_count"}) {
    std::string s = suffix;
    if (name.size() > s.size() && name.compare(name.size() - s.size(), s.size(), s) == 0) {
      std::string base = name.substr(0, name.size() - s.size());
      auto type = e.types.find(base);
      if (type != e.types.end() && (type->second == "histogram" || type->second == "summary") &&
          (s != "_bucket" || type->second == "histogram")) {
        return base;
      }
    }
  }
  return "";
}

Exposition parse(const std::string& text) {
  Exposition e;
  if (!text.empty() && text.back() != '\n') throw std::runtime_error("no final newline");
  std::istringstream in(text);
  std::string line;
  std::size_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty()) continue;
    if (line[0] == '#') {
      std::istringstream words(line);
      std::string hash, keyword, name;
      words >> hash >> keyword >> name;
      if (keyword != "HELP" && keyword != "TYPE") continue;  // a plain comment
      if (!is_metric_name(name)) fail(number, line, "bad metric name");
      std::string rest;
      std::getline(words >> std::ws, rest);
      if (keyword == "TYPE") {
        if (rest != "counter" && rest != "gauge" && rest != "histogram" && rest != "summary" &&
            rest != "untyped") {
          fail(number, line, "bad type");
        }
        if (!e.types.emplace(name, rest).second) fail(number, line, "second TYPE");
      } else {
        if (!e.helps.emplace(name, rest).second) fail(number, line, "second HELP");
      }
      continue;
    }
    Sample s;
    std::size_t pos = line.find_first_of("{ ");
    if (pos == std::string::npos) fail(number, line, "no value");
    s.name = line.substr(0, pos);
    if (!is_metric_name(s.name)) fail(number, line, "bad metric name");
    if (line[pos] == '{') s.labels = parse_labels(line, pos, number);
    if (pos >= line.size() || line[pos] != ' ') fail(number, line, "no space before the value");
    std::istringstream fields(line.substr(pos + 1));
    std::string value, timestamp, extra;
    fields >> value >> timestamp >> extra;
    if (!extra.empty()) fail(number, line, "trailing text");
    s.value = parse_value(value, number, line);
    if (!timestamp.empty()) parse_value(timestamp, number, line);
    if (family_of(s.name, e).empty()) fail(number, line, "sample before or without its TYPE");
    e.samples.push_back(std::move(s));
  }
  return e;
}

const char* const kAllNames[] = {
    "schemad_build_info",
    "schemad_reconcile_total",
    "schemad_reconcile_duration_seconds",
    "schemad_changes_applied_total",
    "schemad_pending_changes",
    "schemad_drift_items",
    "schemad_database_up",
    "schemad_last_success_timestamp_seconds",
    "schemad_model_reload_errors_total",
    "schemad_lock_wait_seconds",
};

const char* const kDriftKinds[] = {
    "column_type",
    "column_nullability",
    "column_default",
    "column_identity",
    "extra_table",
    "extra_column",
    "extra_index",
    "index_definition",
    "constraint_definition",
    "constraint_not_valid",
    "invalid_index",
    "enum_extra_value",
    "enum_order",
    "comment",
    "not_applied",
    "column_generated",
    "sequence_definition",
    "function_definition",
    "trigger_definition",
    "policy_definition",
    "policy_weaker",
    "row_security",
    "view_definition",
};

const char* const kChangeKinds[] = {
    "schema",     "extension",    "enum",    "enum_value",       "table",        "column",
    "constraint", "index",        "comment", "sequence",         "function",     "trigger",
    "policy",     "row_security", "view",    "function_replace", "view_replace", "trigger_replace"};

// The label values the daemon declares (service/summary.hpp builds them from
// the enums); spelled out here so that a renamed label fails a test.
schemad::metrics::Labels labels() {
  schemad::metrics::Labels out;
  out.outcomes = {"ok", "pending", "error"};
  out.change_kinds.assign(std::begin(kChangeKinds), std::end(kChangeKinds));
  out.drift_kinds.assign(std::begin(kDriftKinds), std::end(kDriftKinds));
  return out;
}

Metrics make(const std::string& version) {
  return Metrics(version, labels());
}

}  // namespace

TEST_CASE("the test's exposition reader rejects malformed text", "[metrics]") {
  CHECK_NOTHROW(parse("# TYPE a counter\na{x=\"1\"} 2\n"));
  CHECK_THROWS(parse("a 1\n"));                                   // no TYPE
  CHECK_THROWS(parse("# TYPE a counter\na one\n"));               // value not a number
  CHECK_THROWS(parse("# TYPE a counter\na{x=1} 1\n"));            // unquoted label
  CHECK_THROWS(parse("# TYPE 1a counter\n"));                     // bad name
  CHECK_THROWS(parse("# TYPE a counter\na{x=\"1\" 1\n"));         // unterminated
  CHECK_THROWS(parse("# TYPE a gauge\na_bucket{le=\"1\"} 1\n"));  // _bucket of a gauge
  CHECK_THROWS(parse("# TYPE a counter\na 1"));                   // no final newline
  CHECK_THROWS(parse("# TYPE a-b counter\n"));                    // bad name
  CHECK_THROWS(parse("# TYPE a counter\na{a:b=\"1\"} 1\n"));      // ':' in a label name
  CHECK_THROWS(parse("# TYPE a counts\n"));                       // bad type
  CHECK_THROWS(parse("# TYPE a counter\n# TYPE a counter\n"));    // TYPE twice
}

TEST_CASE("the exposition has HELP and TYPE for every metric and parses as text format",
          "[metrics]") {
  Metrics m = make("1.2.3");
  std::string text = m.text();
  INFO(text);
  Exposition e = parse(text);
  for (const char* name : kAllNames) {
    INFO(name);
    CHECK(e.types.count(name) == 1);
    CHECK(e.helps.count(name) == 1);
  }
  CHECK(e.types["schemad_reconcile_total"] == "counter");
  CHECK(e.types["schemad_reconcile_duration_seconds"] == "histogram");
  CHECK(e.types["schemad_drift_items"] == "gauge");
  CHECK(e.types["schemad_lock_wait_seconds"] == "histogram");
  CHECK(e.value("schemad_build_info", {{"version", "1.2.3"}}) == 1.0);
}

TEST_CASE("every outcome, change kind and drift kind is exported at 0 from the start",
          "[metrics]") {
  Metrics m = make("dev");
  Exposition e = parse(m.text());
  for (const char* outcome : {"ok", "pending", "error"}) {
    INFO(outcome);
    CHECK(e.value("schemad_reconcile_total", {{"outcome", outcome}}) == 0.0);
  }
  for (const char* kind : kChangeKinds) {
    INFO(kind);
    CHECK(e.value("schemad_changes_applied_total", {{"kind", kind}}) == 0.0);
  }
  for (const char* kind : kDriftKinds) {
    INFO(kind);
    CHECK(e.value("schemad_drift_items", {{"kind", kind}}) == 0.0);
  }
  CHECK(e.value("schemad_database_up") == 0.0);
  CHECK(e.value("schemad_last_success_timestamp_seconds") == 0.0);
  CHECK(e.value("schemad_reconcile_duration_seconds_count") == 0.0);
}

TEST_CASE("a reconcile counts its outcome, duration, applied changes, pending and drift",
          "[metrics]") {
  Metrics m = make("dev");
  m.record_reconcile("ok", 0.02, {{"table", 3}, {"column", 1}, {"index", 0}}, 0,
                     {{"extra_column", 2}});
  m.record_reconcile("pending", 1.5, {{"table", 1}}, 4, {{"extra_column", 1}});
  m.record_reconcile("ok", 0.003, {}, 0, {});
  Exposition e = parse(m.text());
  CHECK(e.value("schemad_reconcile_total", {{"outcome", "ok"}}) == 2.0);
  CHECK(e.value("schemad_reconcile_total", {{"outcome", "pending"}}) == 1.0);
  CHECK(e.value("schemad_reconcile_total", {{"outcome", "error"}}) == 0.0);
  CHECK(e.value("schemad_changes_applied_total", {{"kind", "table"}}) == 4.0);
  CHECK(e.value("schemad_changes_applied_total", {{"kind", "column"}}) == 1.0);
  CHECK(e.value("schemad_changes_applied_total", {{"kind", "index"}}) == 0.0);
  CHECK(e.value("schemad_pending_changes") == 0.0);

  CHECK(e.value("schemad_reconcile_duration_seconds_count") == 3.0);
  CHECK(e.value("schemad_reconcile_duration_seconds_sum") == Approx(1.523));
  CHECK(e.value("schemad_reconcile_duration_seconds_bucket", {{"le", "0.005"}}) == 1.0);
  CHECK(e.value("schemad_reconcile_duration_seconds_bucket", {{"le", "0.025"}}) == 2.0);
  CHECK(e.value("schemad_reconcile_duration_seconds_bucket", {{"le", "60"}}) == 3.0);
  CHECK(e.value("schemad_reconcile_duration_seconds_bucket", {{"le", "+Inf"}}) == 3.0);
}

TEST_CASE("drift kinds absent from the last reconcile go back to 0, new kinds included",
          "[metrics]") {
  Metrics m = make("dev");
  m.record_reconcile("ok", 0.01, {}, 0,
                     {{"column_type", 2}, {"extra_table", 1}, {"some_future_kind", 5}});
  Exposition first = parse(m.text());
  CHECK(first.value("schemad_drift_items", {{"kind", "column_type"}}) == 2.0);
  CHECK(first.value("schemad_drift_items", {{"kind", "extra_table"}}) == 1.0);
  CHECK(first.value("schemad_drift_items", {{"kind", "some_future_kind"}}) == 5.0);

  m.record_reconcile("error", 0.01, {}, 7, {{"extra_table", 3}});
  Exposition second = parse(m.text());
  CHECK(second.value("schemad_drift_items", {{"kind", "column_type"}}) == 0.0);
  CHECK(second.value("schemad_drift_items", {{"kind", "extra_table"}}) == 3.0);
  CHECK(second.value("schemad_drift_items", {{"kind", "some_future_kind"}}) == 0.0);
  CHECK(second.value("schemad_pending_changes") == 7.0);
  CHECK(second.value("schemad_reconcile_total", {{"outcome", "error"}}) == 1.0);
}

TEST_CASE("database state, last success, reload errors and lock waits are exported", "[metrics]") {
  Metrics m = make("dev");
  m.set_database_up(true);
  m.set_last_success(std::chrono::system_clock::time_point(std::chrono::seconds(1700000000)));
  m.count_model_reload_error();
  m.count_model_reload_error();
  m.observe_lock_wait(0.002);
  m.observe_lock_wait(45);
  Exposition e = parse(m.text());
  CHECK(e.value("schemad_database_up") == 1.0);
  CHECK(e.value("schemad_last_success_timestamp_seconds") == 1700000000.0);
  CHECK(e.value("schemad_model_reload_errors_total") == 2.0);
  CHECK(e.value("schemad_lock_wait_seconds_count") == 2.0);
  CHECK(e.value("schemad_lock_wait_seconds_bucket", {{"le", "0.005"}}) == 1.0);
  CHECK(e.value("schemad_lock_wait_seconds_bucket", {{"le", "30"}}) == 1.0);
  CHECK(e.value("schemad_lock_wait_seconds_bucket", {{"le", "60"}}) == 2.0);

  m.set_database_up(false);
  CHECK(parse(m.text()).value("schemad_database_up") == 0.0);
}

TEST_CASE("drift classes and the stamp's decision are set by each reconcile", "[metrics]") {
  schemad::metrics::Labels labels;
  labels.drift_classes = {"ahead", "differs", "weaker"};
  labels.stamp_actions = {"none", "insert", "leave_newer"};
  Metrics m("dev", labels);
  Exposition start = parse(m.text());
  CHECK(start.value("schemad_drift_class_items", {{"class", "weaker"}}) == 0.0);
  CHECK(start.value("schemad_stamp_action", {{"action", "none"}}) == 0.0);
  m.record_reconcile("ok", 0.01, {}, 0, {}, {{"ahead", 3}, {"differs", 1}}, "leave_newer");
  Exposition first = parse(m.text());
  CHECK(first.value("schemad_drift_class_items", {{"class", "ahead"}}) == 3.0);
  CHECK(first.value("schemad_drift_class_items", {{"class", "differs"}}) == 1.0);
  CHECK(first.value("schemad_drift_class_items", {{"class", "weaker"}}) == 0.0);
  CHECK(first.value("schemad_stamp_action", {{"action", "leave_newer"}}) == 1.0);
  CHECK(first.value("schemad_stamp_action", {{"action", "none"}}) == 0.0);
  // An error before any decision: no action is 1, the classes go back to 0.
  m.record_reconcile("error", 0.01, {}, 0, {}, {}, "");
  Exposition second = parse(m.text());
  CHECK(second.value("schemad_drift_class_items", {{"class", "ahead"}}) == 0.0);
  CHECK(second.value("schemad_stamp_action", {{"action", "leave_newer"}}) == 0.0);
}

TEST_CASE("readiness, a lock wait and a running step are what the last scrape set", "[metrics]") {
  Metrics m = make("dev");
  Exposition start = parse(m.text());
  CHECK(start.value("schemad_ready") == 0.0);
  CHECK(start.value("schemad_lock_waiting_seconds") == 0.0);
  CHECK(start.value("schemad_step_running_seconds") == 0.0);
  m.set_current(true, 2.5, 61);
  Exposition e = parse(m.text());
  CHECK(e.value("schemad_ready") == 1.0);
  CHECK(e.value("schemad_lock_waiting_seconds") == 2.5);
  CHECK(e.value("schemad_step_running_seconds") == 61.0);
}

TEST_CASE("label values are escaped by the serializer", "[metrics]") {
  Metrics m = make("1.0 \"quoted\" back\\slash\nnewline");
  Exposition e = parse(m.text());
  CHECK(e.value("schemad_build_info", {{"version", "1.0 \"quoted\" back\\slash\nnewline"}}) == 1.0);
}

TEST_CASE("concurrent reconciles and scrapes neither lose counts nor tear the text", "[metrics]") {
  Metrics m = make("dev");
  constexpr int kPerThread = 500;
  std::vector<std::thread> writers;
  for (int t = 0; t < 4; ++t) {
    writers.emplace_back([&m] {
      for (int i = 0; i < kPerThread; ++i) {
        m.record_reconcile("ok", 0.01, {{"column", 1}}, 0, {{"extra_index", i % 3}});
        m.observe_lock_wait(0.001);
      }
    });
  }
  for (int i = 0; i < 50; ++i) CHECK_NOTHROW(parse(m.text()));
  for (std::thread& w : writers) w.join();
  Exposition e = parse(m.text());
  CHECK(e.value("schemad_reconcile_total", {{"outcome", "ok"}}) == 4.0 * kPerThread);
  CHECK(e.value("schemad_changes_applied_total", {{"kind", "column"}}) == 4.0 * kPerThread);
  CHECK(e.value("schemad_lock_wait_seconds_count") == 4.0 * kPerThread);
}
