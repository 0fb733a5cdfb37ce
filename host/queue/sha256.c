/* SHA-256 of a dump, the key that makes results idempotent. */
#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "queue_internal.h"

int dpq_sha256_fd(int fd, char hex[65])
{
    enum { CHUNK = 1 << 20 };
    unsigned char *buf = malloc(CHUNK), md[32];
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int rc = buf && ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) ? 0 : ENOMEM;
    for (ssize_t n; rc == 0 && (n = read(fd, buf, CHUNK)) != 0;) {
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) rc = errno;
        else if (!EVP_DigestUpdate(ctx, buf, (size_t)n)) rc = ENOMEM;
    }
    unsigned len = 0;
    if (rc == 0 && !EVP_DigestFinal_ex(ctx, md, &len)) rc = ENOMEM;
    for (unsigned i = 0; rc == 0 && i < len; i++) snprintf(hex + 2 * i, 3, "%02x", md[i]);
    EVP_MD_CTX_free(ctx);
    free(buf);
    return rc;
}
