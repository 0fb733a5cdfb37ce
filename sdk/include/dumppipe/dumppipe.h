/* dumppipe plugin SDK: the only header a plugin includes.
 *
 * A plugin is a shared object that exports one symbol, DP_PLUGIN_SYMBOL, a const struct dp_plugin.
 * The host checks magic, ABI major, ABI minor and struct size before it calls anything.
 *
 * Everything a plugin asks of the host goes through the function table carried by the context
 * (struct dp_host_api); the static inline wrappers below hide it. A plugin therefore links against
 * nothing of ours, and the same .so works in the dumppipe program, in tests and in fuzz targets.
 *
 * Plugins may run in a forked child (the default). Everything they add to the run - findings and
 * published artifacts - is copied by the host, so it travels back over a pipe: pass plain data, never
 * pointers to your own memory. Strings and byte arrays handed to the host are copied on the call.
 *
 * ---- The contract, in one place (dumppipe-plugin(3) says the same with examples) ----
 *
 * Where and how often the callbacks run.  For each dump, each step runs init (if any), then run()
 * if init returned DP_OK, then fini (if any, and only when init succeeded): once per step per dump,
 * all three in the same process. With isolation (the default) that process is a child forked for
 * this step and this dump, which exits afterwards: state kept in globals does not survive to the
 * next dump or step, and nothing a plugin does in memory reaches the host except through the calls
 * below. With `isolation: false` or --no-isolation all three run in the dumppipe process itself,
 * one step after the other, never concurrently. Sinks run in the host process, after every step,
 * once per dump, also for a dump that could not be read (see dp_run_info(): then dp_dump_info() is
 * a zeroed struct with a NULL format and there are no modules, findings or artifacts).
 *
 * What run() returns gives the step's status (dp_step_result.status; the exit status in brackets):
 *   DP_OK                   "ok"      [0]
 *   DP_ERR_NOT_APPLICABLE   "skipped" [0]   the plugin does not apply to this dump; say why with
 *                                          dp_set_error() first. The host adds an info finding
 *                                          "step.not_applicable" with that message.
 *   any other dp_status     "failed"  [4]   with dp_set_error()'s message (else the status's name)
 *   killed by a signal      "crashed" [4]   SIGSEGV, abort(), ...
 *   past its time limit     "timeout" [4]   (pipeline `timeout:`, default 60s)
 *   past its memory limit   "memory"  [4]   (pipeline `memory:`, default 2G)
 *   exit() instead of return "failed" [4]   "exited with status N without finishing"; never call
 *                                          exit(): without isolation it ends dumppipe itself
 * init() returning non-zero is judged the same way (run() is then not called). Findings and
 * artifacts added before a failure are kept.
 *
 * Lifetimes.  The host owns everything it hands out; never free it.
 *   - const struct dp_dump_info *, const struct dp_module * and every string in them: valid from
 *     init to fini, for the whole triage of this dump (the same pointer each call).
 *   - const struct dp_record * (dp_artifact_get) and const struct dp_finding * (dp_finding_get):
 *     the struct may move when a row or finding is added, so it is valid until this plugin's next
 *     dp_publish() / dp_add_finding(); the fields, keys and strings it points to stay valid until
 *     the end of this dump's triage. Copy what you keep across your own publishing.
 *   - strings from dp_opt_*(), dp_run_info(), dp_symbol.function: until the end of the dump.
 *   - dp_phys_page(): until the next dp_phys_page() call.
 *   - everything a plugin passes in (findings, fields, strings, bytes) is copied during the call.
 *
 * Artifacts.  An artifact a plugin publishes must be listed in its `provides`: dp_publish() of an
 * unlisted name fails with DP_ERR_INVALID. An artifact read is listed in `consumes`; the host
 * refuses a pipeline in which a step consumes an artifact that only a later step provides (a
 * pipeline error, before anything runs; steps are never reordered behind the user's back). A name
 * written "?name" is optional evidence: read when an earlier step published it, no order checked
 * (two plugins that reinforce each other, whichever runs second). An artifact that no step of the
 * pipeline provides is simply absent. Names are dotted: "<area>.<what>"; sdk/ARTIFACTS.md lists the
 * shipped ones and their fields.
 *
 * Strings.  Everything a plugin reads from a dump (module and export names, SMBIOS text) is
 * arbitrary bytes, not necessarily UTF-8 or printable: plugins pass them on as they are and sinks
 * escape them (the JSON sink writes U+FFFD for bytes that are not UTF-8).
 *
 * Finding codes.  Dotted, lower-case, stable across versions (back ends bucket on them). A
 * third-party plugin's codes begin with its own plugin name and a dot ("acme.driver.leak"); the
 * first components used by the shipped plugins (docs/findings.md: hv, bugcheck, stack, pool, tag,
 * codeptr, bitflip) and "step", "dumppipe", "test" are reserved.
 *
 * Severity.  DP_SEV_CRITICAL: the finding names what most likely caused the crash (a corrupt pool
 * block, the bug check itself). DP_SEV_ERROR: something is broken that may be the cause or a
 * consequence. DP_SEV_WARNING: suspicious, worth a look (a code pointer in freed pool). DP_SEV_INFO:
 * context (hypervisor, stack, "nothing found"). Confidence (0..100) is how sure the plugin is of
 * the finding's claim, independent of its severity; a finding that only reports facts read from
 * the dump says 100.
 */
#ifndef DUMPPIPE_DUMPPIPE_H
#define DUMPPIPE_DUMPPIPE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

