#include "pantry/datagen/catalog.h"

#include <array>
#include <vector>

namespace pantry::datagen {
namespace {

using Words = std::vector<std::string_view>;

// Shares follow the number of products per category in the workshop's
// products.csv; prices are plausible per-purchase amounts.
constexpr std::array<CategoryInfo, kNumCategories> kCategories = {{
    {"cookies_cakes", 0.1, 820, 24},
    {"spices_seasonings", 0.5, 730, 18},
    {"tea", 0.9, 841, 22},
    {"frozen_meals", 0.7, 819, 35},
    {"juice_nectars", 0.2, 747, 20},
    {"yogurt", 0.8, 974, 16},
    {"refrigerated", 0.7, 636, 28},
    {"vitamins_supplements", 0.9, 937, 45},
    {"energy_granola_bars", 0.9, 792, 26},
    {"chips_pretzels", 0.2, 911, 19},
    {"soup_broth_bouillon", 0.9, 694, 21},
    {"crackers", 0.2, 713, 17},
    {"hair_care", 0.5, 773, 38},
    {"baby_food_formula", 0.8, 593, 42},
    {"coffee", 0.7, 644, 40},
    {"packaged_cheese", 0.3, 837, 27},
    {"candy_chocolate", 0.1, 1146, 15},
    {"ice_cream_ice", 0.1, 1043, 23},
    {"baking_ingredients", 0.3, 588, 20},
    {"cleaning_products", 0.5, 611, 30},
}};

constexpr std::array<std::string_view, 50> kStates = {
    "alabama",       "alaska",      "arizona",        "arkansas",      "california",
    "colorado",      "connecticut", "delaware",       "florida",       "georgia",
    "hawaii",        "idaho",       "illinois",       "indiana",       "iowa",
    "kansas",        "kentucky",    "louisiana",      "maine",         "maryland",
    "massachusetts", "michigan",    "minnesota",      "mississippi",   "missouri",
    "montana",       "nebraska",    "nevada",         "new hampshire", "new jersey",
    "new mexico",    "new york",    "north carolina", "north dakota",  "ohio",
    "oklahoma",      "oregon",      "pennsylvania",   "rhode island",  "south carolina",
    "south dakota",  "tennessee",   "texas",          "utah",          "vermont",
    "virginia",      "washington",  "west virginia",  "wisconsin",     "wyoming"};

struct Vocabulary {
  Words brands, flavours, forms, sizes;
};

// Words used across categories, so that TF-IDF on names links categories.
const Words kSharedWords = {"organic",     "natural", "gluten free", "classic",    "original",
                            "family size", "premium", "low sodium",  "sugar free", "vegan",
                            "whole grain", "mini",    "light",       "simply",     "non-gmo"};
const Words kSharedFlavours = {"chocolate", "vanilla", "strawberry", "lemon",
                               "honey",     "coconut", "caramel",    "cinnamon"};

const std::array<Vocabulary, kNumCategories>& Vocabularies() {
  static const auto* v = new std::array<Vocabulary, kNumCategories>{{
      {{"grandma's", "bakery lane", "sweet oven", "crumb & co"},
       {"chocolate chip", "oatmeal raisin", "butter", "double fudge", "red velvet", "almond"},
       {"cookies", "sandwich cookies", "pound cake", "cupcakes", "biscotti", "shortbread"},
       {"8 oz", "12 oz", "family pack", "6 count"}},
      {{"spice road", "kitchen basics", "mccoy's", "savory isle"},
       {"garlic", "smoked paprika", "black pepper", "italian herb", "chili lime", "curry"},
       {"seasoning", "ground spice", "spice blend", "rub", "grinder", "salt"},
       {"2 oz", "4 oz", "6.5 oz", "jar"}},
      {{"leaf & kettle", "green hill", "tazo garden", "zen steep"},
       {"green", "chamomile", "earl grey", "peppermint", "ginger", "hibiscus"},
       {"tea bags", "loose leaf tea", "herbal tea", "iced tea", "matcha", "k-cups"},
       {"20 count", "40 count", "3 oz", "100 count"}},
      {{"healthy chef", "lean table", "home harvest", "quick plate"},
       {"chicken teriyaki", "vegetable lasagna", "beef & broccoli", "mushroom risotto",
        "turkey & quinoa", "spinach"},
       {"bowl", "entree", "burrito", "pizza", "stir fry", "pot pie"},
       {"10 oz", "12 oz", "2 pack", "family size"}},
      {{"sunny grove", "fresh squeeze", "tropic bay", "orchard gold"},
       {"orange", "apple", "cranberry", "mango", "grape", "pineapple"},
       {"juice", "nectar", "juice cocktail", "juice drink", "lemonade", "smoothie"},
       {"64 fl oz", "6 pack", "32 fl oz", "10 fl oz"}},
      {{"greek valley", "dairy fields", "cultured co", "alpine cream"},
       {"plain", "blueberry", "peach", "mixed berry", "honey", "key lime"},
       {"greek yogurt", "yogurt", "skyr", "yogurt cups", "drinkable yogurt", "kefir"},
       {"5.3 oz", "32 oz", "4 pack", "24 oz"}},
      {{"fresh fields", "farm table", "cool case", "daily fresh"},
       {"hummus", "guacamole", "salsa", "pesto", "tofu", "egg"},
       {"dip", "spread", "wraps", "salad kit", "tortillas", "bites"},
       {"8 oz", "10 oz", "16 oz", "2 pack"}},
      {{"vital one", "nature's path", "pure health", "daily dose"},
       {"vitamin c", "vitamin d3", "omega-3", "probiotic", "magnesium", "multivitamin"},
       {"tablets", "capsules", "gummies", "softgels", "powder", "chewables"},
       {"60 count", "120 count", "1000 mg", "500 mg"}},
      {{"trail mix co", "power peak", "oat & honey", "nutri bar"},
       {"peanut butter", "almond", "dark chocolate", "cranberry", "oats & honey", "blueberry"},
       {"granola bars", "protein bars", "energy bites", "granola", "chewy bars", "nut bars"},
       {"6 count", "12 count", "5 bars", "box"}},
      {{"crunch town", "golden kettle", "salty dog", "pretzel pals"},
       {"sea salt", "sour cream & onion", "barbecue", "jalapeno", "salt & vinegar", "cheddar"},
       {"potato chips", "kettle chips", "pretzels", "tortilla chips", "pretzel twists",
        "veggie chips"},
       {"8 oz", "family bag", "1 oz", "party size"}},
      {{"kettle & hearth", "bone broth co", "souper", "homestyle"},
       {"chicken noodle", "tomato basil", "minestrone", "beef", "lentil", "vegetable"},
       {"soup", "broth", "bouillon cubes", "stock", "chowder", "soup mix"},
       {"14.5 oz", "32 oz", "8 cubes", "18.6 oz"}},
      {{"crispy acres", "ritzy", "stone mill", "cracker barrel"},
       {"sea salt", "cheddar", "rosemary", "multigrain", "sesame", "black pepper"},
       {"crackers", "crisps", "saltines", "water crackers", "rice crackers", "thins"},
       {"7 oz", "9 oz", "13.7 oz", "4 sleeves"}},
      {{"silk & shine", "botanica", "curl theory", "pure locks"},
       {"argan oil", "coconut", "tea tree", "lavender", "keratin", "aloe vera"},
       {"shampoo", "conditioner", "hair mask", "leave-in conditioner", "styling gel", "hair oil"},
       {"12 fl oz", "25.4 fl oz", "8 oz", "2 pack"}},
      {{"little sprout", "happy tot", "gentle start", "baby bloom"},
       {"apple & spinach", "sweet potato", "banana", "pear & pumpkin", "carrot", "oatmeal"},
       {"baby food pouch", "infant formula", "puffs", "puree stage 2", "cereal", "toddler snacks"},
       {"4 oz", "12.4 oz", "6 pack", "stage 1"}},
      {{"morning roast", "peak beans", "cafe terra", "bold brew"},
       {"colombian", "french roast", "hazelnut", "mocha", "espresso", "breakfast blend"},
       {"ground coffee", "whole bean coffee", "k-cups", "cold brew", "instant coffee", "pods"},
       {"12 oz", "24 count", "2 lb", "10 oz"}},
      {{"dairy meadow", "old world", "cheese cave", "farmstead"},
       {"sharp cheddar", "mozzarella", "swiss", "pepper jack", "parmesan", "gouda"},
       {"shredded cheese", "cheese slices", "cheese block", "string cheese", "cheese crumbles",
        "cheese sticks"},
       {"8 oz", "16 oz", "12 slices", "2 lb"}},
      {{"sugar rush", "choco lane", "sweet tooth", "gummy world"},
       {"milk chocolate", "dark chocolate", "peanut butter", "sour", "mint", "fruit"},
       {"candy bar", "gummies", "truffles", "chocolate bar", "licorice", "candy bites"},
       {"1.5 oz", "10 oz", "share size", "bag"}},
      {{"frosty farms", "creamery", "polar scoop", "sweet freeze"},
       {"cookies & cream", "mint chip", "rocky road", "butter pecan", "cookie dough", "mango"},
       {"ice cream", "frozen yogurt", "ice pops", "gelato", "sorbet", "ice cream bars"},
       {"1.5 qt", "pint", "6 count", "48 oz"}},
      {{"baker's pantry", "mill & hearth", "golden sack", "home bake"},
       {"all-purpose", "brown sugar", "almond", "whole wheat", "cocoa", "buttermilk"},
       {"flour", "baking mix", "baking soda", "chocolate chips", "extract", "yeast"},
       {"5 lb", "2 lb", "1 oz", "12 oz"}},
      {{"sparkle home", "clean sweep", "fresh house", "green clean"},
       {"lemon", "lavender", "unscented", "ocean breeze", "citrus", "eucalyptus"},
       {"all-purpose cleaner", "dish soap", "laundry detergent", "disinfecting wipes",
        "glass cleaner", "scrub"},
       {"32 fl oz", "75 count", "64 loads", "2 pack"}},
  }};
  return *v;
}

const Words kFirstNames = {
    "james",   "mary",      "john",    "patricia", "robert",      "jennifer", "michael", "linda",
    "william", "elizabeth", "david",   "barbara",  "richard",     "susan",    "joseph",  "jessica",
    "thomas",  "sarah",     "charles", "karen",    "christopher", "nancy",    "daniel",  "lisa",
    "matthew", "betty",     "anthony", "margaret", "mark",        "sandra",   "donald",  "ashley",
    "steven",  "kimberly",  "paul",    "emily",    "andrew",      "donna",    "joshua",  "michelle",
    "kenneth", "carol",     "kevin",   "amanda",   "brian",       "dorothy",  "george",  "melissa",
    "justin",  "nicole",    "amy",     "jose",     "maria",       "luis",     "wei",     "priya"};
const Words kLastNames = {
    "smith",     "johnson",  "williams",  "brown",   "jones",    "garcia",   "miller",   "davis",
    "rodriguez", "martinez", "hernandez", "lopez",   "gonzalez", "wilson",   "anderson", "thomas",
    "taylor",    "moore",    "jackson",   "martin",  "lee",      "perez",    "thompson", "white",
    "harris",    "sanchez",  "clark",     "ramirez", "lewis",    "robinson", "walker",   "young",
    "allen",     "king",     "wright",    "scott",   "torres",   "nguyen",   "hill",     "flores",
    "green",     "adams",    "nelson",    "baker",   "hall",     "rivera",   "campbell", "mitchell",
    "carter",    "roberts",  "gutierrez", "cross",   "hartman",  "chen",     "patel",    "kim"};

std::string_view Pick(Rng& rng, const Words& words) { return words[rng.UniformInt(words.size())]; }

}  // namespace

std::span<const CategoryInfo> Categories() { return kCategories; }

int CategoryIndex(std::string_view name) {
  for (int i = 0; i < kNumCategories; ++i) {
    if (kCategories[i].name == name) return i;
  }
  return -1;
}

std::span<const std::string_view> States() { return kStates; }

std::string MakeProductName(Rng& rng, int category) {
  const Vocabulary& v = Vocabularies()[category];
  std::string name;
  auto add = [&name](std::string_view word) {
    if (!name.empty()) name.push_back(' ');
    name.append(word);
  };
  add(Pick(rng, v.brands));
  if (rng.Bernoulli(0.35)) add(Pick(rng, kSharedWords));
  add(rng.Bernoulli(0.2) ? Pick(rng, kSharedFlavours) : Pick(rng, v.flavours));
  add(Pick(rng, v.forms));
  if (rng.Bernoulli(0.6)) add(Pick(rng, v.sizes));
  return name;
}

std::string MakePersonName(Rng& rng) {
  std::string name(Pick(rng, kFirstNames));
  name.push_back(' ');
  name.append(Pick(rng, kLastNames));
  return name;
}

}  // namespace pantry::datagen
