/* 0xC4 DRIVER_VERIFIER_DETECTED_VIOLATION and its live-dump form 0x1C4: one row per violation code Microsoft's page lists (checkout of
 * 2025-11-12); the wording is ours. A long table on purpose: it is data, one case per row. Rows whose
 * parameters are pool blocks carry the pool roles, so the pool analyses follow them. */
#include "bc_tables.h"

#define T(text) BC_TXT(text)
#define R BC_RESERVED
#define ZERO T("0.")
#define IRQL T("the current IRQL.")
#define POOL_AT(t) BC_ADDR(t, POOL_ENTRY, POOL)
#define MDL T("the MDL.")
#define MDL_FLAGS T("the MDL's flags.")
#define APC_COUNT T("the thread's APC disable count.")
#define TRACKED "the driver freed pool after writing past its end (pool tracking on)."
#define TRACKING_BAD "ExFreePool found one of the verifier's pool tracking values wrong."
#define DISK_CRC " (disk integrity checking on)."
#define DEADLOCK " (deadlock detection on)."
/* DDI compliance rules: Arg2 names the broken condition; Arg3-Arg4 are !ruleinfo's arguments or unused. */
#define RULE(v, name)                                                                                     \
    BC_SUB(v, "the driver broke the DDI compliance rule " name ".",                                       \
           T("a string describing the violated condition."), T("the internal rule state (!ruleinfo's 2nd argument)."), \
           T("the supplemental states (!ruleinfo's 3rd argument)."))
#define RULE_STATE(v, name)                                                                               \
    BC_SUB(v, "the driver broke the DDI compliance rule " name ".",                                       \
           T("a string describing the violated condition."), T("the rule's state variables, if given."), R)
#define RULE_ONLY(v, name)                                                                                \
    BC_SUB(v, "the driver broke the verification rule " name ".", T("a string describing the violated condition."), R, R)
#define VMSWITCH(v, t, a, b, c) BC_SUB(v, "Hyper-V switch extension: " t, a, b, c)
#define NBL T("the NetBufferList.")
#define SWITCH T("the virtual switch object, if not NULL.")

/* The DDI compliance rules Driver Verifier reports, under 0xC4 and under its live-dump code 0x1C4 (the union
 * of the two pages' lists; where they disagree on Arg3-Arg4, the 0xC4 page is followed). */