#define DP_ABI_MAJOR 2
#define DP_ABI_MINOR 1 /* 2.1: dump tags (secondary dump data), images from the symbol path */
#define DP_PLUGIN_MAGIC 0x474c5044u /* "DPLG" in memory order */
#define DP_PLUGIN_SYMBOL "dp_plugin_descriptor"

/* ---- status codes (libdrgn-style: keep "cannot read" apart from "corrupt" and "not applicable") ---- */
enum dp_status {
    DP_OK = 0,
    DP_ERR_FAULT = -1,          /* address not mapped, or its page is not in the dump */
    DP_ERR_BAD_DATA = -2,       /* a structure read from the dump is corrupt */
    DP_ERR_NOT_APPLICABLE = -3, /* this dump does not carry what was asked for; from run(): the plugin does
                                 * not apply to this dump (step status "skipped", not a failure) */
    DP_ERR_NOMEM = -4,
    DP_ERR_INVALID = -5,        /* bad argument */
    DP_ERR_NOT_FOUND = -6,
    DP_ERR_IO = -7,
};

typedef struct dp_ctx dp_ctx;

/* ---- dump metadata ---- */
enum dp_arch { DP_ARCH_UNKNOWN = 0, DP_ARCH_X86, DP_ARCH_X64, DP_ARCH_ARM64 };
enum dp_paging { DP_PAGING_NONE = 0, DP_PAGING_X86, DP_PAGING_X86_PAE, DP_PAGING_X86_64, DP_PAGING_AARCH64 };

struct dp_dump_info {
    const char *path;
    const char *format;    /* "windows-crashdump", or libkdumpfile's name: "elf", "diskdump", "xc_core", ... */
    const char *dump_type; /* "complete", "kernel", "bitmap-complete", "bitmap-kernel", "small", ... */
    enum dp_arch arch;
    unsigned ptr_size;  /* 4 or 8 */
    unsigned page_size; /* 4096 */
    enum dp_paging paging;
    int has_bugcheck;
    uint32_t bugcheck_code;
    uint64_t bugcheck_params[4]; /* on x86 (ptr_size 4) the 32-bit values zero-extended: 0xfffff800 stays
                                  * 0x00000000fffff800, never sign-extended */
    uint32_t nr_cpus;
    uint64_t system_time;  /* FILETIME: 100 ns since 1601-01-01 UTC; 0 when unknown */
    uint32_t machine_type; /* PE machine: 0x14c, 0x8664, 0xaa64; 0 when unknown */
    uint32_t os_major;     /* header MajorVersion (0xf free build) */
    uint32_t os_build;     /* header MinorVersion: the build number */
    uint64_t directory_table_base;
    uint64_t ps_loaded_module_list;
    uint64_t ps_active_process_head;
    uint64_t kd_debugger_data_block;
    uint64_t pfn_database;
    uint64_t phys_pages_present;
    /* Appended (containers): the guest a hypervisor-side or Linux dump holds, as far as the container
     * tells. os: "linux" when its VMCOREINFO names a Linux kernel; NULL when unknown (a Windows dump, or
     * a container that does not say); "windows" for a Windows guest found in a hypervisor-side dump
     * (docs/guests.md). os_release: the kernel release ("6.1.0-56-cloud-amd64") or NULL. */
    const char *os;
    const char *os_release;
};

/* Registers of the crashing processor, from the dump's context record. gpr[] order is the
 * hardware encoding: rax rcx rdx rbx rsp rbp rsi rdi r8..r15 (x86: eax..edi in the first 8);
 * ARM64: x0..x30 in gpr[0..30] (gpr[29] = fp = x29, gpr[30] = lr), ip = pc, flags = cpsr. */
struct dp_regs {
    enum dp_arch arch;
    uint64_t ip, sp, fp, flags;
    uint64_t gpr[32];
};

struct dp_module {
    const char *name; /* base name as the kernel knows it: "driver.sys", "ntoskrnl.exe" */
    uint64_t base;    /* DllBase: where the image's headers are mapped */
    uint64_t size;    /* SizeOfImage as the loader entry records it: the whole mapped image, headers and
                       * every section, [base, base + size); discardable sections may be unmapped */
    uint32_t timestamp; /* the PE header's TimeDateStamp (the symbol-store key with size), 0 unknown */
    uint32_t checksum;  /* the PE header's CheckSum, 0 unknown */
    /* Symbol keys and state; each NULL while unknown. */
    const char *pdb_name;      /* the image's CodeView (RSDS) PDB file name: "ntkrnlmp.pdb" */
    const char *pdb_id;        /* the PDB's symbol-store key: GUID as 32 upper-case hex digits, then age in hex */
    const char *symbol_status; /* "pdb", "isf", "sym", "export", "none" (looked, found nothing), NULL (not looked) */
    const char *symbol_file;   /* local path of the symbol file in use */
};

struct dp_section {
    char name[9];
    uint64_t va; /* absolute virtual address */
    uint32_t size;
    uint32_t characteristics;
    int executable;
};

/* ---- typed values: evidence of findings and rows of artifacts ---- */
enum dp_type { DP_T_U64 = 1, DP_T_I64, DP_T_ADDR, DP_T_STR, DP_T_BOOL, DP_T_BYTES };

struct dp_field {
    const char *key;
    enum dp_type type;
    union {
        uint64_t u64; /* DP_T_U64, DP_T_ADDR */
        int64_t i64;
        int b;
        const char *str;
        struct {
            const void *data;
            size_t len;
        } bytes;
    } v;
};

