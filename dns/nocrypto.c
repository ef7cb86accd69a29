// SPDX-License-Identifier: MIT
/*
 * nocrypto.c - the OpenSSL functions libldns.a's objects refer to, as one
 * function that stops the process.  Linked into the static cnm-dns only.
 *
 * DOC: Theory of operation
 * ldns's DNSSEC, TSIG and key code calls OpenSSL, and its objects are
 * whole (not one section per function), so linking the few wire-format
 * functions cnm-dns uses drags the references along, and libcrypto.a with
 * them: 2.2 MB of code and 330 KB of tables that a static PIE relocates,
 * and so dirties, at every start (~700 KB resident in all; docs/decisions.md).
 * cnm-dns never signs, verifies, hashes or reads a key, so none of these is
 * ever called; each name below is an alias of no_crypto(), which says so
 * and aborts should that ever change.  An ldns that refers to one more
 * OpenSSL function fails to link cnm-dns, naming it: add it here.
 */
#include <stdlib.h>
#include <unistd.h>

void no_crypto(void);

void no_crypto(void)
{
	static const char msg[] = "cnm-dns: ldns called OpenSSL, which this build leaves out\n";

	if (write(2, msg, sizeof(msg) - 1) < 0)
		abort();
	abort();
}

#define NO(name) void name(void) __attribute__((alias("no_crypto")));
NO(BN_bin2bn)
NO(BN_bn2bin)
NO(BN_free)
NO(BN_new)
NO(BN_num_bits)
NO(CRYPTO_free)
NO(CRYPTO_memcmp)
NO(DSA_SIG_free)
NO(DSA_SIG_get0)
NO(DSA_SIG_new)
NO(DSA_SIG_set0)
NO(DSA_do_sign)
NO(DSA_free)
NO(DSA_generate_key)
NO(DSA_generate_parameters_ex)
NO(DSA_get0_key)
NO(DSA_get0_pqg)
NO(DSA_new)
NO(DSA_set0_key)
NO(DSA_set0_pqg)
NO(ECDSA_SIG_free)
NO(ECDSA_SIG_get0)
NO(EC_GROUP_get0_generator)
NO(EC_GROUP_get_curve_name)
NO(EC_KEY_free)
NO(EC_KEY_generate_key)
NO(EC_KEY_get0_group)
NO(EC_KEY_get0_private_key)
NO(EC_KEY_new_by_curve_name)
NO(EC_KEY_set_conv_form)
NO(EC_KEY_set_private_key)
NO(EC_KEY_set_public_key)
NO(EC_POINT_copy)
NO(EC_POINT_free)
NO(EC_POINT_mul)
NO(EC_POINT_new)
NO(ENGINE_load_private_key)
NO(ERR_print_errors_fp)
NO(EVP_DigestFinal_ex)
NO(EVP_DigestInit)
NO(EVP_DigestInit_ex)
NO(EVP_DigestSign)
NO(EVP_DigestSignInit)
NO(EVP_DigestUpdate)
NO(EVP_DigestVerify)
NO(EVP_DigestVerifyInit)
NO(EVP_MD_CTX_free)
NO(EVP_MD_CTX_new)
NO(EVP_PKEY_CTX_free)
NO(EVP_PKEY_CTX_new_id)
NO(EVP_PKEY_CTX_set_rsa_keygen_bits)
NO(EVP_PKEY_assign)
NO(EVP_PKEY_free)
NO(EVP_PKEY_get1_DSA)
NO(EVP_PKEY_get1_EC_KEY)
NO(EVP_PKEY_get1_RSA)
NO(EVP_PKEY_get_base_id)
NO(EVP_PKEY_get_id)
NO(EVP_PKEY_keygen)
NO(EVP_PKEY_keygen_init)
NO(EVP_PKEY_new)
NO(EVP_PKEY_set1_DSA)
NO(EVP_PKEY_set1_RSA)
NO(EVP_SignFinal)
NO(EVP_VerifyFinal)
NO(EVP_md5)
NO(EVP_sha1)
NO(EVP_sha256)
NO(EVP_sha384)
NO(EVP_sha512)
NO(HMAC)
NO(MD5)
NO(RAND_bytes)
NO(RAND_seed)
NO(RSA_free)
NO(RSA_get0_crt_params)
NO(RSA_get0_factors)
NO(RSA_get0_key)
NO(RSA_new)
NO(RSA_set0_crt_params)
NO(RSA_set0_factors)
NO(RSA_set0_key)
NO(RSA_sign)
NO(SHA1)
NO(SHA384)
NO(UI_OpenSSL)
NO(d2i_DSA_SIG)
NO(d2i_ECDSA_SIG)
NO(d2i_PUBKEY)
NO(d2i_PrivateKey)
NO(i2d_DSA_SIG)
NO(i2d_PUBKEY)
NO(i2d_PrivateKey)
NO(i2o_ECPublicKey)
NO(o2i_ECPublicKey)
