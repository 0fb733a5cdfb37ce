/* `dumppipe submit|worker|buckets`: the queue's subcommands, reached from the main command line. */
#include <string.h>

#include "queue.h"

int dpq_main(int argc, char **argv)
{
    static const struct {
        const char *name;
        int (*run)(int, char **);
    } cmds[] = {{"submit", dpq_submit_main}, {"worker", dpq_worker_main}, {"buckets", dpq_buckets_main}};
    if (argc < 2) return -1;
    for (size_t i = 0; i < sizeof cmds / sizeof *cmds; i++)
        if (strcmp(argv[1], cmds[i].name) == 0) return cmds[i].run(argc - 1, argv + 1);
    return -1;
}