#define DP_U64(k, x) ((struct dp_field){.key = (k), .type = DP_T_U64, .v.u64 = (uint64_t)(x)})
#define DP_I64(k, x) ((struct dp_field){.key = (k), .type = DP_T_I64, .v.i64 = (int64_t)(x)})
#define DP_ADDR(k, x) ((struct dp_field){.key = (k), .type = DP_T_ADDR, .v.u64 = (uint64_t)(x)})
#define DP_STR(k, s) ((struct dp_field){.key = (k), .type = DP_T_STR, .v.str = (s)})
#define DP_BOOL(k, x) ((struct dp_field){.key = (k), .type = DP_T_BOOL, .v.b = !!(x)})
#define DP_BYTES(k, p, n) \
    ((struct dp_field){.key = (k), .type = DP_T_BYTES, .v.bytes = {.data = (p), .len = (n)}})

/* One published row of an artifact (the blackboard), or one stored finding's evidence. */
struct dp_record {
    const char *publisher; /* plugin name */
    const struct dp_field *fields;
    size_t n_fields;
};

/* ---- findings ---- */
enum dp_severity { DP_SEV_INFO = 0, DP_SEV_WARNING, DP_SEV_ERROR, DP_SEV_CRITICAL };

struct dp_finding {
    const char *plugin;  /* filled in by the host */
    const char *code;    /* stable, dotted: "pool.header.corrupt" */
    enum dp_severity severity;
    unsigned confidence; /* percent, 0..100 */
    const char *title;   /* one line */
    const char *details; /* optional multi-line text, rendered as WinDbg renders it */
    const struct dp_field *evidence;
    size_t n_evidence;
};

/* ---- options: declared by the plugin, validated by the host before anything runs ----
 * The host refuses a pipeline (FILE:LINE:COL: message, exit 2) whose value has the wrong type, is
 * not among `choices`, is outside [min, max] or lacks a required unit, so run() sees only values
 * the table allows; plugins need no checks of their own beyond what the table cannot say. */
enum dp_opt_type { DP_OPT_STRING = 1, DP_OPT_INT, DP_OPT_BOOL, DP_OPT_STRING_LIST, DP_OPT_INT_LIST };

enum dp_opt_flags {
    /* DP_OPT_INT whose value must carry a unit; dp_opt_int() returns the converted number. */
    DP_OPT_DURATION = 1u << 0, /* 500ms, 30s, 2m, 1h: dp_opt_int() gives milliseconds */
    DP_OPT_SIZE = 1u << 1,     /* 512B, 64K, 16M, 2G (KiB, MiB, GiB too): dp_opt_int() gives bytes */
    /* DP_OPT_STRING(_LIST) naming files or directories: a relative value is resolved against the
     * directory of the pipeline file that sets it, like every other path in a pipeline. */
    DP_OPT_PATH = 1u << 2,
};

struct dp_option {
    const char *name; /* NULL ends the table */
    enum dp_opt_type type;
    const char *default_value; /* YAML scalar text, or NULL; lists have no default */
    int required;
    const char *help;
    /* Checked by the host when the pipeline is validated; zero/NULL: no constraint. */
    const char *const *choices; /* strings (and string list items): the allowed values, NULL-terminated */
    int64_t min, max;           /* ints (and int list items): the allowed range, when min or max is non-zero */
    unsigned flags;             /* enum dp_opt_flags */
};

/* One table entry; constraints follow as designated initializers. A table ends with {0}.
 *   DP_OPTION("layout", DP_OPT_STRING, "auto", "pool header layout", .choices = DP_CHOICES("auto", "x86", "x64")),
 *   DP_OPTION("max_frames", DP_OPT_INT, "128", "frames to walk at most", .min = 1, .max = 256),
 *   DP_OPTION("wait", DP_OPT_INT, "2s", "how long to wait", .flags = DP_OPT_DURATION),
 *   DP_OPTION("pooltag_files", DP_OPT_STRING_LIST, NULL, "pooltag.txt files", .flags = DP_OPT_PATH),
 *   DP_OPTION("mode", DP_OPT_STRING, NULL, "what to do", .required = 1),
 *   {0}, */
#define DP_OPTION(NAME, TYPE, DEFAULT, ...) /* then HELP and the constraints */ \
    {.name = (NAME), .type = (TYPE), .default_value = (DEFAULT), .help = __VA_ARGS__}
#define DP_CHOICES(...) ((const char *const[]){__VA_ARGS__, NULL})

/* ---- disassembly (capstone, through the host so every plugin decodes alike) ---- */
enum dp_insn_flags {
    DP_INSN_CALL = 1u << 0,
    DP_INSN_RET = 1u << 1,
    DP_INSN_JUMP = 1u << 2, /* conditional or not */
    DP_INSN_INT3 = 1u << 3,
    DP_INSN_NOP = 1u << 4,
    DP_INSN_LEAVE = 1u << 5,
    DP_INSN_PUSH = 1u << 6,
    DP_INSN_MOV = 1u << 7,
    DP_INSN_INDIRECT = 1u << 8, /* call/jmp through a register or memory */
};

struct dp_insn {
    uint64_t address;
    unsigned size;
    char mnemonic[32];
    char operands[160];
    unsigned flags;
    int has_target; /* direct branch target */
    uint64_t target;
    int has_imm; /* first immediate operand */
    uint64_t imm;
    int has_mem_disp; /* call [abs] / mov r, [abs]: absolute (or rip-resolved) address */
    uint64_t mem_addr;
};

