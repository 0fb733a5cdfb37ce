/* Special pool and Driver Verifier bug checks: 0xC1, 0xC6, 0xCC, 0xCD, 0xD5, 0xD6 (0xC4 has its own file).
 * Facts from Microsoft's bug check reference pages (MicrosoftDocs/windows-driver-docs, checkout of
 * 2025-11-12); the wording is ours. */
#include "bc_tables.h"

/* 0xC1 is the one code whose subtype sits in Arg4: the rows describe Arg1..Arg3. */
static const struct bc_subtype special_pool_corruption[] = {
    BC_SUB(0x20, "a driver freed pool that was never allocated.",
           BC_ADDR("the address the driver tried to free.", POOL_ENTRY, POOL), BC_RESERVED, BC_TXT("0.")),
    BC_SUB(0x21, "a driver freed a bad address.", BC_ADDR("the address the driver tried to free.", POOL_ENTRY, POOL),
           BC_TXT("the number of bytes requested."), BC_TXT("the number of bytes actually handed out.")),
    BC_SUB(0x22, "a driver freed a bad address.", BC_ADDR("the address the driver tried to free.", POOL_ENTRY, POOL),
           BC_TXT("the number of bytes requested."), BC_TXT("the number of bytes actually handed out.")),
    BC_SUB(0x23, "a driver freed an address whose neighbouring bytes on the same page are corrupt.",
           BC_ADDR("the address the driver tried to free.", POOL_ENTRY, POOL),
           BC_ADDR("the address where the bytes are corrupt.", ADDRESS_TOUCHED, POOL), BC_RESERVED),
    BC_SUB(0x24, "a driver freed an address, and bytes past the end of the allocation were overwritten.",
           BC_ADDR("the address the driver tried to free.", POOL_ENTRY, POOL),
           BC_ADDR("the address where the bytes are corrupt.", ADDRESS_TOUCHED, POOL), BC_RESERVED),
    BC_SUB(0x30, "a driver allocated pool at an IRQL that does not allow it.", BC_TXT("the current IRQL."),
           BC_TXT("the pool type (0 nonpaged, 1 paged)."), BC_TXT("the number of bytes.")),
    BC_SUB(0x31, "a driver freed pool at an IRQL that does not allow it.", BC_TXT("the current IRQL."),
           BC_TXT("the pool type (0 nonpaged, 1 paged)."),
           BC_ADDR("the address the driver tried to free.", POOL_ENTRY, POOL)),
    BC_SUB(0x32, "a driver freed an address, and a nearby byte on the same page has a single-bit error.",
           BC_ADDR("the address the driver tried to free.", POOL_ENTRY, POOL),
           BC_ADDR("the address of the flipped bit.", BAD_BIT_ADDRESS, POOL), BC_RESERVED),
};

#define SPECIAL_POOL_MORE "Special pool put the allocation on its own page, so the access hit a guard or freed page\n" \
                          "the moment it happened: the code address names the culprit directly."

static const struct bc_detail special_rows[] = {
    {.code = 0xC1,
     .description = "Special pool found that a driver wrote to a part of its page it does not own,\n"
                    "or freed or allocated special pool the wrong way.",
     .more = "The driver that freed or allocated the block is the one to examine: special pool caught it\n"
             "when it released or requested the memory.",
     .params = {BC_TXT("depends on Arg4."), BC_TXT("depends on Arg4."), BC_TXT("depends on Arg4."),
                BC_TXT("the kind of violation; it sets the meaning of Arg1-Arg3.")},
     .selector = 4,
     BC_SUBTYPES(special_pool_corruption)},
    {.code = 0xC6,
     .description = "A driver touched a pool block after freeing it; the verifier kept the block to catch this.",
     .more = "Look for the code that still holds a pointer to the freed block.",
     .params = {BC_ADDR("the memory address that was referenced.", ADDRESS_TOUCHED, POOL),
                BC_TXT("0: read, 1: write."), BC_TXT("0: kernel mode, 1: user mode."), BC_RESERVED}},
    {.code = 0xCC,
     .description = "The system touched memory that had been freed from special pool.",
     .more = SPECIAL_POOL_MORE,
     .params = {BC_ADDR("the memory address that was referenced.", ADDRESS_TOUCHED, POOL),
                BC_TXT("0: read, 1: write."),
                BC_ADDR("the address of the code that made the reference, if known.", CODE_ADDRESS, CODE),
                BC_RESERVED}},
    {.code = 0xCD,
     .description = "The system touched memory past the end of a special pool allocation.",
     .more = SPECIAL_POOL_MORE,
     .params = {BC_ADDR("the memory address that was referenced.", ADDRESS_TOUCHED, POOL),
                BC_TXT("0: read, 1: write."),
                BC_ADDR("the address of the code that made the reference, if known.", CODE_ADDRESS, CODE),
                BC_RESERVED}},
    {.code = 0xD5,
     .description = "A driver touched memory that had been freed from special pool.",
     .more = SPECIAL_POOL_MORE,
     .params = {BC_ADDR("the memory address that was referenced.", ADDRESS_TOUCHED, POOL),
                BC_TXT("0: read, 1: write."),
                BC_ADDR("the address of the code that made the reference, if known.", CODE_ADDRESS, CODE),
                BC_RESERVED}},
    {.code = 0xD6,
     .description = "A driver touched memory past the end of its special pool allocation.",
     .more = SPECIAL_POOL_MORE,
     .params = {BC_ADDR("the memory address that was referenced.", ADDRESS_TOUCHED, POOL),
                BC_TXT("0: read, 1: write."),
                BC_ADDR("the address of the code that made the reference, if known.", CODE_ADDRESS, CODE),
                BC_RESERVED}},
};

BC_TABLE(bc_special_table, special_rows);
