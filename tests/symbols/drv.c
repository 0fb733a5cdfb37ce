/* A small driver with known functions, built by test_pdb.py for x64, x86 and ARM64 with and
 * without -g: exported-looking publics, a static function only a full PDB names, and data. */
#define NOINLINE __attribute__((noinline))

int GlobalCounter;

NOINLINE void KeBugCheckEx(unsigned long code, unsigned long long a, unsigned long long b, unsigned long long c,
                           unsigned long long d)
{
    GlobalCounter += (int)(code + a + b + c + d);
    for (;;) GlobalCounter++;
}

static NOINLINE int StaticHelper(int x)
{
    int v[8];
    for (int i = 0; i < 8; i++) v[i] = x * i + GlobalCounter;
    return v[x & 7] + v[(x >> 3) & 7];
}

NOINLINE int HelperAdd(int a, int b) { return StaticHelper(a) + StaticHelper(b) + b; }

NOINLINE void CrashHere(int *p)
{
    *p = HelperAdd(GlobalCounter, 2);
    KeBugCheckEx(0xD1, (unsigned long long)(__INTPTR_TYPE__)p, 2, 0, 0);
}

long DriverEntry(void *driver, void *registry)
{
    CrashHere((int *)registry);
    return driver != 0;
}
