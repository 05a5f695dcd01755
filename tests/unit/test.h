/*
 * test.h: a tiny test registry (after libuv's test-list.h).
 *
 * Each tests/unit/test_<module>.c defines tests with TEST(name) { ... } and
 * checks with CHECK(cond) / CHECK_STR(a, b) / CHECK_INT(a, b). The runner
 * (tests/unit/main.c) runs every registered test, or those whose name contains
 * argv[1], and ends with "N passed, N failed".
 */
#ifndef VB_TEST_H
#define VB_TEST_H

#include <stdio.h>
#include <string.h>

struct test_case {
	const char *name;
	void (*fn)(int *failed);
	struct test_case *next;
};
void test_register(struct test_case *t);

/* A new, empty store at a fresh path under /tmp (written to path; cap of 32
 * or more), or NULL. test_store_remove closes s (when not NULL) and deletes
 * the store's files. */
struct store;
struct store *test_store_new(char *path, size_t cap);
void test_store_remove(struct store *s, const char *path);

#define TEST(name)                                                                                 \
	static void test_##name(int *failed_);                                                     \
	static struct test_case tc_##name = {#name, test_##name, NULL};                            \
	__attribute__((constructor)) static void reg_##name(void)                                  \
	{                                                                                          \
		test_register(&tc_##name);                                                         \
	}                                                                                          \
	static void test_##name(int *failed_)

#define CHECK(c)                                                                                   \
	do {                                                                                       \
		if (!(c)) {                                                                        \
			fprintf(stderr, "  %s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #c);    \
			*failed_ = 1;                                                              \
		}                                                                                  \
	} while (0)

#define CHECK_INT(a, b)                                                                            \
	do {                                                                                       \
		long long a_ = (long long)(a), b_ = (long long)(b);                                \
		if (a_ != b_) {                                                                    \
			fprintf(stderr, "  %s:%d: %s == %lld, expected %lld\n", __FILE__,          \
				__LINE__, #a, a_, b_);                                             \
			*failed_ = 1;                                                              \
		}                                                                                  \
	} while (0)

#define CHECK_STR(a, b)                                                                            \
	do {                                                                                       \
		const char *a_ = (a), *b_ = (b);                                                   \
		if (!a_ || !b_ || strcmp(a_, b_) != 0) {                                           \
			fprintf(stderr, "  %s:%d: %s == \"%s\", expected \"%s\"\n", __FILE__,      \
				__LINE__, #a, a_ ? a_ : "(null)", b_ ? b_ : "(null)");             \
			*failed_ = 1;                                                              \
		}                                                                                  \
	} while (0)

#endif
