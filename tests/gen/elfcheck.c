/* dpgen_elfcheck FILE PADDR HEXBYTES: opens FILE with libkdumpfile, checks it was recognised as
 * "elf" and that machine-physical PADDR holds HEXBYTES (KPHYSADDR needs an OS type libkdumpfile
 * cannot find in a Windows guest). Exit 0 on match. */
#include <libkdumpfile/kdumpfile.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int check(kdump_ctx_t *ctx, unsigned long long paddr, const char *hex)
{
    unsigned char want[64], got[64];
    size_t n = strlen(hex) / 2;
    const char *fmt = NULL;
    if (n == 0 || n > sizeof(want))
        return fprintf(stderr, "bad HEXBYTES\n"), 2;
    for (size_t i = 0; i < n; i++)
        sscanf(hex + 2 * i, "%2hhx", &want[i]);
    if (kdump_get_string_attr(ctx, KDUMP_ATTR_FILE_FORMAT, &fmt) != KDUMP_OK || strcmp(fmt, "elf") != 0)
        return fprintf(stderr, "format is %s, not elf\n", fmt ? fmt : "?"), 1;
    size_t len = n;
    if (kdump_read(ctx, KDUMP_MACHPHYSADDR, paddr, got, &len) != KDUMP_OK || len != n)
        return fprintf(stderr, "read at 0x%llx failed: %s\n", paddr, kdump_get_err(ctx)), 1;
    if (memcmp(got, want, n) != 0)
        return fprintf(stderr, "bytes at 0x%llx differ\n", paddr), 1;
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 4)
        return fprintf(stderr, "usage: dpgen_elfcheck FILE PADDR HEXBYTES\n"), 2;
    int fd = open(argv[1], O_RDONLY);
    kdump_ctx_t *ctx = kdump_new();
    if (fd < 0 || !ctx)
        return fprintf(stderr, "cannot open %s\n", argv[1]), 1;
    int rc = 1;
    if (kdump_open_fd(ctx, fd) != KDUMP_OK)
        fprintf(stderr, "kdump_open_fd: %s\n", kdump_get_err(ctx));
    else
        rc = check(ctx, strtoull(argv[2], NULL, 0), argv[3]);
    kdump_free(ctx);
    close(fd);
    return rc;
}