#define DDI_RULES \
    RULE_STATE(0x00020002, "IrqlApcLte"), \
    RULE_STATE(0x00020003, "IrqlDispatch"), \
    RULE_STATE(0x00020004, "IrqlExAllocatePool"), \
    RULE_STATE(0x00020005, "IrqlExApcLte1"), \
    RULE_STATE(0x00020006, "IrqlExApcLte2"), \
    RULE_STATE(0x00020007, "IrqlExApcLte3"), \
    RULE_STATE(0x00020008, "IrqlExPassive"), \
    RULE_STATE(0x00020009, "IrqlIoApcLte"), \
    RULE_STATE(0x0002000A, "IrqlIoPassive1"), \
    RULE_STATE(0x0002000B, "IrqlIoPassive2"), \
    RULE_STATE(0x0002000C, "IrqlIoPassive3"), \
    RULE_STATE(0x0002000D, "IrqlIoPassive4"), \
    RULE_STATE(0x0002000E, "IrqlIoPassive5"), \
    RULE_STATE(0x0002000F, "IrqlKeApcLte1"), \
    RULE_STATE(0x00020010, "IrqlKeApcLte2"), \
    RULE_STATE(0x00020011, "IrqlKeDispatchLte"), \
    RULE_STATE(0x00020015, "IrqlKeReleaseSpinLock"), \
    RULE_STATE(0x00020016, "IrqlKeSetEvent"), \
    RULE_STATE(0x00020019, "IrqlMmApcLte"), \
    RULE_STATE(0x0002001A, "IrqlMmDispatch"), \
    RULE_STATE(0x0002001B, "IrqlObPassive"), \
    RULE_STATE(0x0002001C, "IrqlPsPassive"), \
    RULE(0x0002001D, "IrqlReturn"), \
    RULE_STATE(0x0002001E, "IrqlRtlPassive"), \
    RULE_STATE(0x0002001F, "IrqlZwPassive"), \
    RULE_ONLY(0x00020022, "IrqlIoDispatch"), \
    RULE_ONLY(0x00020023, "IrqlIoRtlZwPassive"), \
    RULE_ONLY(0x00020024, "IrqlNtifsApcPassive"), \
    RULE_ONLY(0x00020025, "IrqlKeMore (Microsoft internal)"), \
    RULE(0x00040003, "CriticalRegions"), \
    RULE(0x00040006, "QueuedSpinLock"), \
    RULE(0x00040007, "QueuedSpinLockRelease"), \
    RULE(0x00040009, "SpinLock"), \
    RULE(0x0004000A, "SpinlockRelease"), \
    RULE(0x0004000E, "GuardedRegions"), \
    RULE_ONLY(0x0004100B, "RequestedPowerIrp"), \
    RULE(0x0004100F, "IoSetCompletionExCompleteIrp"), \
    RULE_ONLY(0x00043006, "PnpRemove"), \
    RULE_ONLY(0x00071001, "PcIrqlDDIs"), \
    RULE_ONLY(0x00071003, "PcIrqlIport"), \
    RULE(0x00071004, "PcUnmapAllocatedPages"), \
    RULE(0x00071005, "PcAllocatedPages"), \
    RULE(0x00071006, "PcRegisterAdapterPower"), \
    RULE_ONLY(0x00071007, "PcAddAdapterDevice"), \
    RULE_ONLY(0x00071008, "PcPropertyRequest"), \
    RULE_ONLY(0x00071009, "PcAllocateAndMapPages"), \
    RULE_ONLY(0x0007100A, "PcPoRequestPowerIrp"), \
    RULE(0x00072001, "PcTimedWaveRtStreamSetState"), \
    RULE(0x00081001, "KsDeviceMutex"), \
    RULE(0x00081002, "KsStreamPointerClone"), \
    RULE_ONLY(0x00081003, "KsStreamPointerLock"), \
    RULE(0x00081004, "KsStreamPointerUnlock"), \
    RULE_ONLY(0x00081005, "KsCallbackReturn"), \
    RULE(0x00081006, "KsIrqlDeviceCallbacks"), \
    RULE(0x00081007, "KsIrqlFilterCallbacks"), \
    RULE(0x00081008, "KsIrqlPinCallbacks"), \
    RULE_ONLY(0x00081009, "KsIrqlDDIs"), \
    RULE(0x0008100A, "KsFilterMutex"), \
    RULE(0x0008100B, "KsProcessingMutex"), \
    RULE(0x0008100C, "KsInvalidStreamPointer"), \
    RULE(0x00082001, "KsTimedPinSetDeviceState"), \
    RULE(0x00082002, "KsTimedDeviceCallbacks"), \
    RULE(0x00082003, "KsTimedFilterCallbacks"), \
    RULE(0x00082004, "KsTimedPinCallbacks"), \
    RULE(0x00082005, "KsTimedProcessingMutex"), \
    RULE(0x00091001, "NdisOidComplete"), \
    RULE(0x00091002, "NdisOidDoubleComplete"), \
    RULE(0x0009100E, "NdisOidDoubleRequest"), \
    RULE(0x00092003, "NdisTimedOidComplete (NDIS/WiFi)"), \
    RULE(0x0009200D, "NdisTimedDataSend (NDIS/WiFi)"), \
    RULE(0x0009200F, "NdisTimedDataHang (NDIS/WiFi)"), \
    RULE(0x00092010, "NdisFilterTimedPauseComplete (NDIS/WiFi)"), \
    RULE(0x00092011, "NdisFilterTimedDataSend (NDIS/WiFi)"), \
    RULE(0x00092012, "NdisFilterTimedDataReceive (NDIS/WiFi)"), \
    RULE(0x00093004, "WlanAssociation (NDIS/WiFi)"), \
    RULE(0x00093005, "WlanConnectionRoaming (NDIS/WiFi)"), \
    RULE(0x00093006, "WlanDisassociation (NDIS/WiFi)"), \
    RULE_ONLY(0x00093101, "WlanAssert (NDIS/WiFi)"), \
    RULE(0x00094007, "WlanTimedAssociation (NDIS/WiFi)"), \
    RULE(0x00094008, "WlanTimedConnectionRoaming (NDIS/WiFi)"), \
    RULE(0x00094009, "WlanTimedConnectRequest (NDIS/WiFi)"), \
    RULE(0x0009400B, "WlanTimedLinkQuality (NDIS/WiFi)"), \
    RULE(0x0009400C, "WlanTimedScan (NDIS/WiFi)"),

