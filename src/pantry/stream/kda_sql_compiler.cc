#include "pantry/stream/kda_sql_compiler.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "pantry/stream/kda_sql_parser.h"
#include "pantry/stream/kda_sql_query.h"

namespace pantry::stream::kda {
namespace {

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool Before(SourcePos a, SourcePos b) {
  return a.line < b.line || (a.line == b.line && a.column < b.column);
}

std::string Duration(int64_t micros) {
  struct Unit {
    int64_t micros;
    const char* suffix;
  };
  static constexpr Unit kUnits[] = {
      {86'400'000'000, "d"}, {3'600'000'000, "h"}, {60'000'000, "m"}, {1'000'000, "s"}};
  for (const Unit& u : kUnits) {
    if (micros % u.micros == 0) return std::to_string(micros / u.micros) + u.suffix;
  }
  return std::to_string(micros / 1000) + "ms";
}

std::string SpecName(const std::string& pump) {
  std::string out;
  for (char c : pump) {
    out.push_back(
        std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.' ? c : '_');
  }
  return out.substr(0, 128);
}

bool IsRowtime(const Expr& e) {
  return e.kind == ExprKind::kColumn && e.name == "ROWTIME" && !e.quoted;
}

const Expr* FindRowtime(const Expr& e) {
  if (IsRowtime(e)) return &e;
  for (const ExprPtr& a : e.args) {
    if (const Expr* found = FindRowtime(*a)) return found;
  }
  return nullptr;
}

// STEP(ROWTIME BY INTERVAL ...) or FLOOR(ROWTIME TO unit): a tumbling window.
int64_t RowtimeWindow(const Expr& e) {
  if (e.kind != ExprKind::kCall || e.args.empty() || !IsRowtime(*e.args[0])) return 0;
  if (e.name == "STEP" || e.name == "FLOOR") return e.micros;
  return 0;
}

const Expr* FirstAggregate(const Expr& e) {
  if (e.kind == ExprKind::kCall && IsAggregateName(e.name)) return &e;
  for (const ExprPtr& a : e.args) {
    if (const Expr* found = FirstAggregate(*a)) return found;
  }
  return nullptr;
}

ExprPtr And(ExprPtr a, ExprPtr b) {
  if (a == nullptr) return b;
  if (b == nullptr) return a;
  auto e = std::make_shared<Expr>();
  e->kind = ExprKind::kBinary;
  e->name = "AND";
  e->args = {std::move(a), std::move(b)};
  return e;
}

// A stream written by a pump that only filters and projects: readers see
// its columns as expressions over the input.
struct View {
  const CreateStream* stream = nullptr;
  std::vector<ExprPtr> columns;  // aligned with stream->columns
  ExprPtr filter;
  std::string pump;
  SourcePos pump_pos;
  bool read = false;
};

struct Scope {
  std::string name;
  std::string alias;
  const View* view = nullptr;  // null: the application's input
};

class AppCompiler {
 public:
  AppCompiler(const Application& app, const CompileOptions& o) : app_(app), o_(o) {}

  StatusOr<std::vector<CompiledPump>> Run() {
    RETURN_IF_ERROR(CheckDeclarations());
    std::vector<CompiledPump> out;
    for (const CreatePump& p : app_.pumps) {
      RETURN_IF_ERROR(CompilePump(p, &out));
    }
    for (const auto& [name, view] : views_) {
      if (!view.read) {
        return Err(view.pump_pos, "pump " + view.pump + " only filters or projects rows into " +
                                      name +
                                      ", which no windowed query reads; pantry runs windowed "
                                      "queries (stagger, tumbling, sliding) only");
      }
    }
    if (out.empty()) {
      SourcePos pos = app_.streams.empty() ? SourcePos{} : app_.streams.front().pos;
      return Err(pos, "the application has no pump with a windowed query");
    }
    return out;
  }

 private:
  Status Err(SourcePos pos, const std::string& message) const {
    return SqlError(app_.source, pos, message);
  }

  std::string OutName(const ColumnDef& c) const {
    return !c.quoted && o_.lower_case_names ? Lower(c.name) : c.name;
  }

  Status CheckDeclarations() {
    std::set<std::string> pumps;
    for (const CreateStream& s : app_.streams) {
      if (s.name == o_.source_in_app) {
        return Err(s.pos, s.name + " is the application's input stream; it cannot be created");
      }
      if (!declared_.emplace(s.name, &s).second) {
        return Err(s.pos, "stream " + s.name + " is declared twice");
      }
      std::set<std::string> cols;
      for (const ColumnDef& c : s.columns) {
        if (!cols.insert(c.name).second) {
          return Err(c.pos, "column " + c.name + " appears twice in stream " + s.name);
        }
      }
    }
    for (const CreatePump& p : app_.pumps) {
      if (!pumps.insert(p.name).second) return Err(p.pos, "pump " + p.name + " is declared twice");
    }
    return Status::Ok();
  }

  StatusOr<ExprPtr> Field(const Expr& col) const {
    auto e = std::make_shared<Expr>();
    e->kind = ExprKind::kColumn;
    e->pos = col.pos;
    e->quoted = true;
    if (o_.input_columns.empty()) {
      e->name = col.quoted ? col.name : Lower(col.name);
    } else {
      const InputColumn* found = nullptr;
      int matches = 0;
      for (const InputColumn& c : o_.input_columns) {
        if (c.name == col.name) {
          found = &c;
          matches = 1;
          break;
        }
        if (!col.quoted && Lower(c.name) == Lower(col.name)) {
          found = &c;
          ++matches;
        }
      }
      if (matches != 1) {
        std::string names;
        for (const InputColumn& c : o_.input_columns) names += (names.empty() ? "" : ", ") + c.name;
        return Err(col.pos, "column " + col.name + " is not in the input schema (" + names + ")");
      }
      e->name = found->name;
    }
    e->text = e->name;
    return ExprPtr(e);
  }

  StatusOr<ExprPtr> Resolve(const ExprPtr& e, const Scope& s) const {
    if (e->kind == ExprKind::kColumn) {
      if (!e->qualifier.empty() && e->qualifier != s.name && e->qualifier != s.alias) {
        return Err(e->pos,
                   "unknown stream or alias " + e->qualifier + " (the query reads " + s.name + ")");
      }
      if (e->name == "ROWTIME") {
        auto r = std::make_shared<Expr>();
        r->kind = ExprKind::kColumn;
        r->name = r->text = "ROWTIME";
        r->pos = e->pos;
        return ExprPtr(r);
      }
      if (s.view == nullptr) return Field(*e);
      const auto& cols = s.view->stream->columns;
      for (size_t i = 0; i < cols.size(); ++i) {
        if (cols[i].name == e->name) return s.view->columns[i];
      }
      return Err(e->pos, "stream " + s.name + " has no column " + e->name);
    }
    auto copy = std::make_shared<Expr>(*e);
    for (ExprPtr& a : copy->args) {
      ASSIGN_OR_RETURN(a, Resolve(a, s));
    }
    return ExprPtr(copy);
  }

  StatusOr<Scope> FromScope(const CreatePump& p) {
    const Select& q = p.select;
    Scope scope{q.from, q.from_alias, nullptr};
    if (q.from == o_.source_in_app) return scope;
    auto v = views_.find(q.from);
    if (v != views_.end()) {
      v->second.read = true;
      scope.view = &v->second;
      return scope;
    }
    if (auto a = aggregated_by_.find(q.from); a != aggregated_by_.end()) {
      return Err(q.from_pos, "reading " + q.from + ", the output of windowed pump " + a->second +
                                 ", is not supported: each windowed query must read the input "
                                 "(or filtering pumps over it)");
    }
    if (declared_.count(q.from)) {
      return Err(q.from_pos, "no pump writes into stream " + q.from + " before this pump");
    }
    return Err(q.from_pos, "unknown stream " + q.from + " (the application's input is " +
                               o_.source_in_app + ")");
  }

  // The destination columns the SELECT items go to, in order.
  StatusOr<std::vector<const ColumnDef*>> Targets(const CreatePump& p, const CreateStream& t) {
    std::vector<const ColumnDef*> out;
    if (p.target_columns.empty()) {
      for (const ColumnDef& c : t.columns) out.push_back(&c);
    } else {
      for (const std::string& name : p.target_columns) {
        auto it = std::find_if(t.columns.begin(), t.columns.end(),
                               [&](const ColumnDef& c) { return c.name == name; });
        if (it == t.columns.end()) {
          return Err(p.target_pos, "stream " + t.name + " has no column " + name);
        }
        out.push_back(&*it);
      }
    }
    if (out.size() != p.select.items.size()) {
      return Err(p.select.pos, "the SELECT has " + std::to_string(p.select.items.size()) +
                                   " columns but " + t.name + " takes " +
                                   std::to_string(out.size()) +
                                   " (INSERT matches columns by position)");
    }
    return out;
  }

  StatusOr<ExprPtr> Filter(const CreatePump& p, const Scope& scope) {
    ExprPtr filter;
    if (p.select.where != nullptr) {
      if (const Expr* rowtime = FindRowtime(*p.select.where)) {
        return Err(rowtime->pos, "ROWTIME in WHERE is not supported");
      }
      ASSIGN_OR_RETURN(filter, Resolve(p.select.where, scope));
    }
    return And(scope.view != nullptr ? scope.view->filter : nullptr, filter);
  }

  // A windowed pump adds a spec to `out`; a filtering one defines a view.
  Status CompilePump(const CreatePump& p, std::vector<CompiledPump>* out) {
    auto t = declared_.find(p.target);
    if (p.target == o_.source_in_app) {
      return Err(p.target_pos, "cannot insert into the application's input " + p.target);
    }
    if (t == declared_.end() || !Before(t->second->pos, p.pos)) {
      return Err(p.target_pos, "stream " + p.target +
                                   " is not declared before this pump (CREATE OR REPLACE STREAM " +
                                   p.target + " (...) first)");
    }
    if (views_.count(p.target)) {
      return Err(p.target_pos, "stream " + p.target + " is already written by pump " +
                                   views_[p.target].pump +
                                   "; several pumps into one stream are not supported");
    }
    ASSIGN_OR_RETURN(Scope scope, FromScope(p));
    ASSIGN_OR_RETURN(std::vector<const ColumnDef*> targets, Targets(p, *t->second));
    const Select& q = p.select;
    bool has_agg = false;
    for (const SelectItem& item : q.items) has_agg = has_agg || ContainsAggregate(*item.expr);
    if (!q.stagger && q.group_by.empty() && q.windows.empty() && !has_agg) {
      return CompileView(p, scope, *t->second, targets);
    }
    if (aggregated_by_.count(p.target) == 0) aggregated_by_[p.target] = p.name;
    ASSIGN_OR_RETURN(CompiledPump c, CompileWindowed(p, scope, targets));
    out->push_back(std::move(c));
    return Status::Ok();
  }

  Status CompileView(const CreatePump& p, const Scope& scope, const CreateStream& target,
                     const std::vector<const ColumnDef*>& targets) {
    if (aggregated_by_.count(p.target)) {
      return Err(p.target_pos, "stream " + p.target + " is already written by windowed pump " +
                                   aggregated_by_[p.target]);
    }
    View v;
    v.stream = &target;
    v.pump = p.name;
    v.pump_pos = p.pos;
    auto null = std::make_shared<Expr>();
    v.columns.assign(target.columns.size(), null);
    for (size_t i = 0; i < p.select.items.size(); ++i) {
      ASSIGN_OR_RETURN(ExprPtr e, Resolve(p.select.items[i].expr, scope));
      v.columns[static_cast<size_t>(targets[i] - target.columns.data())] = e;
    }
    ASSIGN_OR_RETURN(v.filter, Filter(p, scope));
    views_[p.target] = std::move(v);
    return Status::Ok();
  }

  struct WindowPlan {
    std::string type;
    std::string over;
    int64_t size = 0;
  };
  Status PlanWindow(const Select& q, const Scope& scope, QueryBuilder* qb, WindowPlan* plan) const;
  OrderedJson SpecJson(const CreatePump& p, const QueryBuilder& qb, const WindowPlan& plan,
                       const ExprPtr& filter) const;
  StatusOr<CompiledPump> CompileWindowed(const CreatePump& p, const Scope& scope,
                                         const std::vector<const ColumnDef*>& targets);

  const Application& app_;
  const CompileOptions& o_;
  std::map<std::string, const CreateStream*> declared_;
  std::map<std::string, View> views_;
  std::map<std::string, std::string> aggregated_by_;  // stream -> first windowed pump
};

// Keys, window type and size of a windowed query; `over` is the window name
// the aggregates of a sliding query must use.
Status AppCompiler::PlanWindow(const Select& q, const Scope& scope, QueryBuilder* qb,
                               WindowPlan* plan) const {
  if (q.stagger) {
    if (!q.group_by.empty()) {
      return Err(q.group_pos, "GROUP BY cannot be combined with WINDOWED BY STAGGER");
    }
    for (const ExprPtr& k : q.stagger_partition) {
      ASSIGN_OR_RETURN(ExprPtr r, Resolve(k, scope));
      RETURN_IF_ERROR(qb->AddKey(r));
    }
    *plan = {"stagger", "", q.stagger_micros};
    return Status::Ok();
  }
  if (!q.group_by.empty()) {
    *plan = {"tumbling", "", 0};
    for (const ExprPtr& g : q.group_by) {
      ASSIGN_OR_RETURN(ExprPtr r, Resolve(g, scope));
      if (int64_t micros = RowtimeWindow(*r); micros > 0) {
        if (plan->size > 0) return Err(g->pos, "GROUP BY has a second ROWTIME window");
        plan->size = micros;
        qb->SetWindowGroup(r);
      } else {
        RETURN_IF_ERROR(qb->AddKey(r));
      }
    }
    if (plan->size == 0) {
      return Err(q.group_pos, "GROUP BY needs a window on ROWTIME: STEP(\"" + o_.source_in_app +
                                  "\".ROWTIME BY INTERVAL 'n' unit) or FLOOR(ROWTIME TO unit)");
    }
    return Status::Ok();
  }
  const Expr* agg = nullptr;
  for (const SelectItem& item : q.items) {
    if (agg == nullptr) agg = FirstAggregate(*item.expr);
  }
  if (agg == nullptr || agg->over.empty()) {
    return Err(agg != nullptr ? agg->pos : q.pos,
               "an aggregate needs a window: WINDOWED BY STAGGER (...), GROUP BY ... "
               "STEP(ROWTIME BY INTERVAL ...), or OVER a WINDOW");
  }
  auto w = std::find_if(q.windows.begin(), q.windows.end(),
                        [&](const WindowDef& d) { return d.name == agg->over; });
  if (w == q.windows.end()) {
    return Err(agg->pos,
               "window " + agg->over + " is not defined (WINDOW " + agg->over + " AS (...))");
  }
  for (const ExprPtr& k : w->partition_by) {
    ASSIGN_OR_RETURN(ExprPtr r, Resolve(k, scope));
    RETURN_IF_ERROR(qb->AddKey(r));
  }
  *plan = {"sliding", w->name, w->range_micros};
  return Status::Ok();
}

OrderedJson AppCompiler::SpecJson(const CreatePump& p, const QueryBuilder& qb,
                                  const WindowPlan& plan, const ExprPtr& filter) const {
  OrderedJson parts = OrderedJson::object();
  qb.WriteJson(&parts);
  OrderedJson j = OrderedJson::object();
  j["name"] = SpecName(p.name);
  j["description"] = "KDA pump " + p.name + ": INSERT INTO " + p.target + " (pantry sql)";
  j["source"] = o_.source_stream;
  j["partition_by"] = parts["partition_by"];
  j["time_basis"] = "arrival";
  j["window"] = {{"type", plan.type}, {"size", Duration(plan.size)}};
  if (plan.type == "sliding") j["window"]["emit"] = "per_event";
  j["aggregations"] = parts["aggregations"];
  if (auto s = o_.sinks.find(p.target); s != o_.sinks.end()) {
    j["sink"] = {{"feature_group", s->second.feature_group}};
    if (!s->second.record_identifier.empty()) {
      j["sink"]["record_identifier"] = s->second.record_identifier;
    }
  }
  if (o_.input_columns.empty()) {
    j["field_case"] = "insensitive";
  } else {
    OrderedJson cols = OrderedJson::object();
    for (const InputColumn& c : o_.input_columns) {
      if (c.sql_type.empty()) {
        cols[c.name] = c.mapping;
      } else {
        cols[c.name] = {{"mapping", c.mapping}, {"type", c.sql_type}};
      }
    }
    j["columns"] = std::move(cols);
  }
  if (parts.contains("computed")) j["computed"] = parts["computed"];
  if (filter != nullptr) j["filter"] = ExprToSql(*filter);
  if (parts.contains("select")) j["select"] = parts["select"];
  return j;
}

StatusOr<CompiledPump> AppCompiler::CompileWindowed(const CreatePump& p, const Scope& scope,
                                                    const std::vector<const ColumnDef*>& targets) {
  std::vector<OutputColumn> outputs;
  for (const ColumnDef* c : targets) outputs.push_back({OutName(*c), c->type.ToString()});
  QueryBuilder qb(app_.source, outputs);
  WindowPlan plan;
  RETURN_IF_ERROR(PlanWindow(p.select, scope, &qb, &plan));
  std::vector<ExprPtr> items;
  std::vector<SourcePos> positions;
  for (const SelectItem& item : p.select.items) {
    ASSIGN_OR_RETURN(ExprPtr r, Resolve(item.expr, scope));
    items.push_back(r);
    positions.push_back(item.pos);
  }
  RETURN_IF_ERROR(qb.AddItems(items, positions, plan.over));
  ASSIGN_OR_RETURN(ExprPtr filter, Filter(p, scope));
  CompiledPump c;
  c.pump = p.name;
  c.destination = p.target;
  c.spec_json = SpecJson(p, qb, plan, filter);
  // The JSON is the spec: parse it back.
  auto json = ParseJson(DumpJson(c.spec_json), "compiled spec");
  if (!json.ok()) return json.status();
  auto spec = WindowSpec::FromJson(*json, "pump " + p.name);
  if (!spec.ok()) return Err(p.pos, spec.status().message());
  c.spec = std::move(*spec);
  return c;
}

}  // namespace

StatusOr<std::vector<CompiledPump>> CompileApplication(const Application& app,
                                                       const CompileOptions& options) {
  return AppCompiler(app, options).Run();
}

StatusOr<std::vector<CompiledPump>> CompileSql(std::string_view sql,
                                               const CompileOptions& options) {
  ASSIGN_OR_RETURN(Application app, ParseApplication(sql));
  return CompileApplication(app, options);
}

}  // namespace pantry::stream::kda
