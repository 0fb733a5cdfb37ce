/* Container readers, on ELF files built here byte by byte (independent of tests/gen): QEMU's paging
 * ELF (virtual PT_LOADs, a page mapped twice, a device page without bytes) opens with its physical
 * runs and translates through p_vaddr; the notes give the architecture, QEMU's CPU states and a Linux
 * guest's release; raw recognition does not claim a file that is not memory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "dump/dump.h"
#include "dump/dump_internal.h"
#include "test_dump_builder.h"
#include "test_dump_open.h"

#include <elf.h>

#define KVA 0xfffff80000400000ull
#define PADDR 0x100000ull

struct elf_out {
    uint8_t buf[0x4000];
    size_t notes_len;
};

static void note(uint8_t *p, size_t *len, const char *name, uint32_t type, const void *desc, uint32_t n)
{
    uint32_t nsz = (uint32_t)strlen(name) + 1, h[3] = {nsz, n, type};
    memcpy(p + *len, h, 12);
    memcpy(p + *len + 12, name, nsz);
    *len += 12 + ((nsz + 3) & ~3u);
    memcpy(p + *len, desc, n);
    *len += (n + 3) & ~3u;
}

/* ELF64 core: PT_NOTE at 0x400; PT_LOADs: KVA -> PADDR (2 pages), the alias 0xffff888000100000 -> PADDR,
 * and the local APIC 0xfee00000 with no bytes. Data: page 0 of 0x11, page 1 of 0x22. */
static void write_paging_elf(const char *path, int with_notes)
{
    static struct elf_out o;
    memset(&o, 0, sizeof o);
    Elf64_Ehdr *e = (Elf64_Ehdr *)o.buf;
    memcpy(e->e_ident, ELFMAG, SELFMAG);
    e->e_ident[EI_CLASS] = ELFCLASS64, e->e_ident[EI_DATA] = ELFDATA2LSB, e->e_ident[EI_VERSION] = EV_CURRENT;
    e->e_type = ET_CORE, e->e_machine = EM_X86_64, e->e_version = EV_CURRENT;
    e->e_phoff = sizeof *e, e->e_ehsize = sizeof *e, e->e_phentsize = sizeof(Elf64_Phdr), e->e_phnum = 4;
    uint8_t *notes = o.buf + 0x400;
    size_t len = 0;
    if (with_notes) {
        uint8_t prstatus[0x150] = {0}, qemu[440] = {0};
        uint64_t cr3 = 0x1ad000, gs = 0xfffff8047a000000ull;
        memcpy(qemu + 8 + 18 * 8 + 4 * 24 + 16, &gs, 8);  /* gs.base */
        memcpy(qemu + 8 + 18 * 8 + 10 * 24 + 24, &cr3, 8); /* cr[3] */
        note(notes, &len, "CORE", NT_PRSTATUS, prstatus, sizeof prstatus);
        note(notes, &len, "QEMU", 0, qemu, sizeof qemu);
        const char vmci[] = "OSRELEASE=6.1.0-56-cloud-amd64\nPAGESIZE=4096\n";
        note(notes, &len, "VMCOREINFO", 0, vmci, sizeof vmci - 1);
    }
    Elf64_Phdr *p = (Elf64_Phdr *)(o.buf + sizeof *e);
    p[0] = (Elf64_Phdr){.p_type = PT_NOTE, .p_offset = 0x400, .p_filesz = len, .p_memsz = len};
    p[1] = (Elf64_Phdr){.p_type = PT_LOAD, .p_offset = 0x2000, .p_vaddr = KVA, .p_paddr = PADDR, .p_filesz = 0x2000, .p_memsz = 0x2000};
    p[2] = (Elf64_Phdr){.p_type = PT_LOAD, .p_offset = 0x2000, .p_vaddr = 0xffff888000000000ull + PADDR, .p_paddr = PADDR,
                        .p_filesz = 0x1000, .p_memsz = 0x1000};
    p[3] = (Elf64_Phdr){.p_type = PT_LOAD, .p_offset = 0x4000, .p_vaddr = 0xfffff7fbc0000000ull, .p_paddr = 0xfee00000ull,
                        .p_filesz = 0, .p_memsz = 0x1000};
    memset(o.buf + 0x2000, 0x11, 0x1000);
    memset(o.buf + 0x3000, 0x22, 0x1000);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(o.buf, 1, sizeof o.buf, f), sizeof o.buf);
    fclose(f);
}


