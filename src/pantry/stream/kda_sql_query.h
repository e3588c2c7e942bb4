// Internal to the KDA SQL compiler: turns one windowed SELECT, whose column
// references are already resolved to input fields, into the parts of a
// window spec (key parts, aggregations, computed columns, projections).
#ifndef PANTRY_STREAM_KDA_SQL_QUERY_H_
#define PANTRY_STREAM_KDA_SQL_QUERY_H_

#include <string>
#include <string_view>
#include <vector>

#include "pantry/common/json.h"
#include "pantry/common/status.h"
#include "pantry/stream/kda_sql_ast.h"

namespace pantry::stream::kda {

// An output column of the query: its name in the destination stream and
// declared type.
struct OutputColumn {
  std::string name;
  std::string type;
};

class QueryBuilder {
 public:
  // `source` is the SQL text (for errors); `outputs` the destination columns,
  // one per SELECT item.
  QueryBuilder(std::string_view source, std::vector<OutputColumn> outputs);

  // A PARTITION BY / GROUP BY expression (not the ROWTIME window).
  Status AddKey(const ExprPtr& key);
  // The GROUP BY expression that defines a tumbling window (it reads as
  // WINDOW_START when selected).
  void SetWindowGroup(const ExprPtr& group) { window_group_ = group; }
  // The SELECT items, resolved; `over` is the window name aggregates must
  // use in a sliding query, empty otherwise.
  Status AddItems(const std::vector<ExprPtr>& items, const std::vector<SourcePos>& positions,
                  const std::string& over);

  // Fills the spec keys "partition_by", "aggregations", "computed" and
  // "select" of `spec`.
  void WriteJson(OrderedJson* spec) const;

 private:
  struct Key {
    ExprPtr expr;
    std::string field;  // input field or computed column
    std::string floor_unit;
    std::string name;  // output name; empty until selected or needed
  };
  struct Agg {
    std::string function;
    std::string field;  // empty for COUNT(*)
    std::string name;
  };
  struct Projection {
    std::string name;
    ExprPtr expr;
    std::string type;
  };

  Status Error(SourcePos pos, const std::string& message) const;
  std::string Hidden(const std::string& prefix);
  std::string Computed(const ExprPtr& e, const std::string& prefix);
  int FindKey(const Expr& e) const;
  StatusOr<std::string> AddAggregate(const Expr& call, const std::string& name, bool* pure);
  StatusOr<ExprPtr> Rewrite(const ExprPtr& e);
  static ExprPtr Ref(const std::string& name);

  std::string_view source_;
  std::vector<OutputColumn> outputs_;
  std::vector<Key> keys_;
  std::vector<Agg> aggs_;
  std::vector<std::pair<std::string, std::string>> computed_;  // name, SQL
  std::vector<Projection> select_;
  bool need_select_ = false;
  ExprPtr window_group_;
  std::string over_;
  int hidden_ = 0;
};

}  // namespace pantry::stream::kda

#endif  // PANTRY_STREAM_KDA_SQL_QUERY_H_
