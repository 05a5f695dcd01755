/* jsonfmt.c: re-indents valid JSON token by token, without building a tree. */
#include "jsonfmt.h"

static int newline(struct buf *b, int depth)
{
	int rc = buf_addc(b, '\n');
	for (int i = 0; i < depth && !rc; i++)
		rc = buf_add(b, "  ", 2);
	return rc;
}

int json_pretty(struct buf *b, const char *s, size_t n)
{
	int depth = 0, rc = 0;
	for (size_t i = 0; i < n && !rc; i++) {
		char c = s[i];
		switch (c) {
		case '"': {
			size_t j = i + 1;
			while (j < n && s[j] != '"')
				j += s[j] == '\\' ? 2 : 1;
			rc = buf_add(b, s + i, (j < n ? j + 1 : n) - i);
			i = j;
			break;
		}
		case '{':
		case '[': {
			size_t j = i + 1;
			while (j < n &&
			       (s[j] == ' ' || s[j] == '\n' || s[j] == '\t' || s[j] == '\r'))
				j++;
			if (j < n && (s[j] == '}' || s[j] == ']')) {
				rc = buf_addc(b, c) || buf_addc(b, s[j]);
				i = j;
				break;
			}
			rc = buf_addc(b, c) || newline(b, ++depth);
			break;
		}
		case '}':
		case ']':
			rc = newline(b, --depth) || buf_addc(b, c);
			break;
		case ',':
			rc = buf_addc(b, ',') || newline(b, depth);
			break;
		case ':':
			rc = buf_add(b, ": ", 2);
			break;
		case ' ':
		case '\n':
		case '\t':
		case '\r':
			break;
		default:
			rc = buf_addc(b, c);
		}
	}
	return rc;
}
