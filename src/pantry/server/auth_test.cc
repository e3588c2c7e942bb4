#include "pantry/server/auth.h"

#include <gtest/gtest.h>

namespace pantry::server {
namespace {

HttpRequest WithHeader(std::string name, std::string value) {
  HttpRequest request;
  request.headers.emplace_back(std::move(name), std::move(value));
  return request;
}

TEST(AuthorizerTest, NoTokenAllowsEverything) {
  Authorizer auth;
  std::string why;
  EXPECT_TRUE(auth.Allow(HttpRequest(), &why));
}

TEST(AuthorizerTest, BearerToken) {
  Authorizer auth("s3cret");
  std::string why;
  EXPECT_TRUE(auth.Allow(WithHeader("authorization", "Bearer s3cret"), &why));
  EXPECT_TRUE(auth.Allow(WithHeader("authorization", "bearer s3cret"), &why));
  EXPECT_FALSE(auth.Allow(WithHeader("authorization", "Bearer s3cre"), &why));
  EXPECT_EQ(why.find("s3cre"), std::string::npos) << "never echo the credential";
  EXPECT_FALSE(auth.Allow(HttpRequest(), &why));
  EXPECT_NE(why.find("Bearer"), std::string::npos);
  EXPECT_FALSE(auth.Allow(WithHeader("authorization", "Basic czNjcmV0"), &why));
}

TEST(AuthorizerTest, SigV4AccessKeyIdIsTheToken) {
  const std::string header =
      "AWS4-HMAC-SHA256 Credential=s3cret/20261127/us-east-1/kinesis/aws4_request, "
      "SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=abcdef";
  EXPECT_EQ(Authorizer::SigV4AccessKeyId(header), "s3cret");
  EXPECT_EQ(Authorizer::SigV4AccessKeyId("Bearer x"), "");
  Authorizer auth("s3cret");
  std::string why;
  EXPECT_TRUE(auth.Allow(WithHeader("authorization", header), &why));
  EXPECT_FALSE(auth.Allow(
      WithHeader("authorization",
                 "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261127/us-east-1/kinesis/aws4_request,"
                 " SignedHeaders=host, Signature=00"),
      &why));
  EXPECT_NE(why.find("AWS_ACCESS_KEY_ID"), std::string::npos);
  HttpRequest presigned;
  presigned.query.emplace_back("X-Amz-Credential",
                               "s3cret/20261127/us-east-1/sagemaker/aws4_request");
  EXPECT_TRUE(auth.Allow(presigned, &why));
}

}  // namespace
}  // namespace pantry::server
