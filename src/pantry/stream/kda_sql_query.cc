#include "pantry/stream/kda_sql_query.h"

#include <algorithm>
#include <cctype>

namespace pantry::stream::kda {
namespace {

bool IsRowtime(const Expr& e) {
  return e.kind == ExprKind::kColumn && e.name == "ROWTIME" && !e.quoted;
}

bool UsesRowtime(const Expr& e) {
  if (IsRowtime(e)) return true;
  return std::any_of(e.args.begin(), e.args.end(),
                     [](const ExprPtr& a) { return UsesRowtime(*a); });
}

bool IsAggregateCall(const Expr& e) { return e.kind == ExprKind::kCall && IsAggregateName(e.name); }

// Names the plain spec syntax ("field AS name") can carry.
bool PlainName(const std::string& s) {
  return !s.empty() && s.size() <= 128 && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
  });
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string UnitName(int64_t micros) {
  switch (micros) {
    case 1'000'000:
      return "SECOND";
    case 60'000'000:
      return "MINUTE";
    case 3'600'000'000:
      return "HOUR";
    default:
      return "DAY";
  }
}

}  // namespace

QueryBuilder::QueryBuilder(std::string_view source, std::vector<OutputColumn> outputs)
    : source_(source), outputs_(std::move(outputs)) {}

Status QueryBuilder::Error(SourcePos pos, const std::string& message) const {
  return SqlError(source_, pos, message);
}

ExprPtr QueryBuilder::Ref(const std::string& name) {
  auto e = std::make_shared<Expr>();
  e->kind = ExprKind::kColumn;
  e->name = name;
  e->text = name;
  const bool special = name == "ROWTIME" || name == "WINDOW_START" || name == "WINDOW_END";
  e->quoted = !special;
  return e;
}

std::string QueryBuilder::Hidden(const std::string& prefix) {
  while (true) {
    std::string name = "_" + prefix + std::to_string(++hidden_);
    auto taken = [&](const std::string& n) {
      return std::any_of(outputs_.begin(), outputs_.end(),
                         [&](const OutputColumn& o) { return o.name == n; }) ||
             std::any_of(keys_.begin(), keys_.end(), [&](const Key& k) { return k.name == n; }) ||
             std::any_of(aggs_.begin(), aggs_.end(), [&](const Agg& a) { return a.name == n; }) ||
             std::any_of(computed_.begin(), computed_.end(),
                         [&](const auto& c) { return c.first == n; });
    };
    if (!taken(name)) return name;
  }
}

std::string QueryBuilder::Computed(const ExprPtr& e, const std::string& prefix) {
  const std::string sql = ExprToSql(*e);
  for (const auto& [name, existing] : computed_) {
    if (existing == sql) return name;
  }
  std::string name = Hidden(prefix);
  computed_.emplace_back(name, sql);
  return name;
}

int QueryBuilder::FindKey(const Expr& e) const {
  for (size_t i = 0; i < keys_.size(); ++i) {
    if (SameExpr(*keys_[i].expr, e)) return static_cast<int>(i);
  }
  return -1;
}

Status QueryBuilder::AddKey(const ExprPtr& key) {
  if (UsesRowtime(*key)) {
    return Error(key->pos, "ROWTIME cannot be a partition key here (the window is on ROWTIME)");
  }
  if (FindKey(*key) >= 0) return Status::Ok();
  Key k;
  k.expr = key;
  if (key->kind == ExprKind::kColumn) {
    k.field = key->name;
  } else if (key->kind == ExprKind::kCall && key->name == "FLOOR" && key->micros > 0 &&
             key->args[0]->kind == ExprKind::kColumn) {
    k.field = key->args[0]->name;
    k.floor_unit = UnitName(key->micros);
  } else {
    k.field = Computed(key, "key");
  }
  keys_.push_back(std::move(k));
  return Status::Ok();
}

StatusOr<std::string> QueryBuilder::AddAggregate(const Expr& call, const std::string& name,
                                                 bool* pure) {
  if (over_.empty() && !call.over.empty()) {
    return Error(call.pos, "OVER cannot be combined with GROUP BY or WINDOWED BY");
  }
  if (!over_.empty() && call.over.empty()) {
    return Error(call.pos, call.name + " needs OVER " + over_ +
                               ": a query with a WINDOW mixes no other aggregates");
  }
  if (!over_.empty() && call.over != over_) {
    return Error(call.pos, "several windows in one query (" + over_ + " and " + call.over +
                               ") are not supported");
  }
  *pure = true;
  Agg agg{Lower(call.name), "", name};
  if (!call.star) {
    const ExprPtr& arg = call.args[0];
    if (UsesRowtime(*arg)) return Error(arg->pos, "aggregating ROWTIME is not supported");
    if (call.name == "COUNT") {
      const bool never_null = FindKey(*arg) >= 0 || arg->kind == ExprKind::kNumber ||
                              arg->kind == ExprKind::kString || arg->kind == ExprKind::kBool;
      if (!never_null) {
        // COUNT(x) counts the rows where x is not NULL.
        auto is_set = std::make_shared<Expr>();
        is_set->kind = ExprKind::kIsNull;
        is_set->negated = true;
        is_set->args = {arg};
        auto as_int = std::make_shared<Expr>();
        as_int->kind = ExprKind::kCast;
        as_int->type.name = "INTEGER";
        as_int->args = {is_set};
        agg.function = "sum";
        agg.field = Computed(as_int, "in");
        *pure = false;
      }
    } else {
      agg.field = arg->kind == ExprKind::kColumn ? arg->name : Computed(arg, "in");
    }
  }
  aggs_.push_back(std::move(agg));
  return name;
}

