// catalog::inspect reads one snapshot: DDL committed by another session
// between its queries shows in none of them.

#include <stdio.h>  // fopencookie (glibc)

#include <catch2/catch.hpp>
#include <exception>
#include <functional>
#include <pqxx/pqxx>
#include <string>

#include "catalog/inspect.hpp"
#include "integration/catalog_support.hpp"
#include "support/pg.hpp"

using namespace schemad;
using test::table;
using test::TempDatabase;

namespace {

// A libpq trace sink (PQtrace through a glibc cookie stream) that runs
// `action` once, when the client builds its second Parse message: after the
// first catalog query has run and before the next one reaches the server.
// The interleaving is exact, no sleeps or timing involved.
class SecondQueryHook {
 public:
  explicit SecondQueryHook(std::function<void()> action) : action_(std::move(action)) {
    cookie_io_functions_t io{};
    io.write = &SecondQueryHook::write;
    stream_ = fopencookie(this, "w", io);
    if (stream_ != nullptr) setvbuf(stream_, nullptr, _IONBF, 0);
  }
  ~SecondQueryHook() {
    if (stream_ != nullptr) fclose(stream_);
  }
  SecondQueryHook(const SecondQueryHook&) = delete;
  SecondQueryHook& operator=(const SecondQueryHook&) = delete;

  FILE* stream() const { return stream_; }
  bool fired() const { return fired_; }
  // An exception thrown by the action, kept until libpq is out of the way.
  void rethrow() const {
    if (error_) std::rethrow_exception(error_);
  }

 private:
  static ssize_t write(void* cookie, const char* data, size_t size) {
    auto* self = static_cast<SecondQueryHook*>(cookie);
    self->seen_.append(data, size);
    self->check();
    return static_cast<ssize_t>(size);
  }

  void check() {
    if (fired_) return;
    const std::string marker = "\tParse\t";
    for (auto pos = seen_.find(marker, scanned_); pos != std::string::npos;
         pos = seen_.find(marker, scanned_)) {
      scanned_ = pos + marker.size();
      if (++parses_ == 2) {
        fired_ = true;
        try {
          action_();
        } catch (...) {
          error_ = std::current_exception();
        }
        return;
      }
    }
  }

  std::function<void()> action_;
  FILE* stream_ = nullptr;
  std::string seen_;
  std::size_t scanned_ = 0;
  int parses_ = 0;
  bool fired_ = false;
  std::exception_ptr error_;
};

}  // namespace

TEST_CASE("a change committed while inspection runs shows in none of its queries",
          "[pg][catalog]") {
  TempDatabase db;
  db.exec(R"SQL(
    CREATE TABLE public.t (id bigint PRIMARY KEY, name text);
  )SQL");

  SecondQueryHook hook([&db] {
    pqxx::connection other(db.url());
    pqxx::nontransaction tx(other);
    // Fail rather than hang should inspection ever hold a lock these need.
    tx.exec0("SET lock_timeout = '5s'");
    tx.exec(R"SQL(
      ALTER TABLE public.t ADD COLUMN late integer;
      ALTER TABLE public.t ADD CONSTRAINT ck_late CHECK (id > 0);
      ALTER TABLE public.t ADD CONSTRAINT uq_late UNIQUE (name);
      CREATE INDEX ix_late ON public.t (name);
      COMMENT ON TABLE public.t IS 'late';
      CREATE TABLE public.late_table (id integer);
    )SQL");
  });
  REQUIRE(hook.stream() != nullptr);

  schema::Database inspected;
  {
    pqxx::connection conn(db.url());
    conn.trace(hook.stream());
    inspected = catalog::inspect(conn, {"public"});
    conn.trace(nullptr);
  }
  hook.rethrow();
  REQUIRE(hook.fired());

  const auto& t = table(inspected, "public", "t");
  CHECK(test::column_names(t) == std::vector<std::string>{"id", "name"});
  CHECK(test::constraint_names(t) == std::vector<std::string>{"t_pkey"});
  CHECK(test::index_names(t) == std::vector<std::string>{"t_pkey"});
  CHECK_FALSE(t.comment.has_value());
  CHECK(inspected.table({"public", "late_table"}) == nullptr);

  // The change did happen, and a later inspection sees all of it.
  const auto later = test::inspect(db, {"public"});
  const auto& t2 = table(later, "public", "t");
  CHECK(test::column_names(t2) == std::vector<std::string>{"id", "name", "late"});
  CHECK(test::constraint_names(t2) == std::vector<std::string>{"t_pkey", "ck_late", "uq_late"});
  CHECK(test::index_names(t2) == std::vector<std::string>{"ix_late", "t_pkey", "uq_late"});
  CHECK(t2.comment == std::optional<std::string>("late"));
  CHECK(later.table({"public", "late_table"}) != nullptr);
}
