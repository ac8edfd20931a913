// Drawn traffic of flow studies (sim/scenario/flow_traffic.cpp, message_sizes.cpp): empirical
// size distributions against their CDFs and closed-form means, the offered load they give,
// rack-local traffic in the fraction asked, and incast queries and shuffles against their
// closed forms.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <set>

#include <fmt/format.h>

#include "models/network/protocol.hpp"
#include "reports/flow_report.hpp"
#include "sim/engine/rng.hpp"
#include "sim/scenario/flow_study.hpp"

using namespace xpusim;

namespace {

FlowStudy study(const std::string& text) {
  return parse_flow_study(JsonView(parse_json_text(text, "flows.json"), "flows.json"));
}

// 4 leaves of 8 hosts at 100 Gbit/s (h0-h7 on leaf0, ...), 4 spines.
const std::string kLeafSpine = R"("topology": {"leaf_spine": {"leaves": 4, "spines": 4, "hosts_per_leaf": 8,
    "host_gbps": 100, "uplink_gbps": 100, "latency_us": 0.5}}, "protocol": "roce-v2")";

// The load the drawn messages offer kLeafSpine's 32 hosts at 100 Gbit/s: bytes per second of
// arrivals over the hosts' summed bandwidth.
double offered_load(const FlowStudy& s) {
  double bytes = 0;
  for (const auto& f : s.flows) bytes += f.bytes;
  return bytes / s.flows.back().start_s / (32 * 100e9 / 8);
}

// The messages of each group (query, shuffle), by group.
std::map<int, std::vector<const FlowSpec*>> by_group(const FlowStudy& s) {
  std::map<int, std::vector<const FlowSpec*>> groups;
  for (const auto& f : s.flows) groups[f.group].push_back(&f);
  return groups;
}

// Grouped traffic drawn on kLeafSpine at 40% load, 10 kB to 1 MB: checks that it holds `groups`
// groups, numbered from 0, of `each` messages.
FlowStudy drawn_groups(const std::string& pattern, std::size_t groups, std::size_t each) {
  FlowStudy s = study("{" + kLeafSpine + R"(, "traffic": {"min_bytes": 1e4, "max_bytes": 1e6, "load": 0.4, "flows": )" +
                      std::to_string(groups * each) + ", " + pattern + "}}");
  const auto drawn = by_group(s);
  EXPECT_EQ(drawn.size(), groups);
  EXPECT_EQ(drawn.begin()->first, 0);
  for (const auto& [g, messages] : drawn) EXPECT_EQ(messages.size(), each) << "group " << g;
  return s;
}

}  // namespace

TEST(MessageSizes, AnEmpiricalMeanIsItsSegmentsMidpointsByWeight) {
  // Below a byte, a message is one byte: [0, 100] uniform has 1% of its mass raised to 1 byte.
  EXPECT_NEAR(MessageSizes::empirical("", {{0, 0}, {100, 100}}).mean(), 0.01 * 1 + 0.99 * 50.5, 1e-12);
  EXPECT_DOUBLE_EQ(MessageSizes::empirical("", {{0, 0}, {0.5, 50}, {1, 100}}).mean(), 1);
  EXPECT_DOUBLE_EQ(MessageSizes::empirical("", {{10, 0}, {20, 50}, {40, 100}}).mean(), 0.5 * 15 + 0.5 * 30);
  EXPECT_DOUBLE_EQ(MessageSizes::log_uniform(7, 7).mean(), 7);
}

// 1,000,000 draws from each measured distribution of the catalog: at every point of its CDF the
// fraction drawn at or below it is the CDF's (binomial sigma <= 0.0005, asserted within 0.005,
// which also covers rounding to whole bytes), and the sample mean is the distribution's (their
// coefficients of variation are 2.3 (web search), 4.7 (storage) and 5.6 (Hadoop), so sigma is at
// most 0.56%: asserted within 2.5%).
TEST(MessageSizes, DrawsFollowTheMeasuredCdfsOfTheCatalog) {
  const std::vector<std::string> names = message_size_names();
  ASSERT_EQ(names, (std::vector<std::string>{"hadoop", "storage", "websearch"}));
  for (const auto& name : names) {
    const auto doc = parse_json_text(fmt::format(R"({{"sizes": "{}"}})", name), "t.json");
    const MessageSizes sizes = message_sizes_at(JsonView(doc, "t.json"), 1e15);
    RngStream rng(5, "cdf-test");
    std::vector<double> drawn(1000000);
    double sum = 0;
    for (double& b : drawn) {
      b = sizes.draw(rng);
      ASSERT_GE(b, 1);
      ASSERT_EQ(b, std::round(b));
      sum += b;
    }
    std::sort(drawn.begin(), drawn.end());
    nlohmann::json written;
    sizes.write(written);
    EXPECT_EQ(written["sizes"], name);
    ASSERT_GE(sizes.points().size(), 9u) << name;
    for (const auto& [bytes, fraction] : sizes.points()) {
      const double below = static_cast<double>(std::upper_bound(drawn.begin(), drawn.end(), bytes) - drawn.begin()) /
                           static_cast<double>(drawn.size());
      EXPECT_NEAR(below, fraction, 0.005) << name << " at " << bytes << " bytes";
    }
    EXPECT_NEAR(sum / static_cast<double>(drawn.size()) / sizes.mean(), 1, 0.025) << name;
  }
}

