/* Dumps that are not Windows crash dumps go to libkdumpfile: an ELF core built here must open, name its
 * format, and serve physical reads of its PT_LOAD pages (and fail on pages it does not hold). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include "test_dump_open.h"

#include "dump/dump.h"
#include "test_dump_builder.h"

#include <elf.h>

#define LOAD_PADDR 0x100000ull
#define LOAD_PAGES 3u

/* ELF64 x86-64 core: one PT_LOAD of LOAD_PAGES pages at LOAD_PADDR, page p filled with byte 0x40 + p. */
static void write_elf(const char *path)
{
    static uint8_t buf[0x1000 + LOAD_PAGES * 4096];
    memset(buf, 0, sizeof buf);
    Elf64_Ehdr *e = (Elf64_Ehdr *)buf;
    memcpy(e->e_ident, ELFMAG, SELFMAG);
    e->e_ident[EI_CLASS] = ELFCLASS64;
    e->e_ident[EI_DATA] = ELFDATA2LSB;
    e->e_ident[EI_VERSION] = EV_CURRENT;
    e->e_type = ET_CORE;
    e->e_machine = EM_X86_64;
    e->e_version = EV_CURRENT;
    e->e_phoff = sizeof *e;
    e->e_ehsize = sizeof *e;
    e->e_phentsize = sizeof(Elf64_Phdr);
    e->e_phnum = 1;
    Elf64_Phdr *p = (Elf64_Phdr *)(buf + sizeof *e);
    p->p_type = PT_LOAD;
    p->p_flags = PF_R | PF_W | PF_X;
    p->p_offset = 0x1000;
    p->p_vaddr = 0xffff888000000000ull + LOAD_PADDR;
    p->p_paddr = LOAD_PADDR;
    p->p_filesz = p->p_memsz = LOAD_PAGES * 4096;
    p->p_align = 4096;
    for (unsigned i = 0; i < LOAD_PAGES; i++) memset(buf + 0x1000 + i * 4096, 0x40 + i, 4096);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fwrite(buf, 1, sizeof buf, f);
    fclose(f);
}

static void elf_core(void **st)
{
    (void)st;
    char *dir = tb_mkdtemp(), path[256];
    snprintf(path, sizeof path, "%s/vmcore", dir);
    write_elf(path);
    struct dp_dump *d = tdo_open_ok(path);
    const struct dp_dump_info *i = dp_dump_get_info(d);
    assert_string_equal(i->format, "elf");
    assert_string_equal(i->dump_type, "complete");
    assert_int_equal(i->arch, DP_ARCH_X64);
    assert_int_equal(i->page_size, 4096);

    uint8_t b[16];
    assert_int_equal(dp_dump_read_phys(d, LOAD_PADDR + 4096 + 10, b, sizeof b), DP_OK);
    for (unsigned k = 0; k < sizeof b; k++) assert_int_equal(b[k], 0x41);
    const uint8_t *page = dp_dump_phys_page(d, (LOAD_PADDR >> 12) + 2);
    assert_non_null(page);
    assert_int_equal(page[4095], 0x42);
    assert_int_not_equal(dp_dump_read_phys(d, LOAD_PADDR + LOAD_PAGES * 4096, b, 1), DP_OK);
    assert_null(dp_dump_phys_page(d, 0x10));

    uint64_t first, n;
    assert_int_equal(dp_dump_run_count(d), 1);
    assert_int_equal(dp_dump_run(d, 0, &first, &n), DP_OK);
    assert_int_equal(first, LOAD_PADDR >> 12);
    assert_int_equal(n, LOAD_PAGES);
    assert_int_equal(dp_dump_module_count(d), 0);
    dp_dump_close(d);
    tb_rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(elf_core)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