/* ---- summary and step results, for sinks (valid until the end of the dump's triage) ---- */
struct dp_summary {
    const char *culprit_module; /* NULL when nothing points anywhere */
    const char *culprit_reason;
    unsigned culprit_confidence;
    const char *bucket; /* one-line failure signature */
    /* Appended in ABI 2.0 (a sink reads them by name; each NULL, or -1 for current_irql, while unknown):
     * the keys `!analyze -v` prints, built as docs/bucket.md says. */
    const char *symbol_name;     /* SYMBOL_NAME: the culprit's frame, "amdppm+0x334c", "Ntfs!NtfsFoo+0x12" */
    const char *module_name;     /* MODULE_NAME: "amdppm", "nt" */
    const char *image_name;      /* IMAGE_NAME: "amdppm.sys", "ntkrnlmp.exe" for the kernel */
    uint32_t image_timestamp;    /* the culprit image's TimeDateStamp; 0 when unknown */
    const char *failure_id_hash; /* FAILURE_ID_HASH: "{8 hex-4-4-4-12}", FNV-1a 128 of the bucket */
    const char *process_name;    /* PROCESS_NAME: the crashing thread's EPROCESS.ImageFileName */
    int current_irql;            /* CURRENT_IRQL; -1 when unknown */
    const char *stack_command;   /* STACK_COMMAND: ".cxr 0x... ; kb" when the stack came from the fault's context */
};

struct dp_step_result {
    const char *plugin; /* the step's id (the plugin name unless the pipeline gave an id) */
    const char *status; /* "ok", "failed", "crashed", "timeout", "memory", "skipped" (not applicable) */
    const char *message;
    double seconds;
    const char *version; /* the plugin's version string */
};

/* What this run is and which input it triages; for sinks and back ends. */
struct dp_run_info {
    const char *tool_version; /* dumppipe's version: "0.2.0" */
    const char *pipeline;     /* path of the pipeline file, or NULL */
    const char *input_path;   /* the dump as given on the command line or in the job */
    const char *input_sha256; /* lower-case hex digest of the whole input file, NULL when not computed */
    uint64_t input_size;      /* bytes */
    const char *input_status; /* "ok" (triaged), or why not: "unreadable", "malformed", "crashed", "timeout", "memory" */
    const char *input_error;  /* one line naming the file and the problem; NULL when input_status is "ok" */
};

/* A code address resolved against the loaded modules and whatever symbols the host has. */
struct dp_symbol {
    const struct dp_module *module; /* NULL: the address is in no loaded module */
    uint64_t module_offset;         /* address - module base */
    const char *function;           /* NULL when no symbol covers the address; lives as long as the context */
    uint64_t displacement;          /* address - function start; module_offset when function is NULL */
    const char *source;             /* where function came from: "pdb", "isf", "sym", "export"; NULL */
};

/* One block of secondary dump data: what drivers and the kernel add to a crash dump through bug-check
 * reason callbacks (KbCallbackSecondaryDumpData), each under a GUID tag; WinDbg lists them with .enumtag.
 * Windows 10 small dumps keep the SMBIOS table (tag {BC5C008F-1E3A-44D7-988D-86F6884C6758}), ACPI
 * tables and driver logs there. DATA points into the read-only dump and lives as long as the context. */
struct dp_dump_tag {
    char guid[40]; /* "{BC5C008F-1E3A-44D7-988D-86F6884C6758}": upper-case, with braces */
    const uint8_t *data;
    size_t size;
};

enum dp_log_level { DP_LOG_ERROR = 0, DP_LOG_WARN, DP_LOG_INFO, DP_LOG_DEBUG };

/* ---- the host's function table; grows only at the end (minor ABI bump) ---- */
struct dp_host_api {
    uint32_t size;
    uint16_t abi_major, abi_minor;

    const struct dp_dump_info *(*dump_info)(dp_ctx *);
    int (*get_regs)(dp_ctx *, struct dp_regs *out);

    int (*read_phys)(dp_ctx *, uint64_t paddr, void *buf, size_t len);
    int (*read_virt)(dp_ctx *, uint64_t vaddr, void *buf, size_t len);
    int (*translate)(dp_ctx *, uint64_t vaddr, uint64_t *paddr);
    size_t (*phys_run_count)(dp_ctx *);
    int (*phys_run)(dp_ctx *, size_t index, uint64_t *first_pfn, uint64_t *n_pages);
    const uint8_t *(*phys_page)(dp_ctx *, uint64_t pfn);

    size_t (*module_count)(dp_ctx *);
    const struct dp_module *(*module_get)(dp_ctx *, size_t index);
    const struct dp_module *(*module_by_addr)(dp_ctx *, uint64_t addr);
    const struct dp_module *(*module_by_name)(dp_ctx *, const char *name);
    size_t (*module_sections)(dp_ctx *, const struct dp_module *, struct dp_section *out, size_t max);
    int (*module_export_nearest)(dp_ctx *, const struct dp_module *, uint64_t addr, const char **name,
                                 uint64_t *displacement);
    int (*module_data_directory)(dp_ctx *, const struct dp_module *, unsigned index, uint32_t *rva,
                                 uint32_t *size);
    int (*symbolize)(dp_ctx *, uint64_t addr, char *buf, size_t len);

    int (*disasm)(dp_ctx *, enum dp_arch, const uint8_t *code, size_t len, uint64_t addr, struct dp_insn *out);
    int (*load_image_file)(dp_ctx *, const char *path, uint64_t base, uint8_t **image, size_t *size);
    void (*free_buffer)(dp_ctx *, void *);
    int (*unwind_frame)(dp_ctx *, struct dp_regs *regs);