// Drawn from a measured distribution, messages offer the load asked for: 20,000 web search
// messages (coefficient of variation ~2.3, so their sum is within ~1.6% at one sigma, the span of
// their arrivals ~0.7%) offer 0.5 of 32 hosts at 100 Gbit/s within 6%.
TEST(FlowTraffic, MeasuredSizesOfferTheLoadAskedFor) {
  const FlowStudy s = study("{" + kLeafSpine + R"(, "traffic": {"flows": 20000, "sizes": "websearch", "load": 0.5}})");
  EXPECT_NEAR(offered_load(s), 0.5, 0.5 * 0.06);
}

// "local": that fraction of messages goes to a host on the sender's leaf, the others off it.
TEST(FlowTraffic, LocalTrafficStaysOnItsSwitchInTheFractionAsked) {
  auto on_leaf = [](const FlowStudy& s) {
    int n = 0;
    for (const auto& f : s.flows) n += f.src / 8 == f.dst / 8;
    return static_cast<double>(n) / static_cast<double>(s.flows.size());
  };
  auto drawn = [](const std::string& local) {
    return study("{" + kLeafSpine + R"(, "traffic": {"flows": 20000, "min_bytes": 1e4, "max_bytes": 1e6,
        "load": 0.5, "local": )" + local + "}}");
  };
  // Binomial sigma at 0.3 over 20,000: 0.0032.
  const FlowStudy some = drawn("0.3");
  EXPECT_NEAR(on_leaf(some), 0.3, 0.015);
  EXPECT_EQ(on_leaf(drawn("0")), 0.0);
  EXPECT_EQ(on_leaf(drawn("1")), 1.0);
  // Every host both sends and receives off its leaf, and each leaf's hosts receive alike.
  std::map<int, int> received;
  for (const auto& f : some.flows) {
    ASSERT_NE(f.src, f.dst);
    ++received[f.dst];
  }
  ASSERT_EQ(received.size(), 32u);
  for (const auto& [host, n] : received) EXPECT_NEAR(n, 20000 / 32, 5 * std::sqrt(20000 / 32)) << host;
  // Without "local", a destination is any other host: 7 of the 31 share the sender's leaf.
  EXPECT_NEAR(on_leaf(study("{" + kLeafSpine + R"(, "traffic": {"flows": 20000, "min_bytes": 1e4,
      "max_bytes": 1e6, "load": 0.5}})")), 7.0 / 31, 0.015);
}

// Incast: each query is fan_in responses of one size, sent at once to one host from distinct
// others; the queries arrive at the rate that offers the load.
TEST(FlowTraffic, IncastQueriesAskDistinctHostsForResponsesOfOneSize) {
  const FlowStudy s = drawn_groups(R"("pattern": "incast", "fan_in": 12)", 4000, 12);
  ASSERT_FALSE(HasFailure());
  std::map<int, int> asked;  // receiver -> queries
  for (const auto& [q, responses] : by_group(s)) {
    std::set<int> senders;
    for (const FlowSpec* f : responses) {
      EXPECT_EQ(f->dst, responses.front()->dst);
      EXPECT_EQ(f->bytes, responses.front()->bytes);
      EXPECT_EQ(f->start_s, responses.front()->start_s);
      EXPECT_NE(f->src, f->dst);
      senders.insert(f->src);
    }
    EXPECT_EQ(senders.size(), 12u) << "query " << q;
    ++asked[responses.front()->dst];
  }
  EXPECT_EQ(asked.size(), 32u);
  // 4,000 queries of log-uniform sizes (coefficient of variation 1.1) at Poisson arrivals: the
  // offered bytes per second within ~2.4% at one sigma; asserted within 10%.
  EXPECT_NEAR(offered_load(s), 0.4, 0.4 * 0.1);
}

