#pragma once

// The graph of an Alembic project's revisions: each revision points to its
// down revisions (parents); a merge has several, a base none. depends_on is
// not part of it, as in Alembic, where it does not decide the heads.

#include <cstddef>
#include <string>
#include <unordered_map>
#include <vector>

#include "alembic/versions.hpp"

namespace schemad::alembic {

class RevisionGraph {
 public:
  // Checks the revisions as a whole; throws AlembicError on
  //  - an id used twice: "duplicate revision a1: versions/x.py and versions/y.py";
  //  - a parent no revision has: "missing parent X of Y (versions/y.py)";
  //  - a cycle: "cycle in revisions: a1 -> b2 -> a1" (each arrow points to a
  //    parent; a revision that names itself is a cycle of one).
  // A parent named twice by one revision counts once. An empty list is a
  // valid, empty graph.
  explicit RevisionGraph(std::vector<Revision> revisions);

  // Revisions that no revision names as a parent, sorted; what `alembic
  // heads` lists. Empty only for an empty graph.
  const std::vector<std::string>& heads() const { return heads_; }

  // The only head. Throws AlembicError when there are several ("several
  // heads: a1, b2; merge them with `alembic merge`") or none (no revisions).
  const std::string& single_head() const;

  bool knows(const std::string& id) const { return index_.count(id) != 0; }

  // Alembic's tree indicators: a branch point is the parent of several
  // revisions, a merge point has several parents. False for unknown ids.
  bool is_branch_point(const std::string& id) const;
  bool is_merge_point(const std::string& id) const;
  bool is_head(const std::string& id) const;

  // True when `ancestor` is reachable from `of` through parents (any of a
  // merge's), never when they are the same revision. False when either id is
  // unknown.
  bool is_ancestor(const std::string& ancestor, const std::string& of) const;

  // The revision with `id`; throws AlembicError when the graph does not know it.
  const Revision& revision(const std::string& id) const;

  // All revisions, in the order given to the constructor.
  const std::vector<Revision>& revisions() const { return revisions_; }

 private:
  void check_cycles() const;

  std::vector<Revision> revisions_;
  std::unordered_map<std::string, std::size_t> index_;  // id -> position in revisions_
  std::vector<std::vector<std::size_t>> parents_;       // positions, without repeats
  std::vector<std::size_t> child_count_;                // how many revisions name each as a parent
  std::vector<std::string> heads_;
};

// The graph of the versions folder `dir` (read_versions_dir, then the
// graph's checks). Throws AlembicError whose message starts with
// "alembic.versions_dir <dir>: ".
RevisionGraph load_graph(const std::string& dir);

}  // namespace schemad::alembic