    int (*add_finding)(dp_ctx *, const struct dp_finding *);
    int (*publish)(dp_ctx *, const char *artifact, const struct dp_field *fields, size_t n);
    size_t (*artifact_count)(dp_ctx *, const char *artifact);
    const struct dp_record *(*artifact_get)(dp_ctx *, const char *artifact, size_t index);

    const char *(*opt_string)(dp_ctx *, const char *name);
    int64_t (*opt_int)(dp_ctx *, const char *name);
    int (*opt_bool)(dp_ctx *, const char *name);
    int (*opt_isset)(dp_ctx *, const char *name);
    size_t (*opt_list_count)(dp_ctx *, const char *name);
    const char *(*opt_list_string)(dp_ctx *, const char *name, size_t index);
    int64_t (*opt_list_int)(dp_ctx *, const char *name, size_t index);

    void (*logv)(dp_ctx *, enum dp_log_level, const char *fmt, va_list);
    void (*set_errorv)(dp_ctx *, const char *fmt, va_list);

    /* for sinks */
    void *(*sink_stream)(dp_ctx *); /* a FILE * */
    size_t (*finding_count)(dp_ctx *);
    const struct dp_finding *(*finding_get)(dp_ctx *, size_t index);
    size_t (*step_count)(dp_ctx *);
    const struct dp_step_result *(*step_get)(dp_ctx *, size_t index);
    const struct dp_summary *(*summary)(dp_ctx *);
    size_t (*artifact_names)(dp_ctx *, const char **out, size_t max);

    /* ABI 2.0 */
    int (*symbol_lookup)(dp_ctx *, uint64_t addr, struct dp_symbol *out);
    void (*progress)(dp_ctx *, uint64_t done, uint64_t total, const char *what);
    const struct dp_run_info *(*run_info)(dp_ctx *);

    /* ABI 2.1 */
    size_t (*dump_tag_count)(dp_ctx *);
    int (*dump_tag_get)(dp_ctx *, size_t index, struct dp_dump_tag *out);
    int (*read_virt_image)(dp_ctx *, uint64_t vaddr, void *buf, size_t len);
    int (*module_image_file)(dp_ctx *, const struct dp_module *, const char **path);
    /* 2.1 too (appended; plugins check with DP_API_HAS): every CPU's registers */
    size_t (*cpu_count)(dp_ctx *);
    size_t (*cpu_current)(dp_ctx *);
    int (*cpu_regs)(dp_ctx *, size_t index, struct dp_regs *out);
};

/* Every context begins with a pointer to the host's table. */
struct dp_ctx_head {
    const struct dp_host_api *api;
};

static inline const struct dp_host_api *dp_api(dp_ctx *c) { return ((const struct dp_ctx_head *)(void *)c)->api; }

/* ---- the plugin descriptor ---- */
enum dp_plugin_kind { DP_KIND_ANALYZER = 1, DP_KIND_SINK = 2 };

struct dp_plugin {
    uint32_t magic; /* DP_PLUGIN_MAGIC */
    uint16_t abi_major, abi_minor;
    uint32_t struct_size; /* sizeof(struct dp_plugin) when built */
    enum dp_plugin_kind kind;
    const char *name;
    const char *version;
    const char *license;
    const char *description; /* one line */
    const struct dp_option *options;
    const char *const *provides; /* artifact names published, NULL-terminated (or NULL) */
    const char *const *consumes; /* artifact names read, NULL-terminated (or NULL); "?name": read when an
                                  * earlier step published it, with no order required */
    /* All three run once per step per dump, in the step's child (or in-process without isolation);
     * see "Where and how often the callbacks run" at the top. */
    int (*init)(dp_ctx *, void **state);  /* optional; *state is handed to run and fini */
    int (*run)(dp_ctx *, void *state);    /* required; DP_OK, DP_ERR_NOT_APPLICABLE (skipped), or a
                                           * dp_status after dp_set_error() (failed) */
    void (*fini)(dp_ctx *, void *state);  /* optional; called when init succeeded, whatever run returned */
    void *reserved[8];
};

#define DP_PLUGIN_HEADER                                                                           \
    .magic = DP_PLUGIN_MAGIC, .abi_major = DP_ABI_MAJOR, .abi_minor = DP_ABI_MINOR,                \
    .struct_size = sizeof(struct dp_plugin)

/* Usage: DP_PLUGIN(.kind = DP_KIND_ANALYZER, .name = "x", .version = "1.0", .run = x_run); */
#define DP_PLUGIN(...)                                                                             \
    __attribute__((visibility("default"))) const struct dp_plugin dp_plugin_descriptor = {         \
        DP_PLUGIN_HEADER, __VA_ARGS__}

