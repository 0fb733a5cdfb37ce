/* Reading the scenario: libyaml's document API, with accessors that tolerate missing nodes so the
 * builders can ask for optional keys without checking every level. */
#include "dpgen.h"

#include <string.h>

int scen_load(struct scen *s, const char *path, char *err, size_t errlen)
{
    yaml_parser_t parser;
    FILE *f = fopen(path, "rb");
    memset(s, 0, sizeof(*s));
    s->path = path;
    if (!f) {
        snprintf(err, errlen, "%s: cannot open", path);
        return -1;
    }
    yaml_parser_initialize(&parser);
    yaml_parser_set_input_file(&parser, f);
    int ok = yaml_parser_load(&parser, &s->doc);
    if (!ok)
        snprintf(err, errlen, "%s:%zu: YAML error: %s", path, parser.problem_mark.line + 1,
                 parser.problem ? parser.problem : "unknown");
    yaml_parser_delete(&parser);
    fclose(f);
    if (!ok)
        return -1;
    if (!yaml_document_get_root_node(&s->doc) || !sc_is_map(yaml_document_get_root_node(&s->doc))) {
        snprintf(err, errlen, "%s: the scenario must be a mapping", path);
        yaml_document_delete(&s->doc);
        return -1;
    }
    return 0;
}

void scen_free(struct scen *s) { yaml_document_delete(&s->doc); }

node_t *scen_root(struct scen *s) { return yaml_document_get_root_node(&s->doc); }

int sc_is_map(node_t *n) { return n && n->type == YAML_MAPPING_NODE; }
int sc_is_seq(node_t *n) { return n && n->type == YAML_SEQUENCE_NODE; }
int sc_line(node_t *n) { return n ? (int)n->start_mark.line + 1 : 0; }

const char *sc_text(node_t *n)
{
    return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

node_t *sc_get(struct scen *s, node_t *map, const char *key)
{
    if (!sc_is_map(map))
        return NULL;
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
        const char *k = sc_text(yaml_document_get_node(&s->doc, p->key));
        if (k && strcmp(k, key) == 0)
            return yaml_document_get_node(&s->doc, p->value);
    }
    return NULL;
}

size_t sc_len(node_t *seq)
{
    return sc_is_seq(seq) ? (size_t)(seq->data.sequence.items.top - seq->data.sequence.items.start) : 0;
}

node_t *sc_at(struct scen *s, node_t *seq, size_t i)
{
    if (i >= sc_len(seq))
        return NULL;
    return yaml_document_get_node(&s->doc, seq->data.sequence.items.start[i]);
}
