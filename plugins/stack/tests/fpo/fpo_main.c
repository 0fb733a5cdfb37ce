/* The x86 driver of the FrameData walk test (tests/e2e/test_stack_fpo.sh), with frame pointers:
 * DriverEntry calls Middle (fpo_mid.c, no frame pointer), which calls Crash. */
#define NOINLINE __attribute__((noinline))
int Sink;
int Middle(int *p, int a);

NOINLINE void __stdcall Crash(int *p, int v)
{
    *p = v;
    for (;;) Sink++;
}

long DriverEntry(void *driver, void *registry) { return Middle((int *)registry, (int)(long)driver) + 1; }