/* ---- wrappers ---- */
static inline const struct dp_dump_info *dp_dump_info(dp_ctx *c) { return dp_api(c)->dump_info(c); }
static inline int dp_get_regs(dp_ctx *c, struct dp_regs *r) { return dp_api(c)->get_regs(c, r); }
static inline int dp_read_phys(dp_ctx *c, uint64_t pa, void *buf, size_t len) { return dp_api(c)->read_phys(c, pa, buf, len); }
static inline int dp_read_virt(dp_ctx *c, uint64_t va, void *buf, size_t len) { return dp_api(c)->read_virt(c, va, buf, len); }
static inline int dp_translate(dp_ctx *c, uint64_t va, uint64_t *pa) { return dp_api(c)->translate(c, va, pa); }
static inline size_t dp_phys_run_count(dp_ctx *c) { return dp_api(c)->phys_run_count(c); }
static inline int dp_phys_run(dp_ctx *c, size_t i, uint64_t *pfn, uint64_t *n) { return dp_api(c)->phys_run(c, i, pfn, n); }
/* Pointer to a present page's 4096 bytes, NULL when absent. Valid until the next dp_phys_page call. */
static inline const uint8_t *dp_phys_page(dp_ctx *c, uint64_t pfn) { return dp_api(c)->phys_page(c, pfn); }

static inline size_t dp_module_count(dp_ctx *c) { return dp_api(c)->module_count(c); }
static inline const struct dp_module *dp_module_get(dp_ctx *c, size_t i) { return dp_api(c)->module_get(c, i); }
static inline const struct dp_module *dp_module_by_addr(dp_ctx *c, uint64_t a) { return dp_api(c)->module_by_addr(c, a); }
/* Case-insensitive; "driver" matches "driver.sys". */
static inline const struct dp_module *dp_module_by_name(dp_ctx *c, const char *n) { return dp_api(c)->module_by_name(c, n); }
/* Sections of the module's PE image as read from the dump, or from the module's image file from the
 * symbol path when the dump lacks its headers (small dumps); 0 when neither has them. */
static inline size_t dp_module_sections(dp_ctx *c, const struct dp_module *m, struct dp_section *out, size_t max)
{
    return dp_api(c)->module_sections(c, m, out, max);
}
static inline int dp_module_export_nearest(dp_ctx *c, const struct dp_module *m, uint64_t a, const char **name, uint64_t *disp)
{
    return dp_api(c)->module_export_nearest(c, m, a, name, disp);
}
static inline int dp_module_data_directory(dp_ctx *c, const struct dp_module *m, unsigned idx, uint32_t *rva, uint32_t *size)
{
    return dp_api(c)->module_data_directory(c, m, idx, rva, size);
}
/* The parts of dp_symbolize's answer, for sinks and buckets that need them apart. Never fails for a
 * valid OUT: an address in no module gives module NULL. */
static inline int dp_symbol_lookup(dp_ctx *c, uint64_t a, struct dp_symbol *out) { return dp_api(c)->symbol_lookup(c, a, out); }
/* Long work (a whole-dump scan) says how far it is; the host shows it on a terminal, rate-limited, so
 * calling it per page is fine. WHAT names the work in a few words ("pool scan"). */
static inline void dp_progress(dp_ctx *c, uint64_t done, uint64_t total, const char *what)
{
    dp_api(c)->progress(c, done, total, what);
}
static inline const struct dp_run_info *dp_run_info(dp_ctx *c) { return dp_api(c)->run_info(c); }
/* The dump's secondary data blocks, in file order; 0 when the dump has none. dp_dump_tag_get: DP_OK, or
 * DP_ERR_NOT_FOUND for an index past the end. A tag may occur more than once. */
static inline size_t dp_dump_tag_count(dp_ctx *c) { return dp_api(c)->dump_tag_count(c); }
static inline int dp_dump_tag_get(dp_ctx *c, size_t i, struct dp_dump_tag *out) { return dp_api(c)->dump_tag_get(c, i, out); }
/* Whether the host's table has ENTRY (a host older than the plugin's SDK lacks the newer ones). */
#define DP_API_HAS(c, entry) \
    (dp_api(c)->size >= offsetof(struct dp_host_api, entry) + sizeof(((struct dp_host_api *)0)->entry))
/* Like dp_read_virt, but where the dump lacks a page inside a module whose image file came from the
 * symbol path (small dumps), the bytes come from that image, laid out and relocated at the module's
 * base: code for `u`/`ub`, headers, .pdata. Dump bytes win wherever the dump has them. Never use it to
 * decide whether memory was modified (a code comparison such as !chkimg): an image byte is what the
 * file says, not what was in memory; dp_read_virt reads the dump alone. */
static inline int dp_read_virt_image(dp_ctx *c, uint64_t va, void *buf, size_t len)
{
    return DP_API_HAS(c, read_virt_image) ? dp_api(c)->read_virt_image(c, va, buf, len) : dp_read_virt(c, va, buf, len);
}
/* The local path of the module's image file fetched from the symbol path (matched by TimeDateStamp
 * and SizeOfImage): a reference image for a code comparison. DP_ERR_NOT_FOUND when there is none. */
static inline int dp_module_image_file(dp_ctx *c, const struct dp_module *m, const char **path)
{
    return DP_API_HAS(c, module_image_file) ? dp_api(c)->module_image_file(c, m, path) : DP_ERR_NOT_FOUND;
}
/* Every processor's registers, when the dump holds them apart: a Windows guest found in a hypervisor-side
 * dump (QEMU's per-CPU notes, each KPRCB's saved CONTEXT). dp_cpu_count: 0 when the dump has only the
 * crashing CPU's context (dp_get_regs), or the host predates it; dp_cpu_current: the CPU dp_get_regs
 * returns. dp_get_cpu_regs: DP_OK, DP_ERR_NOT_FOUND past the count, DP_ERR_NOT_APPLICABLE for a CPU
 * whose registers the dump lacks. */
