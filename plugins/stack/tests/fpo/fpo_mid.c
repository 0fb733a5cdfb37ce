/* Built with -fomit-frame-pointer: only its FrameData record says where its return address is. */
void __stdcall Crash(int *p, int v);

__attribute__((noinline)) int Middle(int *p, int a)
{
    volatile int local[6];
    for (int i = 0; i < 6; i++) local[i] = a + i;
    Crash(p, local[2] + local[5]);
    return local[0];
}
