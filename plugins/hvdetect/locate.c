/* SMBIOS search over the dump's present physical pages (reference §6.1, §6.4). */
#include "locate.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE 4096u
#define LEGACY_FIRST_PFN 0xF0u /* physical 0xF0000 */
#define LEGACY_LAST_PFN 0xFFu  /* physical 0xFFFFF */

struct search {
    dp_ctx *ctx;
    struct hv_smbios_result *res;
    int best_rank;   /* rank of the anchor decoded so far; 0 = none */
    int saw_anchor;  /* an anchor that did not lead to a table (note says why) */
    uint8_t page[PAGE];
};

const char *hv_smbios_status_name(enum hv_smbios_status s)
{
    switch (s) {
    case HV_SMBIOS_READ: return "read";
    case HV_SMBIOS_NO_PHYS: return "no physical memory";
    case HV_SMBIOS_NOT_FOUND: return "not found";
    default: return "unreadable";
    }
}

/* The 64-bit entry is preferred: it describes the same table or a superset. */
static int anchor_rank(enum hv_anchor a) { return a == HV_ANCHOR_SM3 ? 3 : a == HV_ANCHOR_SM ? 2 : a == HV_ANCHOR_DMI ? 1 : 0; }

/* Reads up to LEN bytes at PADDR page by page, stopping at the first page the dump lacks. */
static size_t read_prefix(dp_ctx *ctx, uint64_t paddr, uint8_t *buf, size_t len)
{
    size_t got = 0;
    while (got < len) {
        uint64_t at = paddr + got;
        if (at < paddr) break; /* wrapped */
        size_t chunk = PAGE - (size_t)(at % PAGE);
        if (chunk > len - got) chunk = len - got;
        if (dp_read_phys(ctx, at, buf + got, chunk) != DP_OK) break;
        got += chunk;
    }
    return got;
}

static int decode_table(struct search *s, uint64_t entry_addr, const struct hv_smbios_entry *e,
                        struct hv_smbios_info *out)
{
    uint8_t *table = malloc(e->table_len); /* table_len <= HV_SMBIOS_TABLE_MAX, checked by the parser */
    if (!table) return DP_ERR_NOMEM;
    size_t got = read_prefix(s->ctx, e->table_addr, table, e->table_len);
    int rc = DP_ERR_FAULT;
    /* A 3.x length is only a maximum: decode what is present, the decoder wants the end structure. */
    if (got == e->table_len || (e->anchor == HV_ANCHOR_SM3 && got > 0))
        rc = hv_smbios_decode(table, got, e, out);
    free(table);
    if (rc == DP_ERR_FAULT)
        snprintf(s->res->note, sizeof s->res->note, "entry point at 0x%" PRIx64 ": table at 0x%" PRIx64
                 " (%u bytes) is not in the dump", entry_addr, e->table_addr, e->table_len);
    else if (rc == DP_ERR_BAD_DATA)
        snprintf(s->res->note, sizeof s->res->note, "entry point at 0x%" PRIx64 ": table at 0x%" PRIx64
                 " rejected: %s", entry_addr, e->table_addr, out->error);
    if (rc == DP_OK) out->entry_addr = entry_addr;
    return rc;
}

/* Tries the anchor at PADDR; keeps its table when it decodes and outranks what was found before. */
static int try_anchor(struct search *s, uint64_t paddr, enum hv_anchor anchor)
{
    if (anchor_rank(anchor) <= s->best_rank) return DP_OK;
    uint8_t buf[HV_SMBIOS_ENTRY_MAX];
    size_t got = read_prefix(s->ctx, paddr, buf, sizeof buf);
    struct hv_smbios_entry e;
    if (hv_smbios_parse_entry(buf, got, &e) != DP_OK) return DP_OK; /* a stray anchor-like string */
    s->saw_anchor = 1;
    struct hv_smbios_info *info = malloc(sizeof *info);
    if (!info) return DP_ERR_NOMEM;
    int rc = decode_table(s, paddr, &e, info);
    if (rc == DP_OK) {
        s->res->info = *info;
        s->best_rank = anchor_rank(anchor);
    }
    free(info);
    return rc == DP_ERR_NOMEM ? rc : DP_OK;
}

/* Scans one present page at 16-byte alignment. */
static int scan_page(struct search *s, uint64_t pfn)
{
    const uint8_t *p = dp_phys_page(s->ctx, pfn);
    if (!p) return DP_OK;
    memcpy(s->page, p, PAGE); /* the host's page pointer dies at the next page request */
    for (size_t off = 0; off < PAGE; off += 16) {
        enum hv_anchor a = hv_smbios_anchor_at(s->page + off, PAGE - off);
        if (a == HV_ANCHOR_NONE) continue;
        int rc = try_anchor(s, pfn * PAGE + off, a);
        if (rc != DP_OK) return rc;
        if (s->best_rank == anchor_rank(HV_ANCHOR_SM3)) break;
    }
    return DP_OK;
}

static int scan_legacy(struct search *s)
{
    for (uint64_t pfn = LEGACY_FIRST_PFN; pfn <= LEGACY_LAST_PFN; pfn++) {
        int rc = scan_page(s, pfn);
        if (rc != DP_OK) return rc;
    }
    return DP_OK;
}