static inline size_t dp_cpu_count(dp_ctx *c) { return DP_API_HAS(c, cpu_count) ? dp_api(c)->cpu_count(c) : 0; }
static inline size_t dp_cpu_current(dp_ctx *c) { return DP_API_HAS(c, cpu_current) ? dp_api(c)->cpu_current(c) : 0; }
static inline int dp_get_cpu_regs(dp_ctx *c, size_t i, struct dp_regs *r)
{
    return DP_API_HAS(c, cpu_regs) ? dp_api(c)->cpu_regs(c, i, r) : DP_ERR_NOT_FOUND;
}
/* "module!symbol+0x12", "module+0x1234", or the bare address (8 or 16 hex digits). A buffer of
 * DP_SYMBOLIZE_MAX bytes holds every answer whose function name is shorter than 900 bytes (module
 * names are cut to 63); a longer answer is truncated and stays NUL-terminated. DP_ERR_INVALID only
 * for a NULL or empty buffer. */
#define DP_SYMBOLIZE_MAX 1024
static inline int dp_symbolize(dp_ctx *c, uint64_t a, char *buf, size_t len) { return dp_api(c)->symbolize(c, a, buf, len); }
static inline int dp_disasm(dp_ctx *c, enum dp_arch arch, const uint8_t *code, size_t len, uint64_t addr, struct dp_insn *out)
{
    return dp_api(c)->disasm(c, arch, code, len, addr, out);
}
/* A PE file on disk laid out as the loader would place it at BASE: headers and sections at their RVAs,
 * base relocations applied. Used to compare a module in the dump with a reference copy (!chkimg).
 * Free the image with dp_free_buffer. */
static inline int dp_load_image_file(dp_ctx *c, const char *path, uint64_t base, uint8_t **image, size_t *size)
{
    return dp_api(c)->load_image_file(c, path, base, image, size);
}
static inline void dp_free_buffer(dp_ctx *c, void *p) { dp_api(c)->free_buffer(c, p); }
/* x64: unwinds one frame with the unwind data (.pdata/UNWIND_INFO) of the module REGS->ip is in:
 * on success REGS holds the caller's ip, sp and restored nonvolatile registers. DP_ERR_NOT_FOUND
 * when the ip has no unwind entry (a leaf function: the caller's ip is at [sp]); DP_ERR_FAULT when
 * the module's headers or unwind data are neither in the dump nor in an image from the symbol path
 * (headers, .pdata and unwind codes come from the image where the dump lacks them; stack slots always
 * from the dump). x86: with the FrameData/FPO record of the module's PDB, when its symbols have
 * one (DP_ERR_NOT_APPLICABLE otherwise: use frame pointers). */
static inline int dp_unwind_frame(dp_ctx *c, struct dp_regs *regs) { return dp_api(c)->unwind_frame(c, regs); }

static inline int dp_add_finding(dp_ctx *c, const struct dp_finding *f) { return dp_api(c)->add_finding(c, f); }
static inline int dp_publish(dp_ctx *c, const char *a, const struct dp_field *f, size_t n) { return dp_api(c)->publish(c, a, f, n); }
static inline size_t dp_artifact_count(dp_ctx *c, const char *a) { return dp_api(c)->artifact_count(c, a); }
static inline const struct dp_record *dp_artifact_get(dp_ctx *c, const char *a, size_t i) { return dp_api(c)->artifact_get(c, a, i); }

static inline const char *dp_opt_string(dp_ctx *c, const char *n) { return dp_api(c)->opt_string(c, n); }
static inline int64_t dp_opt_int(dp_ctx *c, const char *n) { return dp_api(c)->opt_int(c, n); }
static inline int dp_opt_bool(dp_ctx *c, const char *n) { return dp_api(c)->opt_bool(c, n); }
static inline int dp_opt_isset(dp_ctx *c, const char *n) { return dp_api(c)->opt_isset(c, n); }
static inline size_t dp_opt_list_count(dp_ctx *c, const char *n) { return dp_api(c)->opt_list_count(c, n); }
static inline const char *dp_opt_list_string(dp_ctx *c, const char *n, size_t i) { return dp_api(c)->opt_list_string(c, n, i); }
static inline int64_t dp_opt_list_int(dp_ctx *c, const char *n, size_t i) { return dp_api(c)->opt_list_int(c, n, i); }

__attribute__((format(printf, 3, 4))) static inline void dp_log(dp_ctx *c, enum dp_log_level l, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    dp_api(c)->logv(c, l, fmt, ap);
    va_end(ap);
}
/* Sets the message the host reports when run() returns non-zero. */
__attribute__((format(printf, 2, 3))) static inline void dp_set_error(dp_ctx *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    dp_api(c)->set_errorv(c, fmt, ap);
    va_end(ap);
}
/* For analyzers of Windows kernel structures: DP_OK when the dump may hold a Windows kernel, else sets
 * the error ("Linux 6.1.0-56-cloud-amd64 guest: the Windows analyzers do not apply") and returns
 * DP_ERR_NOT_APPLICABLE, which run() passes on (the step is "skipped", not failed). */
static inline int dp_require_windows(dp_ctx *c)
{
    const struct dp_dump_info *i = dp_dump_info(c);
    if (!i->os || strcmp(i->os, "linux") != 0) return DP_OK;
    dp_set_error(c, "Linux %s guest: the Windows analyzers do not apply", i->os_release ? i->os_release : "(unknown release)");
    return DP_ERR_NOT_APPLICABLE;
}

