/* Finding, opening and checking plugin shared objects. */
#ifndef DP_HOST_LOADER_H
#define DP_HOST_LOADER_H

#include <dumppipe/dumppipe.h>
#include <stddef.h>

struct dp_loader;

struct dp_loaded_plugin {
    const char *name;
    const char *path;
    void *handle;
    const struct dp_plugin *desc;
};

/* Search order: the -L directories, then $DUMPPIPE_PLUGIN_PATH, then the pipeline's plugin_dirs,
 * then the build or install directory next to the running program. */
struct dp_loader *dp_loader_new(void);
void dp_loader_free(struct dp_loader *l);
int dp_loader_add_dir(struct dp_loader *l, const char *dir);
void dp_loader_add_env(struct dp_loader *l);
void dp_loader_add_defaults(struct dp_loader *l);

/* Finds and loads NAME (or returns it if loaded already). err names the file and the reason. */
int dp_loader_get(struct dp_loader *l, const char *name, const struct dp_loaded_plugin **out, char *err, size_t errlen);
/* Loads one file and checks it; used by --list-plugins too. */
int dp_loader_open_file(struct dp_loader *l, const char *path, const struct dp_loaded_plugin **out, char *err,
                        size_t errlen);
/* Calls fn for every *.so in the search directories (first one found per name wins). */
void dp_loader_scan(struct dp_loader *l, void (*fn)(void *user, const char *path, const struct dp_loaded_plugin *p,
                                                    const char *err),
                    void *user);
/* Checks a descriptor before anything in it is called. */
int dp_plugin_check(const struct dp_plugin *d, const char *path, char *err, size_t errlen);

#endif
