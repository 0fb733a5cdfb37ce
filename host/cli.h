#ifndef DP_HOST_CLI_H
#define DP_HOST_CLI_H
/* The dumppipe command line; returns an enum dp_exit. */
int dp_cli_main(int argc, char **argv);
#endif
