/*
 * cred.c: tokens, keyed hashes, argon2id passwords, password prompts.
 */
#include "cred.h"
#include "../util/err.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

void cred_hash(const unsigned char key[IDENT_KEY_LEN], const char *secret, size_t n,
	       unsigned char out[IDENT_HASH_LEN])
{
	crypto_generichash(out, IDENT_HASH_LEN, (const unsigned char *)secret, n, key,
			   IDENT_KEY_LEN);
}

void cred_b64url(const unsigned char *p, size_t n, char *out)
{
	sodium_bin2base64(out,
			  sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_URLSAFE_NO_PADDING), p,
			  n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

long cred_b64url_decode(const char *s, size_t n, unsigned char *out, size_t cap)
{
	size_t len = 0;
	if (sodium_base642bin(out, cap, s, n, NULL, &len, NULL,
			      sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
		return -1;
	return (long)len;
}

void cred_token_new(char token[CRED_TOKEN_LEN], char prefix[CRED_PREFIX_LEN + 1])
{
	unsigned char r[CRED_TOKEN_RANDOM];
	randombytes_buf(r, sizeof r);
	memcpy(token, "vb_", 3);
	cred_b64url(r, sizeof r, token + 3);
	sodium_memzero(r, sizeof r);
	memcpy(prefix, token, CRED_PREFIX_LEN);
	prefix[CRED_PREFIX_LEN] = 0;
}

int cred_token_wellformed(const char *s, size_t n)
{
	if (n != 3 + 43 || memcmp(s, "vb_", 3) != 0)
		return 0;
	for (size_t i = 3; i < n; i++) {
		char c = s[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_'))
			return 0;
	}
	return 1;
}

int cred_password_hash(const char *pw, size_t n, char out[IDENT_PWHASH_MAX])
{
	if (n < CRED_PASSWORD_MIN || n > CRED_PASSWORD_MAX)
		return VB_EUSAGE;
	_Static_assert(crypto_pwhash_STRBYTES <= IDENT_PWHASH_MAX, "pwhash buffer");
	if (crypto_pwhash_str_alg(out, pw, n, crypto_pwhash_OPSLIMIT_INTERACTIVE,
				  crypto_pwhash_MEMLIMIT_INTERACTIVE,
				  crypto_pwhash_ALG_ARGON2ID13) != 0)
		return VB_ENOMEM;
	return 0;
}

int cred_password_verify(const char *stored, const char *pw, size_t n)
{
	if (n > CRED_PASSWORD_MAX)
		return VB_EDENIED;
	return crypto_pwhash_str_verify(stored, pw, n) == 0 ? 0 : VB_EDENIED;
}

void cred_password_dummy(const char *pw, size_t n)
{
	char tmp[crypto_pwhash_STRBYTES];
	if (n > CRED_PASSWORD_MAX)
		n = CRED_PASSWORD_MAX;
	if (crypto_pwhash_str_alg(tmp, pw, n, crypto_pwhash_OPSLIMIT_INTERACTIVE,
				  crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13))
		return; /* out of memory: only the timing equalisation is lost */
	sodium_memzero(tmp, sizeof tmp);
}

static int read_line(FILE *f, char *out, size_t cap)
{
	if (!fgets(out, (int)cap, f))
		return VB_EIO;
	size_t n = strlen(out);
	if (n && out[n - 1] == '\n')
		out[--n] = 0;
	else if (n + 1 == cap)
		return VB_EUSAGE; /* longer than the buffer */
	if (n && out[n - 1] == '\r')
		out[--n] = 0;
	return 0;
}

static int prompt_tty(const char *prompt, char *out, size_t cap)
{
	FILE *tty = fopen("/dev/tty", "r+");
	if (!tty)
		return VB_EIO;
	struct termios old, quiet;
	int have = tcgetattr(fileno(tty), &old) == 0;
	if (have) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(fileno(tty), TCSAFLUSH, &quiet);
	}
	fprintf(tty, "%s", prompt);
	fflush(tty);
	int rc = read_line(tty, out, cap);
	if (have)
		tcsetattr(fileno(tty), TCSAFLUSH, &old);
	fputc('\n', tty);
	fclose(tty);
	return rc;
}

int cred_read_password(const char *prompt, int confirm, char *out, size_t cap)
{
	int rc;
	if (!isatty(0)) {
		rc = read_line(stdin, out, cap);
		if (rc)
			fprintf(stderr, "verbinding: no password on stdin (one line expected)\n");
		return rc;
	}
	rc = prompt_tty(prompt, out, cap);
	if (rc) {
		fprintf(stderr, "verbinding: could not read a password from the terminal\n");
		return rc;
	}
	if (confirm) {
		char again[CRED_PASSWORD_MAX + 2];
		rc = prompt_tty("again: ", again, sizeof again);
		int same = !rc && strcmp(again, out) == 0;
		sodium_memzero(again, sizeof again);
		if (!same) {
			sodium_memzero(out, cap);
			fprintf(stderr, "verbinding: the passwords differ\n");
			return VB_EUSAGE;
		}
	}
	return 0;
}
