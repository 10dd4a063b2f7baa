// check, plan and apply over a fleet (docs/fleet.md): every target's
// reconcile, a summary table, a JSON report, and exit codes for "some
// failed".

#include <spdlog/spdlog.h>

#include <iostream>

#include "commands.hpp"
#include "fleet/instantiate.hpp"
#include "fleet/report.hpp"
#include "fleet/run.hpp"
#include "fleet/shard.hpp"
#include "fleet/targets.hpp"

namespace schemad::cli {

fleet::Shard fleet_shard(const config::Config& config) {
  try {
    return fleet::parse_shard(config.fleet.shard, fleet::host_name());
  } catch (const fleet::ShardError& e) {
    throw config::ConfigError((config.file.empty() ? "" : config.file + ": ") + e.what());
  }
}

void check_fleet_model(const Context& ctx, const schema::Database& model) {
  const std::string& tmpl = ctx.config().fleet.tenant_template;
  if (tmpl.empty()) return;
  try {
    fleet::check_template(model, tmpl);
  } catch (const fleet::TemplateError& e) {
    throw CommandError(ctx.model_name() + ": " + e.what());
  }
}

int run_fleet(const Context& ctx, engine::Mode mode, const FleetOutput& output) {
  const config::Config& config = ctx.config();
  const fleet::Shard shard = fleet_shard(config);
  schema::Database model = ctx.load_model();
  check_fleet_model(ctx, model);
  std::vector<std::string> warnings;
  const fleet::Fleet found = fleet::discover(config, shard, warnings);
  for (const auto& w : warnings) spdlog::warn("{}", w);
  fleet::RunOptions options;
  options.mode = mode;
  options.settings = ctx.settings();
  options.settings.trust_record = !output.full;
  options.settings.trigger = mode == engine::Mode::apply ? "apply" : "check";
  options.fleet = config.fleet;
  options.lock_name = config.lock_name;
  spdlog::info("{} of {} targets ({} databases){}", engine::to_string(mode), found.targets.size(),
               found.databases.size(),
               shard.count > 1
                   ? " as shard " + std::to_string(shard.index) + "/" + std::to_string(shard.count)
                   : "");
  const fleet::Summary summary = fleet::run(found, model, options, util::system_clock());
  if (output.format == "json") {
    std::cout << fleet::to_json(summary).dump(2) << "\n";
  } else {
    std::cout << fleet::table(summary, output.all, output.changes);
    if (!summary.stopped.empty()) std::cout << "stopped early: " << summary.stopped << "\n";
    std::cout << fleet::counts_line(summary) << "\n";
  }
  const auto counts = summary.counts();
  using S = fleet::State;
  if (counts.at(S::failed) + counts.at(S::locked) + counts.at(S::skipped) > 0) return kPartial;
  if (counts.at(S::pending) > 0) return mode == engine::Mode::check ? kPending : kPartial;
  if (output.strict == Strict::all && counts.at(S::drift) > 0) return kDrift;
  if (output.strict == Strict::differs) {
    for (const auto* list : {&summary.shared, &summary.targets}) {
      for (const auto& t : *list) {
        if (contradicts(t.drift_by_class)) return kDrift;
      }
    }
  }
  return kOk;
}

}  // namespace schemad::cli
