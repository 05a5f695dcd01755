/*
 * cred.h: credentials: API tokens, session ids, password hashes and the
 * keyed hash under which tokens and session ids are stored.
 *
 * A token is "vb_" followed by the base64url (no padding) form of 32 random
 * bytes from libsodium; it is shown once and stored only as
 * crypto_generichash(token, instance key) together with a short prefix for
 * listing. Passwords are stored as argon2id strings (crypto_pwhash_str).
 * libsodium must be initialised (main.c does) before any of these run.
 */
#ifndef VB_CRED_H
#define VB_CRED_H

#include <stddef.h>

#include "../store/store_ident.h"

#define CRED_TOKEN_RANDOM 32
#define CRED_TOKEN_LEN	  48   /* "vb_" + 43 base64url characters + NUL */
#define CRED_PREFIX_LEN	  10   /* "vb_" + 6 characters, listed to tell tokens apart */
#define CRED_PASSWORD_MAX 1024 /* longest password accepted (bytes) */
#define CRED_PASSWORD_MIN 12

/* The keyed hash of a secret (token or session id). */
void cred_hash(const unsigned char key[IDENT_KEY_LEN], const char *secret, size_t n,
	       unsigned char out[IDENT_HASH_LEN]);
/* A fresh token (NUL-terminated) and its listing prefix. */
void cred_token_new(char token[CRED_TOKEN_LEN], char prefix[CRED_PREFIX_LEN + 1]);
/* 1 when s has the form of a token (cheap syntactic check before hashing). */
int cred_token_wellformed(const char *s, size_t n);
/* base64url without padding of n bytes into out (at least 4 * n / 3 + 2 bytes). */
void cred_b64url(const unsigned char *p, size_t n, char *out);
/* Decodes base64url (no padding) into out (cap bytes); returns the length or -1. */
long cred_b64url_decode(const char *s, size_t n, unsigned char *out, size_t cap);

/* The argon2id string of a password into out. Returns 0, VB_EUSAGE when the
 * password is shorter than CRED_PASSWORD_MIN or longer than
 * CRED_PASSWORD_MAX, VB_ENOMEM when hashing runs out of memory. */
int cred_password_hash(const char *pw, size_t n, char out[IDENT_PWHASH_MAX]);
/* 0 when pw matches the stored argon2id string, VB_EDENIED otherwise. */
int cred_password_verify(const char *stored, const char *pw, size_t n);
/* Spends about the time of one verification without a stored hash, so a
 * login for an unknown user takes as long as one for a known user. */
void cred_password_dummy(const char *pw, size_t n);

/* Reads a password from stdin: one line when stdin is not a terminal,
 * otherwise a prompt on /dev/tty with echo off (asked twice when confirm).
 * Returns 0 with out filled (NUL-terminated, newline removed), or
 * VB_EUSAGE / VB_EIO with a message on stderr. */
int cred_read_password(const char *prompt, int confirm, char *out, size_t cap);

#endif