static const struct bc_subtype verifier_violation[] = {
    BC_SUB(0x00, "the driver asked for a zero-byte pool allocation.", IRQL, T("the pool type."), T("the number of bytes.")),
    BC_SUB(0x01, "the driver allocated paged pool above APC_LEVEL.", IRQL, T("the pool type."), T("the size of the allocation in bytes.")),
    BC_SUB(0x02, "the driver allocated nonpaged pool above DISPATCH_LEVEL.", IRQL, T("the pool type."), T("the size of the allocation in bytes.")),
    BC_SUB1(0x03, "the caller asked for more than one page of must-succeed pool."),
    BC_SUB(0x10, "the driver freed an address that no allocation returned.", POOL_AT("the bad address."), ZERO, ZERO),
    BC_SUB(0x11, "the driver freed paged pool above APC_LEVEL.", IRQL, T("the pool type."), POOL_AT("the pool address.")),
    BC_SUB(0x12, "the driver freed nonpaged pool above DISPATCH_LEVEL.", IRQL, T("the pool type."), POOL_AT("the pool address.")),
    BC_SUB(0x13, "the driver freed pool that was already free.", R, POOL_AT("the pool header."), T("the pool header's contents.")),
    BC_SUB(0x14, "the driver freed pool that was already free.", R, POOL_AT("the pool header."), T("the pool header's contents.")),
    BC_SUB(0x15, "the pool being freed still contains an active timer.", T("the timer entry."), T("the pool type."),
           POOL_AT("the pool address being freed.")),
    BC_SUB(0x16, "the driver freed pool at a bad address or passed bad arguments to a memory routine.", R,
           POOL_AT("the pool address."), ZERO),
    BC_SUB(0x17, "the pool being freed still contains an active ERESOURCE.", T("the resource entry."), T("the pool type."),
           POOL_AT("the pool address being freed.")),
    BC_SUB(0x30, "the driver passed a bad IRQL to KeRaiseIrql (below the current one, or above HIGH_LEVEL).", IRQL,
           T("the IRQL asked for."), ZERO),
    BC_SUB(0x31, "the driver passed a bad IRQL to KeLowerIrql (above the current one, or above HIGH_LEVEL).", IRQL,
           T("the IRQL asked for."), T("0: the new IRQL is bad; 1: it is not allowed inside a DPC.")),
    BC_SUB(0x32, "the driver released a spin lock at an IRQL other than DISPATCH_LEVEL (a double release?).", IRQL,
           T("the spin lock."), ZERO),
    BC_SUB(0x33, "the driver acquired a fast mutex above APC_LEVEL.", IRQL, T("the fast mutex."), ZERO),
    BC_SUB(0x34, "the driver released a fast mutex at an IRQL other than APC_LEVEL.", IRQL, APC_COUNT, T("the fast mutex.")),
    BC_SUB(0x35, "the kernel released a spin lock at an IRQL other than DISPATCH_LEVEL.", IRQL, T("the spin lock."), T("the old IRQL.")),
    BC_SUB(0x36, "the kernel released a queued spin lock at an IRQL other than DISPATCH_LEVEL.", IRQL,
           T("the spin lock number."), T("the old IRQL.")),
    BC_SUB(0x37, "the driver acquired a resource with APCs enabled.", IRQL, APC_COUNT, T("the resource.")),
    BC_SUB(0x38, "the driver released a resource with APCs enabled.", IRQL, APC_COUNT, T("the resource.")),
    BC_SUB(0x39, "the driver acquired a mutex \"unsafe\" at an IRQL other than APC_LEVEL.", IRQL, APC_COUNT, T("the mutex.")),
    BC_SUB(0x3A, "the driver released a mutex \"unsafe\" at an IRQL other than APC_LEVEL.", IRQL, APC_COUNT, T("the mutex.")),
    BC_SUB(0x3B, "a KeWaitXxx routine was called at DISPATCH_LEVEL or above.", IRQL, T("the object waited on."),
           T("the time-out argument.")),
    BC_SUB(0x3C, "the driver called ObReferenceObjectByHandle with a bad handle.", T("the handle."), T("the object type."), ZERO),
    BC_SUB(0x3D, "the driver passed an unaligned resource to ExAcquireResourceExclusive.", ZERO, ZERO, T("the bad resource.")),
    BC_SUB(0x3E, "the driver called KeLeaveCriticalRegion for a thread not in a critical region.", ZERO, ZERO, ZERO),
    BC_SUB(0x3F, "the driver referenced an object whose count was zero, or dereferenced it below zero.", T("the object."),
           T("the new reference count (-1: dereference, 1: reference)."), ZERO),
    BC_SUB(0x40, "the driver called KeAcquireSpinLockAtDpcLevel below DISPATCH_LEVEL.", IRQL, T("the spin lock."), ZERO),
    BC_SUB(0x41, "the driver called KeReleaseSpinLockFromDpcLevel below DISPATCH_LEVEL.", IRQL, T("the spin lock."), ZERO),
    BC_SUB(0x42, "the driver called KeAcquireSpinLock above DISPATCH_LEVEL.", IRQL, T("the spin lock."), ZERO),
    BC_SUB(0x51, TRACKED, POOL_AT("the base address of the allocation."),
           BC_ADDR("the address written beyond the allocation.", ADDRESS_TOUCHED, POOL), T("the number of bytes charged.")),
    BC_SUB(0x52, TRACKED, POOL_AT("the base address of the allocation."), T("the hash entry."), T("the number of bytes charged.")),
    BC_SUB(0x53, TRACKED, POOL_AT("the base address of the allocation."), T("the header."), R),
    BC_SUB(0x54, TRACKED, POOL_AT("the base address of the allocation."), R, T("the pool hash size.")),
    BC_SUB(0x59, TRACKED, POOL_AT("the base address of the allocation."), T("the list index."), R),
    BC_SUB(0x60, "the driver is unloading without freeing its pool allocations.", T("bytes allocated from paged pool."),
           T("bytes allocated from nonpaged pool."), T("the number of allocations not freed.")),
    BC_SUB(0x61, "a driver thread allocated pool while the driver was unloading.", T("bytes allocated from paged pool."),
           T("bytes allocated from nonpaged pool."), T("the number of allocations not freed.")),
    BC_SUB(0x62, "the driver is unloading without freeing its pool allocations (!verifier 3 lists them).",
           T("the driver's name."), R, T("the number of allocations not freed, paged and nonpaged.")),
    BC_SUB(0x6F, "MmProbeAndLockPages was called on pages outside the PFN database (often a driver's own dual-port RAM).",
           MDL, T("the physical page being locked."), T("the highest physical page.")),
    BC_SUB(0x70, "the driver called MmProbeAndLockPages above DISPATCH_LEVEL.", IRQL, MDL, T("the access mode.")),
    BC_SUB(0x71, "the driver called MmProbeAndLockProcessPages above DISPATCH_LEVEL.", IRQL, MDL, T("the process.")),
    BC_SUB(0x72, "the driver called MmProbeAndLockSelectedPages above DISPATCH_LEVEL.", IRQL, MDL, T("the process.")),
    BC_SUB(0x73, "the driver called MmMapIoSpace above DISPATCH_LEVEL.", IRQL,
           T("the physical address (its low 32 bits on 32-bit Windows)."), T("the number of bytes.")),
    BC_SUB(0x74, "the driver called MmMapLockedPages in kernel mode above DISPATCH_LEVEL.", IRQL, MDL, T("the access mode.")),
    BC_SUB(0x75, "the driver called MmMapLockedPages in user mode above APC_LEVEL.", IRQL, MDL, T("the access mode.")),
    BC_SUB(0x76, "the driver called MmMapLockedPagesSpecifyCache in kernel mode above DISPATCH_LEVEL.", IRQL, MDL,
           T("the access mode.")),
    BC_SUB(0x77, "the driver called MmMapLockedPagesSpecifyCache in user mode above APC_LEVEL.", IRQL, MDL,
           T("the access mode.")),
    BC_SUB(0x78, "the driver called MmUnlockPages above DISPATCH_LEVEL.", IRQL, MDL, ZERO),
    BC_SUB(0x79, "the driver called MmUnmapLockedPages in kernel mode above DISPATCH_LEVEL.", IRQL,
           T("the virtual address being unmapped."), MDL),
    BC_SUB(0x7A, "the driver called MmUnmapLockedPages in user mode above APC_LEVEL.", IRQL,
           T("the virtual address being unmapped."), MDL),
    BC_SUB(0x7B, "the driver called MmUnmapIoSpace above APC_LEVEL.", IRQL, T("the virtual address being unmapped."),
           T("the number of bytes.")),
    BC_SUB(0x7C, "the driver called MmUnlockPages with an MDL whose pages were never locked.", MDL, MDL_FLAGS, ZERO),
    BC_SUB(0x7D, "the driver called MmUnlockPages with an MDL of nonpaged pool pages (never to be unlocked).", MDL,
           MDL_FLAGS, ZERO),
    BC_SUB(0x7E, "the driver allocated or freed MDL pages above DISPATCH_LEVEL.", IRQL, T("DISPATCH_LEVEL."), ZERO),
    BC_SUB(0x7F, "the driver passed BuildMdlForNonPagedPool an MDL of paged pool pages.", IRQL, MDL, MDL_FLAGS),
    BC_SUB(0x80, "the driver called KeSetEvent above DISPATCH_LEVEL.", IRQL, T("the event."), ZERO),
    BC_SUB(0x81, "the driver called MmMapLockedPages (MmMapLockedPagesSpecifyCache without bug check on failure is wanted).",
           MDL, MDL_FLAGS, ZERO),
    BC_SUB(0x82, "the driver called MmMapLockedPagesSpecifyCache asking for a bug check on failure.", MDL, MDL_FLAGS, ZERO),
    BC_SUB(0x83, "the driver called MmMapIoSpace on pages it had not locked.", T("the start of the physical range."),
           T("the number of bytes to map."), T("the first page frame that is not locked.")),
    BC_SUB(0x85, "the driver called MmMapLockedPages on MDL pages it had not locked.", MDL, T("the number of pages to map."),
           T("the first page frame that is not locked.")),
    BC_SUB(0x89, "an MDL not marked as I/O holds pages that are not memory.", MDL, T("the non-memory page entry in the MDL."),
           T("the non-memory page number.")),
    BC_SUB(0x91, "the driver switched stacks in a way Windows does not support (KeExpandKernelStackAndCallout is the way).",
           R, R, R),
    BC_SUB(0xA0, "a disk read or write failed its CRC check" DISK_CRC, T("the IRP of the request."),
           T("the lower device object."), T("the sector where the error was found.")),
    BC_SUB(0xA1, "a sector failed its CRC check, found asynchronously" DISK_CRC,
           T("a copy of the IRP of the request (the IRP itself has completed)."), T("the lower device object."),
           T("the sector where the error was found.")),
    BC_SUB(0xA2, "the CRCDISK checksum copies disagree, maybe a paging error" DISK_CRC, T("the IRP of the request, or a copy."),
           T("the lower device object."), T("the sector where the error was found.")),
    BC_SUB(0xB0, "the driver called MmProbeAndLockPages with an MDL whose flags are wrong.", MDL, MDL_FLAGS,
           T("the wrong flags.")),
    BC_SUB(0xB1, "the driver called MmProbeAndLockProcessPages with an MDL whose flags are wrong.", MDL, MDL_FLAGS,
           T("the wrong flags.")),
    BC_SUB(0xB2, "the driver called MmMapLockedPages with an MDL whose flags are wrong (already mapped, or not locked).", MDL,
           MDL_FLAGS, T("the wrong flags.")),
    BC_SUB(0xB3, "the driver called MmMapLockedPages with an MDL missing a flag (not locked).", MDL, MDL_FLAGS,
           T("the missing flags (at least one was expected).")),
    BC_SUB(0xB4, "the driver called MmUnlockPages on a partial MDL (built by IoBuildPartialMdl).", MDL, MDL_FLAGS,
           T("the partial-MDL flag that should not be there.")),
    BC_SUB(0xB5, "MmUnmapLockedPages was called on a partial MDL.", MDL, MDL_FLAGS,
           T("the partial-MDL flag that should not be there.")),
    BC_SUB(0xB6, "MmUnmapLockedPages was called on an MDL not mapped to a system address.", MDL, MDL_FLAGS,
           T("the missing flag.")),
    BC_SUB(0xB7, "the BIOS corrupted low physical memory during a sleep transition.", T("the number of pages corrupted."),
           T("the first corrupt physical page."), T("the last corrupt physical page.")),
    BC_SUB(0xB8, "the MDL's pages are still mapped when IoFreeMdl is called.", MDL, MDL_FLAGS, R),
    BC_SUB(0xB9, "MmUnmapLockedPages was called with a bad user-space address.", T("the address being unmapped."), MDL, R),
    BC_SUB(0xC0, "the driver called IoCallDriver with interrupts disabled.", T("the IRP."), ZERO, R),
    BC_SUB(0xC1, "a driver dispatch routine returned with interrupts disabled.", T("the dispatch routine."), R, R),
    BC_SUB(0xC2, "the driver called a Fast I/O dispatch routine with interrupts disabled.", ZERO, ZERO, ZERO),
    BC_SUB(0xC3, "a driver Fast I/O dispatch routine returned with interrupts disabled.", T("the Fast I/O dispatch routine."),
           R, R),
    BC_SUB(0xC5, "a driver dispatch routine changed the thread's APC disable count.", T("the dispatch routine."),
           T("the current APC disable count."), T("the count before the routine was called.")),
    BC_SUB(0xC6, "a driver Fast I/O dispatch routine changed the thread's APC disable count.",
           T("the Fast I/O dispatch routine."), T("the current APC disable count."), T("the count before the routine was called.")),
    BC_SUB(0xCA, "the driver initialized a lookaside list a second time.", T("the lookaside list."), R, R),
    BC_SUB(0xCB, "the driver deleted a lookaside list that was never initialized.", T("the lookaside list."), R, R),
    BC_SUB(0xCC, "the driver freed pool that holds an active lookaside list.", T("the lookaside list."),
           POOL_AT("the start of the pool allocation."), T("the size of the allocation.")),
    BC_SUB(0xCD, "the driver created a lookaside list with a block size that is too small.", T("the lookaside list."),
           T("the block size asked for."), T("the smallest block size supported.")),
    BC_SUB(0xD0, "the driver initialized an ERESOURCE a second time.", T("the ERESOURCE."), R, R),
    BC_SUB(0xD1, "the driver deleted an ERESOURCE that was never initialized.", T("the ERESOURCE."), R, R),
    BC_SUB(0xD2, "the driver freed pool that holds an active ERESOURCE.", T("the ERESOURCE."),
           POOL_AT("the start of the pool allocation."), T("the size of the allocation.")),
    BC_SUB(0xD5, "IoReleaseRemoveLock's tag does not match the one IoAcquireRemoveLock was given.",
           T("the IO_REMOVE_LOCK (of the checked-build form)."), T("the tag being released."), R),
    BC_SUB(0xD6, "IoReleaseRemoveLockAndWait's tag does not match the one IoAcquireRemoveLock was given.",
           T("the IO_REMOVE_LOCK (of the checked-build form)."), T("the tag that does not match."),
           T("the tag given to IoAcquireRemoveLock.")),
    BC_SUB(0xD7, "a remove lock was initialized again after IoReleaseRemoveLockAndWait (other threads may still use it).",
           T("the verifier's internal remove lock."), T("the driver's remove lock."), R),
    BC_SUB(0xDA, "a driver is unloading without deregistering its WMI callback.", T("the driver's start address."),
           T("the WMI callback in the driver."), R),
    BC_SUB(0xDB, "a device object still registered with WMI is being deleted.", T("the device object."), R, R),
    BC_SUB(0xDC, "EtwUnregister was given an invalid RegHandle.", R, R, R),
    BC_SUB(0xDD, "a driver is unloading without calling EtwUnregister.", T("the call to EtwRegister."),
           T("the start of the unloading driver."), T("the ETW RegHandle (Windows 8 and later).")),
    BC_SUB(0xDF, "a synchronization object lies in session address space, where it is not allowed.",
           T("the synchronization object."), ZERO, ZERO),
    BC_SUB(0xE0, "a kernel function was given a user-mode address.", T("the user-mode address."),
           T("the size of the address range in bytes."), R),
    BC_SUB(0xE1, "a synchronization object has an invalid or pageable address.", T("the synchronization object."), R, R),
    BC_SUB(0xE2, "a kernel-mode IRP (RequestorMode KernelMode) holds a user-mode address.", T("the IRP."),
           T("the user-mode address in it."), R),
    BC_SUB(0xE3, "a driver called a kernel ZwXxx routine with a user-mode address.", T("the call to the routine."),
           T("the user-mode address passed."), R),
    BC_SUB(0xE4, "a driver called a kernel ZwXxx routine with a malformed UNICODE_STRING.", T("the call to the routine."),
           T("the malformed UNICODE_STRING."), R),
    BC_SUB(0xE5, "a kernel API was called at the wrong IRQL.", IRQL, R, R),
    BC_SUB(0xE6, "a Zw API was called above PASSIVE_LEVEL or with special kernel APCs disabled.",
           T("the address in the driver making the call."), IRQL, T("the special kernel APC state.")),
    BC_SUB(0xEA, "the driver acquired a push lock with APCs enabled.", IRQL, APC_COUNT, T("the push lock.")),
    BC_SUB(0xEB, "the driver released a push lock with APCs enabled.", IRQL, APC_COUNT, T("the push lock.")),
    BC_SUB(0xF0, "the driver called memcpy with overlapping source and destination.", T("the destination buffer."),
           T("the source buffer."), T("the number of bytes to copy.")),
    BC_SUB(0xF5, "the driver passed a NULL handle to ObReferenceObjectByHandle.", T("the NULL handle's address."),
           T("the object type."), R),
    BC_SUB(0xF6, "the driver referenced a user-mode handle as a kernel handle.", T("the handle."), T("the current process."),
           T("the address in the driver making the reference.")),
    BC_SUB(0xF7, "the driver made a user-mode reference to a kernel handle in the system process.", T("the handle."),
           T("the object type given."), T("the access mode given.")),
    BC_SUB(0xFA, "an IRP completion routine returned at another IRQL than it was called at.", T("the completion routine."),
           T("the IRQL before the call."), T("the IRQL after it.")),
    BC_SUB(0xFB, "an IRP completion routine changed the thread's APC disable count.", T("the completion routine."),
           T("the current APC disable count."), T("the count before the routine was called.")),
    BC_SUB(0xFC, "ZwNotifyChangeKey was called from kernel mode with an ApcContext it does not support.",
           T("the address in the driver making the call."), T("the ApcContext given."), R),
    BC_SUB(0x105, "the driver released an IRP with ExFreePool instead of IoFreeIrp.", T("the IRP."), ZERO, ZERO),
    BC_SUB(0x10A, "the driver charged pool quota to the Idle process.", ZERO, ZERO, ZERO),
    BC_SUB(0x10B, "the driver charged pool quota from a DPC routine, where the process context is undefined.", ZERO, ZERO, ZERO),
    BC_SUB(0x110, "the driver's ISR corrupted the thread's extended context.", T("the interrupt service routine."),
           T("the extended context saved before the ISR ran."), T("the extended context saved after it ran.")),
    BC_SUB(0x111, "the driver's ISR returned at another IRQL.", T("the interrupt service routine."),
           T("the IRQL before the ISR."), T("the IRQL after it.")),
    BC_SUB(0x115, "shutdown has taken more than 20 minutes and has not finished.",
           T("the thread responsible for the shutdown, perhaps deadlocked."), ZERO, ZERO),
    BC_SUB(0x11A, "the driver called KeEnterCriticalRegion above APC_LEVEL.", IRQL, ZERO, ZERO),
    BC_SUB(0x11B, "the driver called KeLeaveCriticalRegion above APC_LEVEL.", IRQL, ZERO, ZERO),
    BC_SUB(0x120, "a thread waited above DISPATCH_LEVEL.", T("the address of the IRQL value."), T("the object waited on."),
           T("the address of the time-out value.")),
    BC_SUB(0x121, "a thread waited at DISPATCH_LEVEL with no time-out (NULL).", T("the address of the IRQL value."),
           T("the object waited on."), T("the address of the time-out value.")),
    BC_SUB(0x122, "a thread waited at DISPATCH_LEVEL with a non-zero time-out.", T("the address of the IRQL value."),
           T("the object waited on."), T("the address of the time-out value.")),
    BC_SUB(0x123, "a user-mode wait was made on an object that lives on the kernel stack.", T("the object waited on."), ZERO,
           ZERO),
    BC_SUB(0x130, "a work item lies in session address space, where it is not allowed.", T("the work item."), ZERO, ZERO),
    BC_SUB(0x131, "a work item lies in pageable memory.", T("the work item."), ZERO, ZERO),
    BC_SUB(0x135, "a cancelled IRP was not completed in the time expected.", T("the IRP."),
           T("the milliseconds allowed between IoCancelIrp and completion."), ZERO),
    BC_SUB(0x13A, TRACKING_BAD, POOL_AT("the pool block being freed."), T("the wrong value."), T("the address of the wrong value.")),
    BC_SUB(0x13B, TRACKING_BAD, POOL_AT("the pool block being freed."), T("the address of the wrong value."),
           T("a pointer to the wrong memory page.")),
    BC_SUB(0x13C, TRACKING_BAD, POOL_AT("the pool block being freed."), T("the wrong value."), T("the address of the wrong value.")),
    BC_SUB(0x13D, TRACKING_BAD, POOL_AT("the pool block being freed."), T("the address of the wrong value."),
           T("the value expected.")),
    BC_SUB(0x13E, "the address given to ExFreePool differs from the one the verifier tracks.",
           POOL_AT("the pool block address given by the caller."), T("the pool block address the verifier tracks."),
           T("a pointer to the tracked address.")),
    BC_SUB(0x13F, "the size freed by ExFreePool differs from the size the verifier tracks.", POOL_AT("the pool block being freed."),
           T("the number of bytes being freed."), T("a pointer to the tracked number of bytes.")),
    BC_SUB(0x140, "an MDL that is not locked was built from pageable or tradable memory.", IRQL, MDL,
           T("the virtual address of the MDL.")),
    BC_SUB(0x141, "the driver explicitly asked for physical memory below 4 GB.", T("the highest physical address asked for."),
           T("the number of bytes to allocate."), ZERO),
    BC_SUB(0x1000, "self-deadlock: a thread acquired exclusively, recursively, a resource it owns shared" DEADLOCK,
           T("the resource."), R, R),
    BC_SUB(0x1001, "deadlock: a lock hierarchy violation (see !deadlock)" DEADLOCK,
           T("the resource that finally caused the deadlock."), R, R),
    BC_SUB(0x1002, "a resource was acquired before it was initialized" DEADLOCK, T("the resource."), R, R),
    BC_SUB(0x1003, "resources were released out of order" DEADLOCK, T("the resource being released."),
           T("the resource that should have been released first."), R),
    BC_SUB(0x1004, "a resource was released by a thread other than the one that acquired it" DEADLOCK, T("the resource."),
           T("the thread that acquired it."), T("the current thread.")),
    BC_SUB(0x1005, "a resource was initialized more than once" DEADLOCK, T("the resource."), R, R),
    BC_SUB(0x1007, "a resource was released before it was acquired" DEADLOCK, T("the resource."), R, R),
    BC_SUB(0x1008, "the driver acquired a lock with an API meant for another lock type.", T("the lock."), R, R),
    BC_SUB(0x1009, "the driver released a lock with an API meant for another lock type.", T("the lock."), R, R),
    BC_SUB(0x100A, "a thread that ended still owns a lock.", T("the owner thread."), R, R),
    BC_SUB(0x100B, "a lock that was deleted is still owned by a thread.", T("the lock."), T("the owner thread."), R),
    BC_SUB(0x1010, "the contents of a write IRP's MDL buffer, which must not change, were modified.",
           T("the device object the write went to."), T("the IRP."), T("the system address of the MDL's buffer.")),
    BC_SUB(0x1011, "a read IRP's MDL buffer was modified during dispatch, or is backed by dummy pages.",
           T("the device object the read went to."), T("the IRP."), T("the system address of the MDL's buffer.")),
    BC_SUB(0x1012, "the verifier's extension state storage is corrupt.", T("a string describing the violation."),
           T("data involved (0 if none)."), T("data involved (0 if none).")),
    BC_SUB(0x1013, "the verifier's captured copy of the driver's original I/O callbacks is corrupt.", T("the driver object."),
           T("the captured original I/O callbacks."), R),
    BC_SUB(0x2000, "code integrity: the caller asked for an executable pool type (NonPagedPoolNx expected).",
           BC_ADDR("the address in the driver's code where it was found.", CODE_ADDRESS, CODE), T("the pool type."),
           T("the pool tag, if given.")),
    BC_SUB(0x2001, "code integrity: the caller asked for an executable page protection.",
           BC_ADDR("the address in the driver's code where it was found.", CODE_ADDRESS, CODE),
           T("the page protection (WIN32_PROTECTION_MASK)."), ZERO),
    BC_SUB(0x2002, "code integrity: the caller asked for an executable MDL mapping (MdlMappingNoExecute expected).",
           BC_ADDR("the address in the driver's code where it was found.", CODE_ADDRESS, CODE),
           T("the page priority with the MdlMapping* flags."), ZERO),
    BC_SUB(0x2003, "code integrity: the image has a section that is both executable and writable.",
           T("the image file name (Unicode string)."), T("the section header."), T("the section name (UTF-8).")),
    BC_SUB(0x2004, "code integrity: the image has a section that is not page aligned.", T("the image file name (Unicode string)."),
           T("the section header."), T("the section name (UTF-8).")),
    BC_SUB(0x2005, "code integrity: the image's import address table lies in an executable section.",
           T("the image file name (Unicode string)."), T("the IAT directory."), T("the section name (UTF-8).")),
    VMSWITCH(0xA001, "the NetBufferList's SourceHandle must be set.", NBL, SWITCH, R),
    VMSWITCH(0xA002, "the NetBufferList's forwarding detail is not zero.", NBL, SWITCH, R),
    VMSWITCH(0xA003, "the NetBufferList has a NULL packet header or routing context.", NBL, SWITCH, R),
    VMSWITCH(0xA004, "an invalid port and NIC index combination.", T("the invalid port ID."), T("the NIC index."), SWITCH),
    VMSWITCH(0xA005, "an invalid destination.", NBL, T("the destination list."), SWITCH),
    VMSWITCH(0xA006, "an invalid source NIC or port.", NBL, SWITCH, R),
    VMSWITCH(0xA007, "an invalid destination list.", NBL, SWITCH, R),
    VMSWITCH(0xA008, "a NIC was referenced when that is not allowed.", T("the parent NIC object."), T("the NIC index."), SWITCH),
    VMSWITCH(0xA009, "a port was referenced when that is not allowed.", T("the port."), SWITCH, R),
    VMSWITCH(0xA00A, "the failure context is already set.", NBL, T("the ContextTypeInfo object."), R),
    VMSWITCH(0xA00B, "an invalid direction for a dropped NetBufferList.", NBL,
             T("the NDIS_SWITCH_REPORT_FILTERED_NBL_FLAGS_* value."), SWITCH),
    VMSWITCH(0xA00C, "a NetBufferList chain has several source ports despite the single-source send flag.", NBL,
             T("the send flags."), SWITCH),
    VMSWITCH(0xA00D, "NetBufferLists have invalid destinations despite the destination-group receive flag.", NBL,
             T("the virtual switch context."), SWITCH),
    VMSWITCH(0xA00E, "a NetBufferList was completed through WNV although its routing context forbids it.", NBL,
             T("the virtual switch context."), SWITCH),
    DDI_RULES
};

