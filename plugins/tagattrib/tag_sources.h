/* Loading the tag tables a pipeline names: pooltag.txt-format files and inline lines. */
#ifndef TAGATTRIB_TAG_SOURCES_H
#define TAGATTRIB_TAG_SOURCES_H

#include <dumppipe/dumppipe.h>

#include "tag_table.h"

/* Adds every well-formed line of the files in option pooltag_files and of option tags to DB; each
 * malformed line is logged and reported as a warning finding with its file and line number. */
int tag_sources_load(dp_ctx *c, struct tag_db *db);

#endif