namespace {

// 1 MB messages at a load of 0.1% on a star of 16 hosts at 10 Gbit/s, 1 us per link: nearly every
// group (query, shuffle) runs alone. Checks that those whose span meets no other's take exactly
// `expected_s`, as does the report's median group, whose slowdown against the group alone is 1.
void expect_groups_alone_take(const std::string& traffic, const std::string& many, int groups, double expected_s) {
  std::string hosts, links;
  for (int h = 0; h < 16; ++h) {
    hosts += fmt::format(R"({}"h{}")", h ? ", " : "", h);
    links += fmt::format(R"({}{{"between": ["h{}", "s"], "gbps": 10, "latency_us": 1}})", h ? ", " : "", h);
  }
  const FlowStudy s = study(fmt::format(R"({{"topology": {{"hosts": [{}], "switches": ["s"], "links": [{}]}},
      "protocol": "roce-v2", "traffic": {{"min_bytes": 1e6, "max_bytes": 1e6, "load": 0.001, {}}}}})", hosts, links,
      traffic));
  const FlowStudyResult r = run_flow_study(s, s.networks.front());
  ASSERT_EQ(r.groups.size(), static_cast<std::size_t>(groups));
  int isolated = 0;
  for (std::size_t g = 0; g < r.groups.size(); ++g) {
    const bool before = g == 0 || r.groups[g - 1].finish_s < r.groups[g].start_s;
    const bool after = g + 1 == r.groups.size() || r.groups[g].finish_s < r.groups[g + 1].start_s;
    // Every group alone takes the closed form, and so does one that meets no other.
    EXPECT_NEAR(r.groups[g].alone_s, expected_s, 1e-12) << many << " " << g;
    if (!before || !after) continue;
    ++isolated;
    EXPECT_NEAR(r.groups[g].completion_s(), expected_s, 1e-12) << many << " " << g;
  }
  EXPECT_GE(isolated, groups * 9 / 10);
  const auto report = flow_results_json(s, {r})[0]["summary"][many];
  EXPECT_EQ(report[many], groups);
  // The report gives six significant digits.
  EXPECT_NEAR(report["completion_us"]["p50"].get<double>() / (expected_s * 1e6), 1, 1e-6);
  EXPECT_NEAR(report["slowdown"]["p50"].get<double>(), 1, 1e-6);
}

double star_latency_s() { return protocol_profile("roce-v2").endpoint_latency_s + 2e-6; }
double star_rate() { return 10e9 / 8 * protocol_profile("roce-v2").efficiency(); }

}  // namespace

// A query alone takes the time of its fan_in responses sharing the receiver's link: latency +
// fan_in x B / r.
TEST(FlowTraffic, AnIncastQueryCompletesWhenItsLastResponseDoes) {
  expect_groups_alone_take(R"("flows": 800, "pattern": "incast", "fan_in": 4)", "queries", 200,
                           star_latency_s() + 4 * 1e6 / star_rate());
}

// A shuffle of width w alone: each host's link carries w - 1 messages each way, every message at
// r / (w - 1), so all end together at latency + (w - 1) x B / r.
TEST(FlowTraffic, AShuffleAloneIsAnAllToAllOfItsHosts) {
  expect_groups_alone_take(R"("flows": 2400, "pattern": "shuffle", "width": 5)", "shuffles", 120,
                           star_latency_s() + 4 * 1e6 / star_rate());
}

// Shuffles: width distinct hosts, each sending one message to each of the others at once, every
// message of its own size; the hosts drawn uniformly, the shuffles at the rate offering the load.
TEST(FlowTraffic, ShufflesJoinEveryPairOfTheirHostsOnce) {
  const FlowStudy s = drawn_groups(R"("pattern": "shuffle", "width": 6)", 2000, 30);
  ASSERT_FALSE(HasFailure());
  std::map<int, int> joined;  // host -> shuffles
  int one_size = 0;
  for (const auto& [g, messages] : by_group(s)) {
    std::set<std::pair<int, int>> pairs;
    std::set<int> hosts, sizes;
    for (const FlowSpec* f : messages) {
      EXPECT_EQ(f->start_s, messages.front()->start_s);
      EXPECT_NE(f->src, f->dst);
      pairs.emplace(f->src, f->dst);
      hosts.insert(f->src);
      sizes.insert(static_cast<int>(f->bytes));
    }
    EXPECT_EQ(pairs.size(), 30u) << "shuffle " << g;
    EXPECT_EQ(hosts.size(), 6u) << "shuffle " << g;
    for (int h : hosts) ++joined[h];
    one_size += sizes.size() == 1;
  }
  EXPECT_EQ(one_size, 0);  // each message draws its own size
  // Each host joins 2,000 x 6 / 32 = 375 shuffles, binomial sigma ~17.
  ASSERT_EQ(joined.size(), 32u);
  for (const auto& [h, n] : joined) EXPECT_NEAR(n, 375, 5 * 17) << "h" << h;
  // 60,000 messages in 2,000 arrivals: the offered bytes per second within ~2.3% at one sigma.
  EXPECT_NEAR(offered_load(s), 0.4, 0.4 * 0.1);
}
