#include "pantry/datagen/hidden_model.h"

#include <gtest/gtest.h>

#include "pantry/datagen/catalog.h"

namespace pantry::datagen {
namespace {

// Products P1..P20 take each category once, in Categories() order.
int64_t ProductOfCategory(std::string_view name) { return CategoryIndex(name); }

TEST(HiddenModelTest, LiveTermFollowsTheBrowsedHealth) {
  const HiddenModel model(42, 100);
  const CustomerParams c = model.Customer(3);
  const int64_t candy = ProductOfCategory("candy_chocolate");  // health 0.1
  const int64_t tea = ProductOfCategory("tea");                // health 0.9
  const int64_t hair = ProductOfCategory("hair_care");         // health 0.5
  ASSERT_DOUBLE_EQ(model.product_health(candy), 0.1);
  ASSERT_DOUBLE_EQ(model.product_health(tea), 0.9);
  const LiveActivity none{};
  const LiveActivity unhealthy{6, 0.2};
  const LiveActivity healthy{6, 0.8};
  auto lift = [&](int64_t product, const LiveActivity& live) {
    return model.ClickLogit(c, product, live) - model.ClickLogit(c, product, none);
  };
  // Browsing unhealthy products: unhealthy ones more likely bought, healthy less.
  EXPECT_GT(lift(candy, unhealthy), 0.5);
  EXPECT_LT(lift(tea, unhealthy), -0.5);
  // Browsing healthy products: the reverse.
  EXPECT_LT(lift(candy, healthy), -0.5);
  EXPECT_GT(lift(tea, healthy), 0.5);
  // Symmetric around the centre, zero for products or browsing at the centre.
  EXPECT_NEAR(lift(candy, unhealthy), lift(tea, healthy), 1e-12);
  EXPECT_DOUBLE_EQ(lift(hair, unhealthy), 0.0);
  EXPECT_DOUBLE_EQ(lift(tea, LiveActivity{6, 0.5}), 0.0);
  // More activity, stronger effect; the documented formula.
  EXPECT_GT(lift(candy, LiveActivity{12, 0.2}), lift(candy, unhealthy));
  const ModelConstants& k = model.constants();
  EXPECT_NEAR(model.LiveTerm(candy, unhealthy),
              k.click_gamma * 6 * (0.2 - k.click_health_centre) * (0.1 - k.click_health_centre),
              1e-12);
  // Without live features the term is dropped.
  EXPECT_DOUBLE_EQ(model.ClickLogit(c, tea, healthy, /*use_activity=*/false),
                   model.ClickLogit(c, tea, none));
}

}  // namespace
}  // namespace pantry::datagen
