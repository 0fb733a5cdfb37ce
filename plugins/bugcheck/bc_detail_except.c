/* Exceptions, traps and bad accesses: 0x0A, 0x1E, 0x3B, 0x50, 0x7E, 0x7F, 0x8E, 0xBE, 0xD1, 0xFC, 0x139.
 * Facts from Microsoft's bug check reference pages (MicrosoftDocs/windows-driver-docs, checkout of
 * 2025-11-12) as summarised in shared/reference/windows-dump-format.md 5.5; the wording is ours. */
#include "bc_tables.h"

#define STATUS_ACCESS_VIOLATION 0xC0000005u

#define EXCEPTION_CODE BC_TXT("the exception code that was not handled.")
#define EXCEPTION_ADDRESS BC_ADDR("the address where the exception happened.", EXCEPTION_ADDRESS, CODE)
#define ADDRESS_REFERENCED BC_ADDR("the memory address that was referenced.", ADDRESS_TOUCHED, DATA)

static const struct bc_subtype kernel_trap[] = {
    BC_SUB1(0x0, "divide error: a division by zero (or an overflowing division)."),
    BC_SUB1(0x1, "debug trap: a system debugger call."),
    BC_SUB1(0x3, "breakpoint: an INT 3 with no debugger to take it."),
    BC_SUB1(0x4, "overflow: INTO executed with the overflow flag set."),
    BC_SUB1(0x5, "bound check: a BOUND instruction found its index out of range."),
    BC_SUB1(0x6, "invalid opcode: the instruction pointer was probably corrupt (often hardware)."),
    BC_SUB1(0x7, "coprocessor not available."),
    BC_SUB1(0x8, "double fault: a fault while handling a fault; usually a kernel stack overflow, else hardware."),
    BC_SUB1(0xA, "invalid task state segment."),
    BC_SUB1(0xB, "segment not present."),
    BC_SUB1(0xC, "stack fault: an access beyond the limits of a stack."),
    BC_SUB1(0xD, "general protection fault."),
    BC_SUB1(0xF, "reserved trap."),
    BC_SUB1(0x10, "coprocessor (floating point) error."),
    BC_SUB1(0x11, "alignment check."),
};

static const struct bc_subtype security_check[] = {
    BC_SUB1(0, "a stack buffer was overrun (legacy /GS check)."),
    BC_SUB1(1, "VTGuard found an invalid virtual function table: a C++ object was probably corrupt."),
    BC_SUB1(2, "the stack cookie check found a stack buffer overrun (/GS)."),
    BC_SUB1(3, "a LIST_ENTRY was corrupt (for example removed twice)."),
    BC_SUB1(4, "a reserved value."),
    BC_SUB1(5, "a function that treats bad arguments as fatal was given one."),
    BC_SUB1(6, "the loader did not initialise the security cookie (driver built for a newer Windows?)."),
    BC_SUB1(7, "a fatal program exit was requested."),
    BC_SUB1(8, "a compiler-inserted array bounds check failed."),
    BC_SUB1(9, "RtlQueryRegistryValues used a direct query without type check on an untrusted hive."),
    BC_SUB1(10, "control flow guard found an indirect call to an invalid target."),
    BC_SUB1(11, "write guard found an invalid memory write."),
    BC_SUB1(12, "a switch to an invalid fiber context was attempted."),
    BC_SUB1(13, "an invalid register context was to be set."),
    BC_SUB1(14, "an object's reference count is invalid."),
    BC_SUB1(18, "a switch to an invalid jmp_buf context was attempted."),
    BC_SUB1(19, "read-only data was modified unsafely."),
    BC_SUB1(20, "a cryptographic self-test failed."),
    BC_SUB1(21, "an invalid exception chain was found."),
    BC_SUB1(22, "a cryptographic library error occurred."),
    BC_SUB1(23, "an invalid call was made from inside DllMain."),
    BC_SUB1(24, "an invalid image base address was found."),
    BC_SUB1(25, "protecting a delay-load import failed."),
    BC_SUB1(26, "an unsafe extension was called."),
    BC_SUB1(27, "a deprecated service was called."),
    BC_SUB1(28, "an out-of-bounds buffer access was found."),
    BC_SUB1(29, "an RTL_BALANCED_NODE red-black tree entry was corrupt."),
    BC_SUB1(37, "a switch jump table entry out of range was used."),
    BC_SUB1(38, "a longjmp to an invalid target was attempted."),
    BC_SUB1(39, "an export-suppressed call target could not be made valid."),
};

