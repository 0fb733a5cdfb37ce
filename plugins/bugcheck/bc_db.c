/* Lookup and decoding over the bug check tables. */
#include "bc_db.h"

#include <stdio.h>
#include <string.h>

#include "bc_tables.h"

#define BC_NAME(code, name, cls) {code, name, BC_CLASS_##cls},
static const struct bc_name bc_names[] = {
#include "bugcheck_names.def"
};
#undef BC_NAME

static const struct bc_param bc_undescribed = {0};

size_t bc_name_count(void) { return sizeof(bc_names) / sizeof(bc_names[0]); }

const struct bc_name *bc_name_at(size_t index) { return index < bc_name_count() ? &bc_names[index] : NULL; }

static const struct bc_detail_table *const bc_tables[] = {&bc_pool_table,   &bc_special_table, &bc_verifier_table,
                                                           &bc_mm_table,     &bc_except_table,  &bc_other_table,
                                                           &bc_generic_table};
#define BC_N_TABLES (sizeof(bc_tables) / sizeof(bc_tables[0]))

size_t bc_detail_count(void)
{
    size_t n = 0;
    for (size_t t = 0; t < BC_N_TABLES; t++) n += bc_tables[t]->n;
    return n;
}

const struct bc_detail *bc_detail_at(size_t index)
{
    for (size_t t = 0; t < BC_N_TABLES; t++) {
        if (index < bc_tables[t]->n) return &bc_tables[t]->rows[index];
        index -= bc_tables[t]->n;
    }
    return NULL;
}

const struct bc_detail *bc_detail_find(uint32_t code)
{
    for (size_t i = 0; i < bc_detail_count(); i++)
        if (bc_detail_at(i)->code == code) return bc_detail_at(i);
    return NULL;
}

static const struct bc_name *bc_name_find(uint32_t code)
{
    size_t lo = 0, hi = bc_name_count();
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (bc_names[mid].code == code) return &bc_names[mid];
        if (bc_names[mid].code < code) lo = mid + 1;
        else hi = mid;
    }
    return NULL;
}

const char *bc_class_name(enum bc_class cls)
{
    switch (cls) {
    case BC_CLASS_POOL_CORRUPTION: return "POOL_CORRUPTION";
    case BC_CLASS_MEMORY_CORRUPTION: return "MEMORY_CORRUPTION";
    case BC_CLASS_SPECIAL_POOL: return "SPECIAL_POOL";
    case BC_CLASS_EXCEPTION: return "EXCEPTION";
    case BC_CLASS_HARDWARE: return "HARDWARE";
    case BC_CLASS_HANG: return "HANG";
    case BC_CLASS_OTHER: break;
    }
    return "OTHER";
}

const char *bc_role_name(enum bc_role role)
{
    switch (role) {
    case BC_ROLE_POOL_ENTRY: return "pool_entry";
    case BC_ROLE_NEXT_POOL_ENTRY: return "next_pool_entry";
    case BC_ROLE_ADDRESS_TOUCHED: return "address_touched";
    case BC_ROLE_CODE_ADDRESS: return "code_address";
    case BC_ROLE_EXCEPTION_ADDRESS: return "exception_address";
    case BC_ROLE_BAD_BIT_ADDRESS: return "bad_bit_address";
    case BC_ROLE_NONE: break;
    }
    return "none";
}

const char *bc_kind_name(enum bc_kind kind)
{
    switch (kind) {
    case BC_KIND_POOL: return "pool";
    case BC_KIND_CODE: return "code";
    case BC_KIND_DATA: break;
    }
    return "data";
}

int bc_class_is_critical(enum bc_class cls)
{
    return cls == BC_CLASS_POOL_CORRUPTION || cls == BC_CLASS_MEMORY_CORRUPTION || cls == BC_CLASS_SPECIAL_POOL ||
           cls == BC_CLASS_HARDWARE;
}

/* _M variants: the same stop as the base code, raised through another path (their own name is kept). */
static int bc_is_m_variant(uint32_t code) { return (code & 0xF0000000u) == BC_M_FLAG; }

int bc_lookup(uint32_t code, struct bc_lookup *out)
{
    memset(out, 0, sizeof(*out));
    out->code = code;
    uint32_t base = bc_is_m_variant(code) ? code & ~BC_M_FLAG : code;
    const struct bc_name *own = bc_name_find(code);
    const struct bc_name *base_name = bc_name_find(base);
    if (own) snprintf(out->name, sizeof(out->name), "%s", own->name);
    else if (base_name) snprintf(out->name, sizeof(out->name), "%s_M", base_name->name);
    else snprintf(out->name, sizeof(out->name), "UNKNOWN_BUGCHECK");
    out->known = own || base_name;
    out->cls = base_name ? base_name->cls : own ? own->cls : BC_CLASS_OTHER;
    out->detail = bc_detail_find(base);
    return out->known;
}

static const struct bc_subtype *bc_subtype_find(const struct bc_detail *d, uint64_t value)
{
    for (size_t i = 0; i < d->n_subtypes; i++)
        if (d->subtypes[i].value == value) return &d->subtypes[i];
    return NULL;
}

void bc_decode(uint32_t code, const uint64_t params[4], struct bc_decoded *out)
{
    memset(out, 0, sizeof(*out));
    bc_lookup(code, &out->lk);
    memcpy(out->params, params, sizeof(out->params));
    const struct bc_detail *d = out->lk.detail;
    for (unsigned i = 0; i < 4; i++) out->meta[i] = d ? &d->params[i] : &bc_undescribed;
    if (!d || d->selector < 1 || d->selector > 4) return;
    out->has_subtype = 1;
    out->subtype = params[d->selector - 1];
    out->sub = bc_subtype_find(d, out->subtype);
    if (!out->sub) return;
    /* The selected case gives the other three parameters their meaning, in parameter order; a row that
     * leaves one undescribed keeps the code's general meaning for it. */
    for (unsigned i = 0, k = 0; i < 4; i++) {
        if (i == d->selector - 1) continue;
        if (out->sub->others[k].text) out->meta[i] = &out->sub->others[k];
        k++;
    }
}

size_t bc_addresses(const struct bc_decoded *d, struct bc_address out[4])
{
    size_t n = 0;
    for (unsigned i = 0; i < 4; i++) {
        const struct bc_param *m = d->meta[i];
        if (m->role == BC_ROLE_NONE || d->params[i] == 0) continue;
        /* exception codes are NTSTATUS values: x64 dumps may carry them sign-extended */
        if (m->only_if_arg1 && (uint32_t)d->params[0] != m->only_if_arg1) continue;
        out[n++] = (struct bc_address){.addr = d->params[i], .role = m->role, .kind = m->kind, .param = i + 1};
    }
    return n;
}
