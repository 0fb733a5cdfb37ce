/* Matching pool tags against tags as people write them (pooltag.txt, find_tag). Shared with tagattrib. */
#ifndef POOLWALK_TAG_MATCH_H
#define POOLWALK_TAG_MATCH_H

#include <stdint.h>

#define POOL_PROTECTED_BIT 0x80000000u

/* PATTERN is a tag as written by people: up to 4 characters, '?' matches any one, '*' the rest,
 * shorter patterns are space-padded. */
int pool_tag_matches(uint32_t tag, const char *pattern);
/* The dword a tag of up to 4 characters is stored as (space-padded, first character lowest). */
uint32_t pool_tag_value(const char *text);

#endif
