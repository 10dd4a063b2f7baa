#include "alembic/graph.hpp"

#include <algorithm>
#include <deque>

namespace schemad::alembic {

RevisionGraph::RevisionGraph(std::vector<Revision> revisions) : revisions_(std::move(revisions)) {
  for (std::size_t i = 0; i < revisions_.size(); ++i) {
    auto [it, inserted] = index_.emplace(revisions_[i].id, i);
    if (!inserted) {
      throw AlembicError("duplicate revision " + revisions_[i].id + ": " +
                         revisions_[it->second].file + " and " + revisions_[i].file);
    }
  }
  parents_.resize(revisions_.size());
  child_count_.assign(revisions_.size(), 0);
  for (std::size_t i = 0; i < revisions_.size(); ++i) {
    for (const auto& p : revisions_[i].parents) {
      auto it = index_.find(p);
      if (it == index_.end()) {
        throw AlembicError("missing parent " + p + " of " + revisions_[i].id + " (" +
                           revisions_[i].file + ")");
      }
      auto& mine = parents_[i];
      if (std::find(mine.begin(), mine.end(), it->second) == mine.end()) {
        mine.push_back(it->second);
        ++child_count_[it->second];
      }
    }
  }
  check_cycles();
  for (std::size_t i = 0; i < revisions_.size(); ++i) {
    if (child_count_[i] == 0) heads_.push_back(revisions_[i].id);
  }
  std::sort(heads_.begin(), heads_.end());
}

// Kahn's algorithm from the bases: what never becomes ready lies on a cycle
// or descends from one. From such a revision, some parent is also left over,
// so walking up through left-over parents must come back to a revision it
// met: that stretch is a cycle.
void RevisionGraph::check_cycles() const {
  const std::size_t n = revisions_.size();
  std::vector<std::size_t> waiting(n);
  std::vector<std::vector<std::size_t>> children(n);
  std::deque<std::size_t> ready;
  for (std::size_t i = 0; i < n; ++i) {
    waiting[i] = parents_[i].size();
    for (auto p : parents_[i]) children[p].push_back(i);
    if (waiting[i] == 0) ready.push_back(i);
  }
  for (; !ready.empty(); ready.pop_front()) {
    for (auto c : children[ready.front()]) {
      if (--waiting[c] == 0) ready.push_back(c);
    }
  }
  auto left = std::find_if(waiting.begin(), waiting.end(), [](std::size_t w) { return w > 0; });
  if (left == waiting.end()) return;

  std::vector<std::size_t> path{static_cast<std::size_t>(left - waiting.begin())};
  for (;;) {
    const auto& ps = parents_[path.back()];
    auto next = *std::find_if(ps.begin(), ps.end(), [&](std::size_t p) { return waiting[p] > 0; });
    auto seen = std::find(path.begin(), path.end(), next);
    if (seen != path.end()) {
      path.erase(path.begin(), seen);
      break;
    }
    path.push_back(next);
  }
  // Start at the smallest id, so the message does not depend on file order.
  auto smallest = std::min_element(path.begin(), path.end(), [&](std::size_t a, std::size_t b) {
    return revisions_[a].id < revisions_[b].id;
  });
  std::rotate(path.begin(), smallest, path.end());
  std::string text;
  for (auto i : path) text += revisions_[i].id + " -> ";
  throw AlembicError("cycle in revisions: " + text + revisions_[path.front()].id);
}

const std::string& RevisionGraph::single_head() const {
  if (heads_.empty()) throw AlembicError("no revisions, so no head");
  if (heads_.size() > 1) {
    std::string names;
    for (const auto& h : heads_) names += (names.empty() ? "" : ", ") + h;
    throw AlembicError("several heads: " + names + "; merge them with `alembic merge`");
  }
  return heads_.front();
}

bool RevisionGraph::is_ancestor(const std::string& ancestor, const std::string& of) const {
  auto a = index_.find(ancestor);
  auto o = index_.find(of);
  if (a == index_.end() || o == index_.end()) return false;
  std::vector<bool> seen(revisions_.size(), false);
  std::vector<std::size_t> todo(parents_[o->second]);
  while (!todo.empty()) {
    std::size_t i = todo.back();
    todo.pop_back();
    if (i == a->second) return true;
    if (seen[i]) continue;
    seen[i] = true;
    todo.insert(todo.end(), parents_[i].begin(), parents_[i].end());
  }
  return false;
}

bool RevisionGraph::is_branch_point(const std::string& id) const {
  auto it = index_.find(id);
  return it != index_.end() && child_count_[it->second] > 1;
}

bool RevisionGraph::is_merge_point(const std::string& id) const {
  auto it = index_.find(id);
  return it != index_.end() && parents_[it->second].size() > 1;
}

bool RevisionGraph::is_head(const std::string& id) const {
  auto it = index_.find(id);
  return it != index_.end() && child_count_[it->second] == 0;
}

const Revision& RevisionGraph::revision(const std::string& id) const {
  auto it = index_.find(id);
  if (it == index_.end()) throw AlembicError("unknown revision " + id);
  return revisions_[it->second];
}

RevisionGraph load_graph(const std::string& dir) {
  try {
    return RevisionGraph(read_versions_dir(dir));
  } catch (const AlembicError& e) {
    throw AlembicError("alembic.versions_dir " + dir + ": " + e.what());
  }
}

}  // namespace schemad::alembic