StatusOr<ExprPtr> QueryBuilder::Rewrite(const ExprPtr& e) {
  if (window_group_ != nullptr && SameExpr(*e, *window_group_)) return Ref("WINDOW_START");
  if (int k = FindKey(*e); k >= 0) {
    if (keys_[k].name.empty()) keys_[k].name = Hidden("k");
    return Ref(keys_[k].name);
  }
  if (IsRowtime(*e)) return Ref("ROWTIME");
  if (IsAggregateCall(*e)) {
    bool pure = true;
    ASSIGN_OR_RETURN(std::string name, AddAggregate(*e, Hidden("a"), &pure));
    if (pure) return Ref(name);
    auto cast = std::make_shared<Expr>();
    cast->kind = ExprKind::kCast;
    cast->type.name = "BIGINT";
    cast->args = {Ref(name)};
    return ExprPtr(cast);
  }
  if (e->kind == ExprKind::kColumn) {
    return Error(e->pos,
                 "column " + e->text + " must be in " +
                     (over_.empty() ? "GROUP BY / PARTITION BY" : "the window's PARTITION BY") +
                     " or inside an aggregate");
  }
  auto copy = std::make_shared<Expr>(*e);
  for (ExprPtr& a : copy->args) {
    ASSIGN_OR_RETURN(a, Rewrite(a));
  }
  return ExprPtr(copy);
}

Status QueryBuilder::AddItems(const std::vector<ExprPtr>& items,
                              const std::vector<SourcePos>& positions, const std::string& over) {
  over_ = over;
  std::vector<int> key_item(keys_.size(), -1);
  for (size_t i = 0; i < items.size(); ++i) {
    const ExprPtr& e = items[i];
    const OutputColumn& out = outputs_[i];
    if (!PlainName(out.name)) {
      return Error(positions[i], "output column name '" + out.name +
                                     "' must be letters, digits, '_', '-' or '.'");
    }
    Projection p{out.name, nullptr, out.type};
    const int k = FindKey(*e);
    if (k >= 0 && keys_[k].name.empty() &&
        !(window_group_ != nullptr && SameExpr(*e, *window_group_))) {
      keys_[k].name = out.name;
      key_item[k] = static_cast<int>(i);
      p.expr = Ref(out.name);
    } else if (IsAggregateCall(*e) && k < 0) {
      bool pure = true;
      ASSIGN_OR_RETURN(std::string name, AddAggregate(*e, out.name, &pure));
      p.expr = Ref(name);
      if (!pure) {
        auto cast = std::make_shared<Expr>();
        cast->kind = ExprKind::kCast;
        cast->type.name = "BIGINT";
        cast->args = {Ref(name)};
        p.expr = cast;
        need_select_ = true;
      }
    } else {
      ASSIGN_OR_RETURN(p.expr, Rewrite(e));
      need_select_ = true;
    }
    select_.push_back(std::move(p));
  }
  for (size_t k = 0; k < keys_.size(); ++k) {
    if (keys_[k].name.empty()) {
      keys_[k].name = Hidden("k");
      need_select_ = true;
    }
  }
  if (aggs_.empty()) {
    aggs_.push_back({"count", "", Hidden("n")});
    need_select_ = true;
  }
  {
    // Order the key parts as the SELECT does (plain rows list them first;
    // the first selected key is the default record identifier).
    for (int& item : key_item) {
      if (item < 0) item = static_cast<int>(items.size());
    }
    std::vector<size_t> order(keys_.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return key_item[a] < key_item[b]; });
    std::vector<Key> sorted;
    for (size_t i : order) sorted.push_back(keys_[i]);
    keys_ = std::move(sorted);
  }
  return Status::Ok();
}

void QueryBuilder::WriteJson(OrderedJson* spec) const {
  OrderedJson parts = OrderedJson::array();
  for (const Key& k : keys_) {
    if (PlainName(k.field) && PlainName(k.name)) {
      std::string text =
          k.floor_unit.empty() ? k.field : "FLOOR(" + k.field + " TO " + k.floor_unit + ")";
      if (k.name != k.field || !k.floor_unit.empty()) text += " AS " + k.name;
      parts.push_back(text);
    } else {
      OrderedJson o = {{"field", k.field}};
      if (!k.floor_unit.empty()) o["floor"] = k.floor_unit;
      o["as"] = k.name;
      parts.push_back(std::move(o));
    }
  }
  (*spec)["partition_by"] = std::move(parts);
  OrderedJson aggs = OrderedJson::array();
  for (const Agg& a : aggs_) {
    std::string fn = a.function;
    for (char& c : fn) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (a.field.empty() || PlainName(a.field)) {
      aggs.push_back(fn + "(" + (a.field.empty() ? "*" : a.field) + ") AS " + a.name);
    } else {
      aggs.push_back({{"function", a.function}, {"field", a.field}, {"as", a.name}});
    }
  }
  (*spec)["aggregations"] = std::move(aggs);
  if (!computed_.empty()) {
    OrderedJson list = OrderedJson::array();
    for (const auto& [name, sql] : computed_) list.push_back(sql + " AS " + ExprToSql(*Ref(name)));
    (*spec)["computed"] = std::move(list);
  }
  if (need_select_) {
    OrderedJson list = OrderedJson::array();
    for (const Projection& p : select_) {
      OrderedJson o = {{"expr", ExprToSql(*p.expr)}, {"as", p.name}};
      if (!p.type.empty()) o["type"] = p.type;
      list.push_back(std::move(o));
    }
    (*spec)["select"] = std::move(list);
  }
}

}  // namespace pantry::stream::kda
