// SPDX-License-Identifier: MIT
/*
 * names.c - container and network names.
 *
 * DOC: Theory of operation
 * A name becomes a file under /run/netns and a row key, so it must be safe
 * as a path component: Docker's rule [a-zA-Z0-9][a-zA-Z0-9_.-]+ (which
 * already excludes "/", ".", ".." and spaces) with a length limit.
 * Generated names follow Docker's "adjective_scientist" pattern.
 */
#include <stdio.h>
#include <string.h>
#include "cnm.h"
#include "names.h"

static bool alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/**
 * cnm_name_valid() - is @name acceptable for a container or network?
 * @name: the candidate
 *
 * Return: true for 2 to CNM_NAME_MAX characters of [a-zA-Z0-9_.-] starting
 * with a letter or digit.
 */
bool cnm_name_valid(const char *name)
{
	size_t len;

	if (!name)
		return false;
	len = strlen(name);
	if (len < 2 || len > CNM_NAME_MAX || !alnum(name[0]))
		return false;
	for (size_t i = 1; i < len; i++)
		if (!alnum(name[i]) && !strchr("_.-", name[i]))
			return false;
	return true;
}

/* RFC 1123 host names: labels of letters, digits and inner hyphens, joined by dots; 1..63. */
bool cnm_hostname_valid(const char *name)
{
	size_t len = name ? strlen(name) : 0;

	if (len < 1 || len > 63)
		return false;
	/* dotted labels, as Docker takes them (db.example.com), each 1 to 63 long */
	for (size_t i = 0; i < len; i++) {
		bool start = i == 0 || name[i - 1] == '.', end = i + 1 == len || name[i + 1] == '.';

		if (name[i] == '.' ? start || end
				   : (!alnum(name[i]) && name[i] != '-') ||
				     (name[i] == '-' && (start || end)))
			return false;
	}
	return true;
}

static const char *const adjectives[] = {
	"admiring", "amazing", "blissful", "bold", "brave", "busy", "calm", "clever",
	"cool", "dazzling", "eager", "elastic", "festive", "focused", "gallant", "happy",
	"hopeful", "jolly", "keen", "kind", "lucid", "modest", "nifty", "optimistic",
	"quirky", "relaxed", "serene", "sharp", "stoic", "tender", "vibrant", "zen",
};
static const char *const scientists[] = {
	"archimedes", "babbage", "bohr", "curie", "darwin", "dijkstra", "einstein", "euler",
	"faraday", "feynman", "gauss", "hopper", "hypatia", "kepler", "knuth", "lamport",
	"lovelace", "maxwell", "meitner", "newton", "noether", "pascal", "ritchie", "shannon",
	"tesla", "thompson", "torvalds", "turing", "volta", "wozniak", "yalow", "zuse",
};

/**
 * cnm_name_generate() - "adjective_scientist" from two random numbers.
 * @out: buffer
 * @len: its size
 * @r1: random number choosing the words
 * @r2: when non-zero, appended as a suffix (used after a collision)
 */
void cnm_name_generate(char *out, size_t len, unsigned int r1, unsigned int r2)
{
	const char *a = adjectives[r1 % (sizeof(adjectives) / sizeof(adjectives[0]))];
	const char *s = scientists[(r1 / 32) % (sizeof(scientists) / sizeof(scientists[0]))];

	if (r2)
		snprintf(out, len, "%s_%s%u", a, s, r2 % 100);
	else
		snprintf(out, len, "%s_%s", a, s);
}
