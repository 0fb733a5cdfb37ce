#include "tag_match.h"

#include <string.h>

int pool_tag_matches(uint32_t tag, const char *pattern)
{
    size_t len = strlen(pattern);
    tag &= ~POOL_PROTECTED_BIT;
    for (unsigned i = 0; i < 4; i++) {
        char want = i < len ? pattern[i] : ' ';
        char have = (char)((tag >> (8 * i)) & 0xff);
        if (want == '*') return 1;
        if (want != '?' && want != have) return 0;
    }
    return len <= 4 || pattern[4] == '*';
}

uint32_t pool_tag_value(const char *text)
{
    uint32_t v = 0;
    size_t len = strlen(text);
    for (unsigned i = 0; i < 4; i++) v |= (uint32_t)(uint8_t)(i < len ? text[i] : ' ') << (8 * i);
    return v;
}
