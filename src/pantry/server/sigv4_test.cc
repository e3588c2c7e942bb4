// SigV4 verification against signatures computed by an independent
// implementation: the examples of AWS's SigV4 documentation (get-vanilla and
// IAM ListUsers, which botocore reproduces) and one request signed by
// botocore 1.43's SigV4Auth with a path, query and headers that exercise the
// normalisation rules.
#include "pantry/server/sigv4.h"

#include <gtest/gtest.h>

namespace pantry::server {
namespace {

const AwsCredentials kCredentials = {"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"};
constexpr int64_t kSignedAt = 1440938160;  // 2015-08-30T12:36:00Z
constexpr int64_t kSkew = 15 * 60;

HttpRequest Request(std::string method, std::string target, HttpFields headers,
                    std::string body = "") {
  HttpRequest request;
  request.method = std::move(method);
  EXPECT_TRUE(ParseRequestTarget(target, &request).ok());
  request.headers = std::move(headers);
  request.body = std::move(body);
  return request;
}

std::string Authorization(std::string_view scope, std::string_view signed_headers,
                          std::string_view signature) {
  return "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/" + std::string(scope) +
         "/aws4_request, SignedHeaders=" + std::string(signed_headers) +
         ", Signature=" + std::string(signature);
}

// botocore: POST http://127.0.0.1:8080/FeatureGroup/my%20group/./x/../y?b=2&a=1&c=%2B%20
// with X-Multi: "  a   b  " and body {"x":1}.
HttpRequest BotocoreRequest(std::string signature) {
  return Request(
      "POST", "/FeatureGroup/my%20group/./x/../y?b=2&a=1&c=%2B%20",
      {{"content-type", "application/json"},
       {"host", "127.0.0.1:8080"},
       {"x-amz-date", "20150830T123600Z"},
       {"x-multi", "  a   b  "},
       {"authorization",
        Authorization("us-east-1/sagemaker", "content-type;host;x-amz-date;x-multi", signature)}},
      R"({"x":1})");
}
constexpr char kBotocoreSignature[] =
    "0b5c0dabc142f16f2194f6bba8e948a48fab1cb1dc78ad633f36a453e5a2e93e";

TEST(SigV4Test, AwsDocumentationExamplesVerify) {
  HttpRequest vanilla = Request(
      "GET", "/",
      {{"host", "example.amazonaws.com"},
       {"x-amz-date", "20150830T123600Z"},
       {"authorization",
        Authorization("us-east-1/service", "host;x-amz-date",
                      "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")}});
  SigV4Result result = VerifySigV4(vanilla, kCredentials, kSignedAt, kSkew);
  EXPECT_EQ(result.verdict, SigV4Verdict::kValid) << result.message;

  HttpRequest iam = Request(
      "GET", "/?Action=ListUsers&Version=2010-05-08",
      {{"content-type", "application/x-www-form-urlencoded; charset=utf-8"},
       {"host", "iam.amazonaws.com"},
       {"x-amz-date", "20150830T123600Z"},
       {"authorization",
        Authorization("us-east-1/iam", "content-type;host;x-amz-date",
                      "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7")}});
  result = VerifySigV4(iam, kCredentials, kSignedAt, kSkew);
  EXPECT_EQ(result.verdict, SigV4Verdict::kValid) << result.message;
}

TEST(SigV4Test, CanonicalRequestNormalisesAsBotocoreDoes) {
  HttpRequest request = BotocoreRequest(kBotocoreSignature);
  auto fields = ParseSigV4(request);
  ASSERT_TRUE(fields.ok()) << fields.status();
  EXPECT_EQ(SigV4CanonicalRequest(request, *fields, "HASH"),
            "POST\n/FeatureGroup/my%2520group/y\na=1&b=2&c=%2B%20\n"
            "content-type:application/json\nhost:127.0.0.1:8080\n"
            "x-amz-date:20150830T123600Z\nx-multi:a b\n\n"
            "content-type;host;x-amz-date;x-multi\nHASH");
  SigV4Result result = VerifySigV4(request, kCredentials, kSignedAt + 60, kSkew);
  EXPECT_EQ(result.verdict, SigV4Verdict::kValid) << result.message;
}

TEST(SigV4Test, ForgeriesFail) {
  // Another signature, another body, another secret, another key id.
  std::string forged = kBotocoreSignature;
  forged[0] = forged[0] == '0' ? '1' : '0';
  EXPECT_EQ(VerifySigV4(BotocoreRequest(forged), kCredentials, kSignedAt, kSkew).verdict,
            SigV4Verdict::kMismatch);
  EXPECT_EQ(VerifySigV4(BotocoreRequest("00"), kCredentials, kSignedAt, kSkew).verdict,
            SigV4Verdict::kMismatch);
  HttpRequest tampered = BotocoreRequest(kBotocoreSignature);
  tampered.body = R"({"x":2})";
  EXPECT_EQ(VerifySigV4(tampered, kCredentials, kSignedAt, kSkew).verdict, SigV4Verdict::kMismatch);
  HttpRequest retargeted = BotocoreRequest(kBotocoreSignature);
  ASSERT_TRUE(ParseRequestTarget("/FeatureGroup/other?b=2&a=1&c=%2B%20", &retargeted).ok());
  EXPECT_EQ(VerifySigV4(retargeted, kCredentials, kSignedAt, kSkew).verdict,
            SigV4Verdict::kMismatch);
  AwsCredentials other_secret = kCredentials;
  other_secret.secret_access_key = "not-the-secret";
  EXPECT_EQ(
      VerifySigV4(BotocoreRequest(kBotocoreSignature), other_secret, kSignedAt, kSkew).verdict,
      SigV4Verdict::kMismatch);
  AwsCredentials other_key = kCredentials;
  other_key.access_key_id = "AKIDOTHER";
  SigV4Result unknown =
      VerifySigV4(BotocoreRequest(kBotocoreSignature), other_key, kSignedAt, kSkew);
  EXPECT_EQ(unknown.verdict, SigV4Verdict::kUnknownAccessKey);
  EXPECT_EQ(PrecheckSigV4(BotocoreRequest(kBotocoreSignature), other_key, kSignedAt, kSkew).verdict,
            SigV4Verdict::kUnknownAccessKey)
      << "refused before the body is read";
}

TEST(SigV4Test, ClockSkewWindow) {
  HttpRequest request = BotocoreRequest(kBotocoreSignature);
  EXPECT_EQ(VerifySigV4(request, kCredentials, kSignedAt + kSkew, kSkew).verdict,
            SigV4Verdict::kValid);
  EXPECT_EQ(VerifySigV4(request, kCredentials, kSignedAt - kSkew, kSkew).verdict,
            SigV4Verdict::kValid);
  SigV4Result late = VerifySigV4(request, kCredentials, kSignedAt + kSkew + 1, kSkew);
  EXPECT_EQ(late.verdict, SigV4Verdict::kExpired);
  EXPECT_NE(late.message.find("Signature expired"), std::string::npos) << late.message;
  EXPECT_EQ(VerifySigV4(request, kCredentials, kSignedAt - kSkew - 1, kSkew).verdict,
            SigV4Verdict::kExpired);
}

TEST(SigV4Test, MalformedRequests) {
  auto verdict = [](HttpFields headers) {
    HttpRequest request = Request("GET", "/", std::move(headers));
    return VerifySigV4(request, kCredentials, kSignedAt, kSkew).verdict;
  };
  const std::string date = "20150830T123600Z";
  EXPECT_EQ(verdict({{"authorization", Authorization("us-east-1/s", "host;x-amz-date", "ab")}}),
            SigV4Verdict::kMalformed)
      << "no X-Amz-Date";
  EXPECT_EQ(verdict({{"x-amz-date", date},
                     {"authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/x"}}),
            SigV4Verdict::kMalformed);
  EXPECT_EQ(verdict({{"x-amz-date", "yesterday"},
                     {"authorization", Authorization("us-east-1/s", "host", "ab")}}),
            SigV4Verdict::kMalformed);
  EXPECT_EQ(verdict({{"x-amz-date", "20150831T123600Z"},
                     {"authorization", Authorization("us-east-1/s", "host", "ab")}}),
            SigV4Verdict::kMalformed)
      << "scope date differs from X-Amz-Date";
  EXPECT_EQ(verdict({{"x-amz-date", date},
                     {"authorization", Authorization("us-east-1/s", "x-amz-date", "ab")}}),
            SigV4Verdict::kMalformed)
      << "host must be signed";
}

TEST(SigV4Test, PresignedUrl) {
  // Signed here with the functions under test, then checked for the rules
  // that only presigned URLs have: the expiry and UNSIGNED-PAYLOAD.
  const std::string target =
      "/FeatureGroup/g?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%"
      "2Fus-east-1%2Fsagemaker%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-Expires=60&X-Amz-"
      "SignedHeaders=host";
  HttpRequest request = Request("GET", target + "&X-Amz-Signature=00", {{"host", "h"}});
  auto fields = ParseSigV4(request);
  ASSERT_TRUE(fields.ok()) << fields.status();
  EXPECT_TRUE(fields->presigned);
  EXPECT_EQ(VerifySigV4(request, kCredentials, kSignedAt + 30, kSkew).verdict,
            SigV4Verdict::kMismatch);
  // The signature is not part of what is signed.
  std::string signature = SigV4Signature(
      kCredentials.secret_access_key, *fields,
      SigV4StringToSign(*fields, SigV4CanonicalRequest(request, *fields, "UNSIGNED-PAYLOAD")));
  ASSERT_TRUE(ParseRequestTarget(target + "&X-Amz-Signature=" + signature, &request).ok());
  EXPECT_EQ(VerifySigV4(request, kCredentials, kSignedAt + 30, kSkew).verdict,
            SigV4Verdict::kValid);
  EXPECT_EQ(VerifySigV4(request, kCredentials, kSignedAt + 61, kSkew).verdict,
            SigV4Verdict::kExpired);
}

TEST(SigV4Test, AmzDate) {
  EXPECT_EQ(*ParseAmzDate("20150830T123600Z"), kSignedAt);
  EXPECT_EQ(*ParseAmzDate("19700101T000000Z"), 0);
  EXPECT_FALSE(ParseAmzDate("20151330T123600Z").ok());
  EXPECT_FALSE(ParseAmzDate("2015-08-30T12:36:00Z").ok());
}

}  // namespace
}  // namespace pantry::server
