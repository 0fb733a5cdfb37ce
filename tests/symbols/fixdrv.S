# A tiny x64 driver for the symbol-store tests: four functions at fixed offsets from .text, each with a
# known prolog and .pdata/UNWIND_INFO written by the assembler's SEH directives, calling each other
# DriverEntry -> FuncA -> FuncB -> FuncC. Offsets (from .text): DriverEntry 0x300 (sub rsp,28h;
# call at 0x310), FuncA 0x000 (push rsi; push rdi; sub rsp,28h; call at 0x10), FuncB 0x100
# (sub rsp,38h; call at 0x110), FuncC 0x200 (push rbx; sub rsp,20h; faults at 0x210).
        .text
        .globl  FuncA
        .def    FuncA; .scl 2; .type 32; .endef
FuncA:
        .seh_proc FuncA
        pushq   %rsi
        .seh_pushreg %rsi
        pushq   %rdi
        .seh_pushreg %rdi
        subq    $0x28, %rsp
        .seh_stackalloc 0x28
        .seh_endprologue
        .org    0x10, 0x90
        callq   FuncB
        nop
        addq    $0x28, %rsp
        popq    %rdi
        popq    %rsi
        retq
        .seh_endproc

        .globl  FuncB
        .def    FuncB; .scl 2; .type 32; .endef
        .org    0x100, 0xcc
FuncB:
        .seh_proc FuncB
        subq    $0x38, %rsp
        .seh_stackalloc 0x38
        .seh_endprologue
        .org    0x110, 0x90
        callq   FuncC
        nop
        addq    $0x38, %rsp
        retq
        .seh_endproc

        .globl  FuncC
        .def    FuncC; .scl 2; .type 32; .endef
        .org    0x200, 0xcc
FuncC:
        .seh_proc FuncC
        pushq   %rbx
        .seh_pushreg %rbx
        subq    $0x20, %rsp
        .seh_stackalloc 0x20
        .seh_endprologue
        .org    0x210, 0x90
        movl    (%rcx), %eax
        addq    $0x20, %rsp
        popq    %rbx
        retq
        .seh_endproc

        .globl  DriverEntry
        .def    DriverEntry; .scl 2; .type 32; .endef
        .org    0x300, 0xcc
DriverEntry:
        .seh_proc DriverEntry
        subq    $0x28, %rsp
        .seh_stackalloc 0x28
        .seh_endprologue
        .org    0x310, 0x90
        callq   FuncA
        xorl    %eax, %eax
        addq    $0x28, %rsp
        retq
        .seh_endproc

        .data
        .globl  FixTable
FixTable:                       # absolute pointers: the image gets base relocations, as real drivers do
        .quad   FuncA, FuncB, FuncC
