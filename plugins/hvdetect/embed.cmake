# cmake -DIN=file.txt -DOUT=file.c -DSYMBOL=name -P embed.cmake
# Writes IN as a NUL-terminated const char array, so data files ship inside the plugin.
file(READ "${IN}" hex HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
string(REGEX REPLACE "((0x..,){16})" "\\1\n  " bytes "${bytes}")
file(WRITE "${OUT}" "/* Generated from ${IN} by embed.cmake; do not edit. */\nconst char ${SYMBOL}[] = {\n  ${bytes}0x00};\n")