static void paging_elf(void **st)
{
    (void)st;
    char *dir = tb_mkdtemp(), path[256];
    snprintf(path, sizeof path, "%s/paging.elf", dir);
    write_paging_elf(path, 0);
    struct dp_dump *d = tdo_open_ok(path);
    uint64_t first, n, pa;
    assert_int_equal(dp_dump_run_count(d), 1); /* the alias and the device page add nothing */
    assert_int_equal(dp_dump_run(d, 0, &first, &n), DP_OK);
    assert_int_equal(first, PADDR >> 12);
    assert_int_equal(n, 2);
    uint8_t b[8];
    assert_int_equal(dp_dump_read_virt(d, KVA + 0x1ff8, b, sizeof b), DP_OK); /* straddles nothing, page 1 */
    assert_int_equal(b[0], 0x22);
    assert_int_equal(dp_dump_translate(d, KVA + 0x1010, &pa), DP_OK);
    assert_int_equal(pa, PADDR + 0x1010);
    assert_int_equal(dp_dump_read_virt(d, 0xfffff7fbc0000000ull, b, 1), DP_ERR_FAULT);
    assert_int_equal(dp_dump_read_phys(d, 0xfee00000ull, b, 1), DP_ERR_FAULT);
    dp_dump_close(d);
    tb_rmdir(dir);
}

static void notes_name_the_guest(void **st)
{
    (void)st;
    char *dir = tb_mkdtemp(), path[256];
    snprintf(path, sizeof path, "%s/linux.elf", dir);
    write_paging_elf(path, 1);
    struct dp_dump *d = tdo_open_ok(path);
    const struct dp_dump_info *i = dp_dump_get_info(d);
    assert_int_equal(i->arch, DP_ARCH_X64);
    assert_string_equal(i->os, "linux");
    assert_string_equal(i->os_release, "6.1.0-56-cloud-amd64");
    assert_int_equal(d->notes.n_vcpus, 1);
    assert_int_equal(d->notes.vcpus[0].cr3, 0x1ad000);
    assert_int_equal(d->notes.vcpus[0].gs_base, 0xfffff8047a000000ull);
    assert_int_not_equal(d->notes.vmcoreinfo_size, 0);
    dp_dump_close(d);
    tb_rmdir(dir);
}

/* 1 MiB of a repeating text is no memory image: not claimed by content, taken flat when named raw */
static void raw_recognition(void **st)
{
    (void)st;
    char *dir = tb_mkdtemp(), path[256], err[512] = "";
    snprintf(path, sizeof path, "%s/notes.txt", dir);
    FILE *f = fopen(path, "wb");
    static const char *const lines[] = {"_SM_ not a table\n", "SM_ not a table\n"};
    for (int i = 0; i < (1 << 20) / 16; i++) fputs(lines[i & 1], f);
    for (long pad = ftell(f); pad % 4096; pad++) fputc(' ', f);
    fclose(f);
    struct dp_dump *d = NULL;
    assert_int_equal(dp_dump_open(path, &d, err, sizeof err), DP_ERR_BAD_DATA);
    assert_int_equal(dp_dump_open_format(path, "raw", &d, err, sizeof err), DP_OK);
    assert_string_equal(dp_dump_get_info(d)->format, "raw");
    assert_int_equal(dp_dump_run_count(d), 1);
    dp_dump_close(d);
    tb_rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(paging_elf), cmocka_unit_test(notes_name_the_guest),
                                       cmocka_unit_test(raw_recognition)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