/* UEFI firmware puts the entry point anywhere; the first table that decodes ends the search. */
static int scan_all(struct search *s)
{
    size_t runs = dp_phys_run_count(s->ctx);
    for (size_t i = 0; i < runs && !s->best_rank; i++) {
        uint64_t first, n;
        if (dp_phys_run(s->ctx, i, &first, &n) != DP_OK || first > UINT64_MAX / PAGE) continue;
        if (n > UINT64_MAX / PAGE - first) n = UINT64_MAX / PAGE - first;
        for (uint64_t pfn = first; pfn < first + n && !s->best_rank; pfn++) {
            if (pfn >= LEGACY_FIRST_PFN && pfn <= LEGACY_LAST_PFN) continue; /* searched already */
            int rc = scan_page(s, pfn);
            if (rc != DP_OK) return rc;
        }
    }
    return DP_OK;
}

/* ---- secondary dump data: small dumps carry the raw firmware table under its own tag ---- */

/* Decodes the raw table in a tag's data; DP_ERR_BAD_DATA when it holds none. */
static int decode_raw(const struct dp_dump_tag *tag, struct hv_smbios_info *out)
{
    struct hv_smbios_entry e;
    if (hv_smbios_parse_raw(tag->data, tag->size, &e) != DP_OK) return DP_ERR_BAD_DATA;
    return hv_smbios_decode(tag->data + HV_SMBIOS_RAW_HEADER, e.table_len, &e, out);
}

/* The SMBIOS tag first; then any tag whose data is a raw table (another writer, another GUID). */
static int scan_tags(dp_ctx *ctx, struct hv_smbios_result *res)
{
    size_t n = dp_dump_tag_count(ctx);
    struct hv_smbios_info *info = malloc(sizeof *info);
    if (!info) return DP_ERR_NOMEM;
    for (int pass = 0; pass < 2 && res->status != HV_SMBIOS_READ; pass++) {
        for (size_t i = 0; i < n; i++) {
            struct dp_dump_tag tag;
            if (dp_dump_tag_get(ctx, i, &tag) != DP_OK) continue;
            int smbios_tag = strcmp(tag.guid, HV_SMBIOS_DUMP_TAG) == 0;
            if (smbios_tag != (pass == 0)) continue;
            int rc = decode_raw(&tag, info);
            if (rc == DP_OK) {
                res->info = *info;
                res->status = HV_SMBIOS_READ;
                snprintf(res->tag, sizeof res->tag, "%s", tag.guid);
                break;
            }
            if (smbios_tag) {
                res->status = HV_SMBIOS_UNREADABLE;
                snprintf(res->note, sizeof res->note, "SMBIOS data in the dump's secondary data %s rejected: %.120s",
                         tag.guid, info->error[0] ? info->error : "not a raw SMBIOS table");
            }
        }
    }
    free(info);
    return DP_OK;
}

static void describe_found(struct hv_smbios_result *res)
{
    const struct hv_smbios_info *i = &res->info;
    if (i->entry.anchor == HV_ANCHOR_RAW) {
        snprintf(res->note, sizeof res->note, "SMBIOS %u.%u from the dump's secondary data %s, %u bytes, %u structures",
                 i->entry.major, i->entry.minor, res->tag, i->entry.table_len, i->n_structs);
        return;
    }
    static const char *const anchors[] = {"?", "_SM_", "_SM3_", "_DMI_"};
    snprintf(res->note, sizeof res->note, "SMBIOS %u.%u (%s entry point at 0x%" PRIx64 "), table at 0x%" PRIx64
             ", %u bytes, %u structures", i->entry.major, i->entry.minor, anchors[i->entry.anchor], i->entry_addr,
             i->entry.table_addr, i->table_used, i->n_structs);
}

static int scan_phys(dp_ctx *ctx, struct hv_smbios_result *res)
{
    struct search *s = calloc(1, sizeof *s);
    if (!s) return DP_ERR_NOMEM;
    s->ctx = ctx;
    s->res = res;
    int rc = scan_legacy(s);
    if (rc == DP_OK && !s->best_rank) rc = scan_all(s);
    if (s->best_rank) {
        res->status = HV_SMBIOS_READ;
    } else if (s->saw_anchor) {
        res->status = HV_SMBIOS_UNREADABLE;
    } else {
        res->status = HV_SMBIOS_NOT_FOUND;
        snprintf(res->note, sizeof res->note, "no SMBIOS entry point in the dump's physical memory");
    }
    free(s);
    return rc;
}

/* Physical memory first (the table as firmware left it), then the dump's secondary data. */
int hv_smbios_locate(dp_ctx *ctx, struct hv_smbios_result *res)
{
    memset(res, 0, sizeof *res);
    res->status = HV_SMBIOS_NOT_FOUND;
    int has_phys = dp_phys_run_count(ctx) > 0;
    int rc = has_phys ? scan_phys(ctx, res) : DP_OK;
    if (rc == DP_OK && res->status != HV_SMBIOS_READ) rc = scan_tags(ctx, res);
    if (res->status == HV_SMBIOS_READ) {
        describe_found(res);
    } else if (!has_phys && res->status == HV_SMBIOS_NOT_FOUND) {
        res->status = HV_SMBIOS_NO_PHYS;
        snprintf(res->note, sizeof res->note,
                 "this dump carries no SMBIOS table (no physical memory, none in its secondary data)");
    }
    return rc;
}
