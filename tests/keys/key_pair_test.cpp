#include "keys/key_pair.hpp"

#include <gtest/gtest.h>
#include <openssl/rsa.h>
#include <sys/stat.h>

#include <fstream>

#include "tests/support/temp_dir.hpp"

using namespace fedblog::keys;
using fedblog::testing::TempDir;

TEST(KeyPair, GeneratesRsa2048WithPemRoundTrip) {
    KeyPair key = KeyPair::generate_rsa();
    EXPECT_EQ(EVP_PKEY_get_bits(key.get()), 2048);
    EXPECT_TRUE(EVP_PKEY_is_a(key.get(), "RSA"));
    std::string public_pem = key.public_pem();
    EXPECT_EQ(public_pem.rfind("-----BEGIN PUBLIC KEY-----\n", 0), 0u);
    KeyPair again = KeyPair::from_private_pem(key.private_pem());
    EXPECT_EQ(again.public_pem(), public_pem);
}

TEST(KeyPair, RejectsGarbagePem) {
    EXPECT_THROW(KeyPair::from_private_pem("-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----\n"),
                 std::runtime_error);
}

TEST(KeyFile, CreatedOnceWithMode0600ThenReused) {
    TempDir dir;
    auto file = dir / "actor.key";
    LoadedKey first = load_or_create(file);
    EXPECT_TRUE(first.created);
    struct stat info {};
    ASSERT_EQ(::stat(file.c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 0777, 0600);
    LoadedKey second = load_or_create(file);
    EXPECT_FALSE(second.created);
    EXPECT_EQ(second.key.public_pem(), first.key.public_pem());
    EXPECT_FALSE(std::filesystem::exists(dir / "actor.key.tmp"));
}

TEST(KeyFile, RefusesAKeyOthersCanRead) {
    TempDir dir;
    auto file = dir / "actor.key";
    load_or_create(file);
    std::filesystem::permissions(file, std::filesystem::perms::group_read, std::filesystem::perm_options::add);
    try {
        load_or_create(file);
        FAIL() << "accepted a group-readable key";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("chmod 600"), std::string::npos) << e.what();
    }
}

TEST(KeyFile, NamesTheFileWhenCorrupt) {
    TempDir dir;
    auto file = dir / "actor.key";
    {
        std::ofstream out(file);
        out << "not a key";
    }
    std::filesystem::permissions(file, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    try {
        load_or_create(file);
        FAIL();
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("actor.key"), std::string::npos) << e.what();
    }
}

TEST(KeyFile, RotationReplacesTheKeyAndKeepsTheOldOneRetired) {
    TempDir dir;
    auto file = dir / "actor.key";
    std::string old_public = load_or_create(file).key.public_pem();
    KeyPair fresh = rotate_key(file, 1234);
    EXPECT_NE(fresh.public_pem(), old_public);
    EXPECT_EQ(load_or_create(file).key.public_pem(), fresh.public_pem());
    auto retired = dir / "actor.key.retired-1234";
    ASSERT_TRUE(std::filesystem::exists(retired));
    struct stat info {};
    ASSERT_EQ(::stat(retired.c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 0777, 0600);
    EXPECT_EQ(load_or_create(retired).key.public_pem(), old_public);
}

TEST(PublicKey, ParsesWhatTheActorPublishes) {
    KeyPair key = KeyPair::generate_rsa();
    EvpPkeyPtr parsed = public_key_from_pem(key.public_pem());
    ASSERT_TRUE(parsed);
    EXPECT_EQ(EVP_PKEY_eq(parsed.get(), key.get()), 1);
    EXPECT_THROW(public_key_from_pem("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"), std::runtime_error);
    EXPECT_THROW(public_key_from_pem(""), std::runtime_error);
}