/* 0x1C4, the live-dump form, reports the same rules. */
static const struct bc_subtype verifier_livedump[] = {
    DDI_RULES
};

static const struct bc_detail verifier_rows[] = {
    {.code = 0xC4,
     .description = "Driver Verifier caught a driver breaking one of the rules it checks.",
     .more = "The violation code in Arg1 names the rule; the driver on the stack is the one verified.",
     .params = {BC_TXT("the violation code; it sets the meaning of Arg2-Arg4."), BC_TXT("depends on Arg1."),
                BC_TXT("depends on Arg1."), BC_TXT("depends on Arg1.")},
     .selector = 1,
     BC_SUBTYPES(verifier_violation)},
    {.code = 0x1C4,
     .description = "Driver Verifier found a violation and recorded a live dump instead of stopping the system.",
     .more = "The rule ID in Arg1 names the DDI compliance rule; !ruleinfo with Arg2-Arg4 explains it.",
     .params = {BC_TXT("the rule that was violated; it sets the meaning of Arg2-Arg4."), BC_TXT("depends on Arg1."),
                BC_TXT("depends on Arg1."), BC_TXT("depends on Arg1.")},
     .selector = 1,
     BC_SUBTYPES(verifier_livedump)},
};

BC_TABLE(bc_verifier_table, verifier_rows);
