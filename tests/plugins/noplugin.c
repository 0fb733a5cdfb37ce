/* A shared object that is not a dumppipe plugin: it exports no descriptor. */
__attribute__((visibility("default"))) int noplugin_answer(void) { return 42; }