static inline void *dp_sink_stream(dp_ctx *c) { return dp_api(c)->sink_stream(c); }
static inline size_t dp_finding_count(dp_ctx *c) { return dp_api(c)->finding_count(c); }
static inline const struct dp_finding *dp_finding_get(dp_ctx *c, size_t i) { return dp_api(c)->finding_get(c, i); }
static inline size_t dp_step_count(dp_ctx *c) { return dp_api(c)->step_count(c); }
static inline const struct dp_step_result *dp_step_get(dp_ctx *c, size_t i) { return dp_api(c)->step_get(c, i); }
static inline const struct dp_summary *dp_summary(dp_ctx *c) { return dp_api(c)->summary(c); }
static inline size_t dp_artifact_names(dp_ctx *c, const char **out, size_t max) { return dp_api(c)->artifact_names(c, out, max); }

/* ---- record helpers ---- */
static inline const struct dp_field *dp_record_field(const struct dp_record *r, const char *key)
{
    for (size_t i = 0; r && i < r->n_fields; i++) {
        const char *a = r->fields[i].key, *b = key;
        while (*a && *a == *b) a++, b++;
        if (*a == *b) return &r->fields[i];
    }
    return NULL;
}
/* U64, ADDR, I64 and BOOL fields read as numbers; dflt when absent or of another type. */
static inline uint64_t dp_record_u64(const struct dp_record *r, const char *key, uint64_t dflt)
{
    const struct dp_field *f = dp_record_field(r, key);
    if (!f) return dflt;
    switch (f->type) {
    case DP_T_U64: case DP_T_ADDR: return f->v.u64;
    case DP_T_I64: return (uint64_t)f->v.i64;
    case DP_T_BOOL: return (uint64_t)f->v.b;
    default: return dflt;
    }
}
static inline const char *dp_record_str(const struct dp_record *r, const char *key)
{
    const struct dp_field *f = dp_record_field(r, key);
    return f && f->type == DP_T_STR ? f->v.str : NULL;
}

/* ---- text for findings' details: grows as needed; a failed allocation sticks and reads as "" ---- */
struct dp_text {
    char *data;
    size_t len, cap;
    int failed;
};

static inline void dp_text_init(struct dp_text *t) { t->data = NULL, t->len = t->cap = 0, t->failed = 0; }
static inline void dp_text_free(struct dp_text *t) { free(t->data), dp_text_init(t); }
static inline void dp_text_clear(struct dp_text *t) { t->len = 0; if (t->data) t->data[0] = 0; }
static inline const char *dp_text_str(const struct dp_text *t) { return t->data && !t->failed ? t->data : ""; }

__attribute__((format(printf, 2, 3))) static inline void dp_text_printf(struct dp_text *t, const char *fmt, ...)
{
    va_list ap;
    if (t->failed) return;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    size_t need = t->len + (size_t)n + 1, cap = t->cap ? t->cap : 256;
    while (n >= 0 && cap < need && cap <= SIZE_MAX / 2) cap *= 2;
    char *p = n < 0 || cap < need ? NULL : cap == t->cap ? t->data : (char *)realloc(t->data, cap);
    if (!p) {
        t->failed = 1;
        return;
    }
    t->data = p, t->cap = cap;
    va_start(ap, fmt);
    vsnprintf(t->data + t->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    t->len += (size_t)n;
}

/* ---- pool tags ---- */
#define DP_POOL_PROTECTED 0x80000000u /* top bit of a tag: freed only with the matching tag */

/* PATTERN is a tag as people write it (pooltag.txt, options): up to 4 characters, '?' matches any one,
 * '*' the rest, shorter patterns are space-padded. The Protected bit of TAG is ignored. */
static inline int dp_pool_tag_matches(uint32_t tag, const char *pattern)
{
    size_t len = strlen(pattern);
    tag &= ~DP_POOL_PROTECTED;
    for (unsigned i = 0; i < 4; i++) {
        char want = i < len ? pattern[i] : ' ', have = (char)((tag >> (8 * i)) & 0xff);
        if (want == '*') return 1;
        if (want != '?' && want != have) return 0;
    }
    return len <= 4 || pattern[4] == '*';
}

/* ---- UTF-8: strings from dumps are arbitrary bytes ---- */

/* Length (1..4) of the well-formed UTF-8 sequence at S (RFC 3629: no overlong forms, no surrogates,
 * nothing past U+10FFFF), 0 when the byte at S starts none. S is NUL-terminated: the checks stop at
 * the terminator, which is never a continuation byte. */
static inline size_t dp_utf8_len(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    if (p[0] < 0x80) return 1;
    size_t n = p[0] >= 0xc2 && p[0] <= 0xdf ? 2 : p[0] >= 0xe0 && p[0] <= 0xef ? 3 : p[0] >= 0xf0 && p[0] <= 0xf4 ? 4 : 0;
    for (size_t i = 1; i < n; i++)
        if ((p[i] & 0xc0) != 0x80) return 0;
    if (n > 2 && ((p[0] == 0xe0 && p[1] < 0xa0) || (p[0] == 0xed && p[1] > 0x9f) || (p[0] == 0xf0 && p[1] < 0x90) ||
                  (p[0] == 0xf4 && p[1] > 0x8f)))
        return 0;
    return n;
}

/* The dword a tag of up to 4 characters is stored as (space-padded, first character lowest). */
static inline uint32_t dp_pool_tag_value(const char *text)
{
    uint32_t v = 0;
    size_t len = strlen(text);
    for (unsigned i = 0; i < 4; i++) v |= (uint32_t)(uint8_t)(i < len ? text[i] : ' ') << (8 * i);
    return v;
}

#ifdef __cplusplus
}
#endif
#endif