static const struct bc_detail except_rows[] = {
    {.code = 0x0A,
     .description = "Kernel code touched a pageable (or invalid) address at an IRQL that was too high.\n"
                    "Usually a driver used a bad pointer.",
     .more = "The code address in Arg4 names the instruction; the address in Arg1 is often freed or\n"
             "never-initialised memory.",
     .params = {ADDRESS_REFERENCED, BC_TXT("the IRQL at the time of the reference."),
                BC_TXT("bit 0: 0 read, 1 write; bit 3: execute."),
                BC_ADDR("the address of the instruction that made the reference.", CODE_ADDRESS, CODE)}},
    {.code = 0xD1,
     .description = "A driver touched a pageable (or invalid) address at an IRQL that was too high.",
     .more = "The code address in Arg4 usually lies in the driver to blame.",
     .params = {ADDRESS_REFERENCED, BC_TXT("the IRQL at the time of the reference."),
                BC_TXT("0: read, 1: write, 2 or 8: execute."),
                BC_ADDR("the address of the instruction that made the reference.", CODE_ADDRESS, CODE)}},
    {.code = 0x1E,
     .description = "A kernel-mode program raised an exception that no handler caught.",
     .more = "For an access violation (0xc0000005) Arg4 is the address that was touched.",
     .params = {EXCEPTION_CODE, EXCEPTION_ADDRESS,
                BC_TXT("the first information word of the exception record (access violation: 0 read, 1 write)."),
                {.text = "the second information word (access violation: the address touched).",
                 .role = BC_ROLE_ADDRESS_TOUCHED, .kind = BC_KIND_DATA, .only_if_arg1 = STATUS_ACCESS_VIOLATION}}},
    {.code = 0x3B,
     .description = "An exception was raised while a system service was running, moving from\n"
                    "unprivileged to privileged code.",
     .more = "The faulting instruction in Arg2 and the context record in Arg3 show where it happened.",
     .params = {EXCEPTION_CODE, EXCEPTION_ADDRESS, BC_TXT("the context record of the exception."), BC_TXT("0.")}},
    {.code = 0x7E,
     .description = "A system thread raised an exception that no handler caught.",
     .more = "Switch to the context record in Arg4 to see the faulting stack.",
     .params = {EXCEPTION_CODE, EXCEPTION_ADDRESS, BC_TXT("the exception record."),
                BC_TXT("the context record.")}},
    {.code = 0x8E,
     .description = "A kernel-mode application raised an exception that no handler caught.",
     .more = "The trap frame in Arg3 holds the registers at the fault.",
     .params = {EXCEPTION_CODE, EXCEPTION_ADDRESS, BC_TXT("the trap frame."), BC_RESERVED}},
    {.code = 0x7F,
     .description = "The processor raised a trap that the kernel did not catch, or a fault while\n"
                    "handling another fault (double fault).",
     .more = "A double fault most often means the kernel stack overflowed; other traps point at bad\n"
             "code or at hardware.",
     .params = {BC_TXT("the trap number."), BC_RESERVED, BC_RESERVED, BC_RESERVED},
     .selector = 1,
     BC_SUBTYPES(kernel_trap)},
    {.code = 0x50,
     .description = "The system touched memory that is not valid: an address that was never mapped,\n"
                    "or memory that was already freed.",
     .more = "A driver's bad pointer is the usual cause; failing RAM and corrupt pool can also lead here.",
     .params = {ADDRESS_REFERENCED,
                BC_TXT("the access: x86/x64 since Windows 10 1507 0 read, 2 write, 0x10 execute; ARM 0 read, 1 write, "
                       "8 execute; before 1507 0 read, 1 write."),
                BC_ADDR("the address of the instruction that made the reference, if known.", CODE_ADDRESS, CODE),
                BC_TXT("the kind of fault: 0 freed PTE, 2 no valid page table, 3 wrong session, "
                       "4 non-canonical address, 0xf user address not allowed.")}},
    {.code = 0xBE,
     .description = "A driver wrote to read-only memory.",
     .more = "The stack shows the writer; the PTE contents show why the page was read-only.",
     .params = {BC_ADDR("the address written to.", ADDRESS_TOUCHED, DATA), BC_TXT("the PTE contents."),
                BC_RESERVED, BC_RESERVED}},
    {.code = 0xFC,
     .description = "The processor was made to execute memory marked no-execute.",
     .more = "A corrupt function pointer or return address usually sent execution there.",
     .params = {BC_ADDR("the address that was executed.", ADDRESS_TOUCHED, CODE), BC_TXT("the PTE contents."),
                BC_RESERVED, BC_RESERVED}},
    {.code = 0x139,
     .description = "The kernel found a critical data structure corrupt (a fast-fail security check).",
     .more = "The trap frame and exception record in Arg2 and Arg3 lead to the code that found it;\n"
             "a corrupt LIST_ENTRY (type 3) means some earlier writer damaged the list.",
     .params = {BC_TXT("the kind of corruption found."), BC_TXT("the trap frame of the exception."),
                BC_TXT("the exception record."), BC_RESERVED},
     .selector = 1,
     BC_SUBTYPES(security_check)},
};

BC_TABLE(bc_except_table, except_rows);
